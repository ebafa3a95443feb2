"""The JUnit report parses as XML whatever the server answered, and has one test case per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from contract_tests.suite.junit import write_junit
from contract_tests.suite.results import CheckResult, Failure, OperationResult, RunResult
from contract_tests.suite.summary import render


def test_report_is_well_formed_with_control_characters(tmp_path: Path) -> None:
    broken = CheckResult("invalid_body_rejected", "ours", "rule")
    broken.record(Failure("case \x00", "got 200 \x1b[31m", "received: body \x07\x00"))
    passed = CheckResult("not_a_server_error", "schemathesis", "rule")
    passed.record(None)
    operation = OperationResult("op", "op (POST /x)", {c.name: c for c in (broken, passed)})
    other = OperationResult("other", "other (GET /x/{id})", {passed.name: passed})
    result = RunResult("http://127.0.0.1:1", 1, {"op": operation, "other": other}, requests_sent=2)
    path = tmp_path / "reports" / "junit.xml"
    write_junit(result, path)
    suites = ET.parse(path).getroot().findall("testsuite")
    assert [suite.get("name") for suite in suites] == [
        "contract op (POST /x)",
        "contract other (GET /x/{id})",
    ]
    # Its two checks, and whether a request brought it to a 2xx (none did: skipped, with why).
    assert suites[0].get("tests") == "3" and suites[0].get("failures") == "1"
    failures = [case.get("name") for case in suites[0].iter("testcase") if case.find("failure") is not None]
    assert failures == ["invalid_body_rejected"]
    reached = [
        case for case in suites[0].iter("testcase") if case.get("name") == "coverage: a request got a 2xx"
    ]
    skipped = reached[0].find("skipped") if reached else None
    assert skipped is not None and "not reached: no request" in str(skipped.get("message"))
    assert {case.get("classname") for case in suites[1].iter("testcase")} == {"contract.other"}


def test_a_check_that_judged_nothing_is_skipped_not_passed(tmp_path: Path) -> None:
    idle = CheckResult("ignored_auth", "schemathesis", "rule")
    result = RunResult(
        "http://127.0.0.1:1", 1, {"op": OperationResult("op", "op (POST /x)", {idle.name: idle})}
    )
    write_junit(result, tmp_path / "junit.xml")
    case = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite/testcase")
    assert case is not None and case.find("skipped") is not None and case.find("failure") is None
    assert "not run" in render(result, examples=1)
