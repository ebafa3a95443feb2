"""The JUnit XML report for CI systems: a test suite per operation, a test case per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from contract_tests.masking import printable
from contract_tests.suite.results import OperationResult, RunResult
from contract_tests.suite.summary import idle


def write_junit(result: RunResult, path: Path) -> None:
    failures = len(result.failed) + len(result.coverage_gaps)
    tests = result.check_count + len(result.operations) + len(result.not_testable)
    root = ET.Element("testsuites", tests=str(tests), failures=str(failures))
    for operation in result.operations.values():
        root.append(_suite(result, operation))
    if result.not_testable:
        # Operations a flaw of the spec leaves untestable: skipped, with the flaw's place and reason.
        flawed = ET.SubElement(
            root,
            "testsuite",
            name="contract operations not testable",
            tests=str(len(result.not_testable)),
            failures="0",
            errors="0",
            skipped=str(len(result.not_testable)),
        )
        for label, why in result.not_testable.items():
            case = ET.SubElement(flawed, "testcase", classname="contract.not_testable", name=label)
            ET.SubElement(case, "skipped", message=printable(f"not testable: {why}"))
    if result.untestable is not None:
        # Not a check the server broke: a run that could not judge it, which CI must not show as passed.
        run = ET.SubElement(root, "testsuite", name="contract run", tests="1", failures="0", errors="1")
        case = ET.SubElement(run, "testcase", classname="contract.run", name="the server can be judged")
        ET.SubElement(case, "error", message=printable(result.untestable), type="untestable")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _suite(result: RunResult, operation: OperationResult) -> ET.Element:
    checks = list(operation.checks.values())
    unreached = operation.unreached is not None
    suite = ET.Element(
        "testsuite",
        name=f"contract {operation.label}",
        tests=str(len(checks) + 1),  # and the operation's coverage
        failures=str(
            sum(1 for check in checks if check.failure_count) + (unreached and result.require_coverage)
        ),
        errors="0",
        skipped=str(
            sum(1 for check in checks if not check.cases) + (unreached and not result.require_coverage)
        ),
        time=f"{result.seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("base_url", result.base_url),
        ("seed", str(result.seed)),
        ("operation", operation.label),
        ("requests_sent", str(result.requests_sent)),
        ("rate_limited", str(result.rate_limited)),
        ("not_sent", str(result.not_sent)),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    for check in checks:
        case = ET.SubElement(
            suite, "testcase", classname=f"contract.{operation.operation_id}", name=check.name
        )
        ET.SubElement(case, "system-out").text = (
            f"{check.cases} cases of {operation.label}. Rule ({check.origin}): {check.rule}"
            + "".join(f"\nwarning: {printable(warning.reason)}" for warning in check.warnings)
        )
        if not check.cases:
            # A check with nothing to judge proved nothing: CI shows it as skipped, not passed.
            ET.SubElement(case, "skipped", message=printable(f"judged nothing: {idle(operation, check)}"))
            continue
        if not check.failure_count:
            continue
        failure = ET.SubElement(
            case,
            "failure",
            message=f"{check.failure_count} of {check.cases} cases broke: {check.rule}",
            type=check.name,
        )
        blocks = [f"case: {f.label}\nbroke: {f.reason}\n{f.details}" for f in check.failures]
        # XML 1.0 cannot carry most control characters, which a server's answer may contain.
        failure.text = "\n".join(printable(line) for line in "\n\n".join(blocks).splitlines())
    reached = ET.SubElement(
        suite,
        "testcase",
        classname=f"contract.{operation.operation_id}",
        name="coverage: a request got a 2xx",
    )
    ET.SubElement(reached, "system-out").text = f"{operation.sent} requests, {operation.successes} got a 2xx"
    if operation.unreached is not None:
        kind = "failure" if result.require_coverage else "skipped"
        ET.SubElement(reached, kind, message=printable(f"not reached: {operation.unreached}"))
    return suite
