"""The JUnit XML report for CI systems: one test case per check, its failures in the body."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from contract_tests.suite.masking import printable
from contract_tests.suite.results import RunResult


def write_junit(result: RunResult, path: Path) -> None:
    checks = list(result.checks.values())
    failures = sum(1 for check in checks if check.failure_count)
    suite = ET.Element(
        "testsuite",
        name="contract",
        tests=str(len(checks)),
        failures=str(failures),
        errors="0",
        skipped=str(sum(1 for check in checks if not check.cases)),
        time=f"{result.seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="base_url", value=result.base_url)
    ET.SubElement(properties, "property", name="seed", value=str(result.seed))
    ET.SubElement(properties, "property", name="requests_sent", value=str(result.requests_sent))
    ET.SubElement(properties, "property", name="rate_limited", value=str(result.rate_limited))
    for check in checks:
        case = ET.SubElement(suite, "testcase", classname=f"contract.{check.origin}", name=check.name)
        ET.SubElement(case, "system-out").text = f"{check.cases} cases. Rule: {check.rule}"
        if not check.cases:
            # A check with nothing to judge proved nothing: CI shows it as skipped, not passed.
            ET.SubElement(case, "skipped", message="no case of this run was one it judges")
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
    root = ET.Element("testsuites", tests=str(len(checks)), failures=str(failures))
    root.append(suite)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
