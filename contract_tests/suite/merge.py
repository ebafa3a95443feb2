"""`assistants-contract merge-reports A.xml B.xml ... -o all.xml`: the reports of a sharded run (a CI
matrix of `--shard I/N` jobs) joined into one, exiting as the whole run would: 2 if a shard could not
judge the server, 1 if a check broke (or, with --require-coverage, an operation was not reached), else 0.

JUnit reports (`.xml`) join their test suites, one per operation (each operation is judged in one shard
only); the suites every shard writes (operations not testable, a run that could not judge) are joined
case by case. JSON reports (`.json`, from --report-json) join their operations and sum their counts.
Both kinds may be given together, each written to the output of its kind (`-o all.xml`, `-o all.json`).
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from contract_tests.suite.jsonreport import FORMAT

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class MergeError(Exception):
    """A report that cannot be read or joined: a one-line reason."""


def merge_junit(paths: list[Path]) -> tuple[ET.Element, int]:
    """The joined `<testsuites>` and the exit status the whole run would have had."""
    suites: dict[str, ET.Element] = {}
    shards: list[tuple[Path, str | None]] = []
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as exc:
            raise MergeError(f"cannot read the JUnit report {path}: {exc}") from None
        if root.tag != "testsuites":
            raise MergeError(f"{path} is not a JUnit report of the suite (its root is <{root.tag}>)")
        shards.append((path, root.get("shard")))
        for suite in root.findall("testsuite"):
            name = suite.get("name", "")
            if name not in suites:
                suites[name] = suite
                continue
            known = {case.get("name") for case in suites[name].findall("testcase")}
            for case in suite.findall("testcase"):
                if case.get("name") not in known:
                    suites[name].append(case)
    every_shard(shards)
    merged = ET.Element("testsuites")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites.values():
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(case.find("failure") is not None for case in cases),
            "errors": sum(case.find("error") is not None for case in cases),
            "skipped": sum(case.find("skipped") is not None for case in cases),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        merged.append(suite)
    for key in ("tests", "failures", "errors"):
        merged.set(key, str(totals[key]))
    code = EXIT_ERROR if totals["errors"] else EXIT_FAIL if totals["failures"] else EXIT_PASS
    return merged, code


def every_shard(shards: list[tuple[Path, str | None]]) -> None:
    """Refuses reports that are not one whole run's shards: one missing (its operations would pass
    unjudged), one given twice, or shards of different splits. Reports of unsharded runs are joined as
    they are."""
    given = [(path, said) for path, said in shards if said is not None]
    if not given:
        return
    parsed: list[tuple[Path, tuple[int, int]]] = []
    for path, said in given:
        number, _, count = said.partition("/")
        if not (number.isdigit() and count.isdigit()):
            raise MergeError(f"{path}: shard {said!r} is not of the form I/N")
        parsed.append((path, (int(number), int(count))))
    totals = {count for _, (_, count) in parsed}
    if len(totals) > 1 or len(given) < len(shards):
        raise MergeError(
            "the reports are of different splits of the run (--shard I/N with different N, or none)"
        )
    total = totals.pop()
    seen: dict[int, Path] = {}
    for path, (index, _) in parsed:
        if index in seen:
            raise MergeError(f"shard {index}/{total} is given twice ({seen[index]} and {path})")
        seen[index] = path
    missing = [f"{index}/{total}" for index in range(1, total + 1) if index not in seen]
    if missing:
        raise MergeError(
            f"shard {', '.join(missing)} is missing: the joined report would leave its operations unjudged"
        )


def merge_json(paths: list[Path]) -> tuple[dict[str, Any], int]:
    """The joined JSON report and the exit status the whole run would have had."""
    try:
        return _merge_json(paths)
    except (KeyError, TypeError, AttributeError) as exc:
        raise MergeError(f"a JSON report lacks what the suite writes ({type(exc).__name__}: {exc})") from None


def _merge_json(paths: list[Path]) -> tuple[dict[str, Any], int]:
    merged: dict[str, Any] = {}
    shards: list[tuple[Path, str | None]] = []
    for path in paths:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise MergeError(f"cannot read the JSON report {path}: {exc}") from None
        if not isinstance(report, dict) or report.get("format") != FORMAT:
            raise MergeError(f"{path} is not a JSON report of the suite (--report-json)")
        if not merged:
            merged = {
                **report,
                "operations": {},
                "shard": None,
                "shards": [],
                "requests_sent": 0,
                "seconds": 0,
            }
        merged["shards"].append(report.get("shard"))
        shards.append((path, report.get("shard")))
        merged["requests_sent"] += report["requests_sent"]
        merged["seconds"] = max(merged["seconds"], report["seconds"])  # the shards run side by side
        for key in ("flaws", "notes", "coverage_gaps"):
            merged[key] = list(dict.fromkeys([*merged[key], *report[key]]))
        merged["not_testable"] = {**merged["not_testable"], **report["not_testable"]}
        merged["not_judged"] = merged["not_judged"] or report["not_judged"]
        merged["operations"].update(report["operations"])
    every_shard(shards)
    failed = any(
        check["failures"]
        for operation in merged["operations"].values()
        for check in operation["checks"].values()
    )
    merged["result"] = (
        "not judged" if merged["not_judged"] else "fail" if failed or merged["coverage_gaps"] else "pass"
    )
    code = EXIT_ERROR if merged["not_judged"] else EXIT_FAIL if merged["result"] == "fail" else EXIT_PASS
    return merged, code


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="assistants-contract merge-reports",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("reports", nargs="+", type=Path, help="the shards' reports (.xml, .json)")
    parser.add_argument("-o", "--output", action="append", type=Path, required=True, help="the joined report")
    args = parser.parse_args(argv)
    xml = [path for path in args.reports if path.suffix.lower() == ".xml"]
    js = [path for path in args.reports if path.suffix.lower() == ".json"]
    other = [path for path in args.reports if path not in xml and path not in js]
    codes = []
    try:
        if other:
            raise MergeError(f"{other[0]}: a report is a JUnit .xml or a JSON .json file")
        for output in args.output:
            if output.suffix.lower() == ".xml":
                if not xml:
                    raise MergeError(f"{output}: no JUnit report (.xml) to join")
                root, code = merge_junit(xml)
                output.parent.mkdir(parents=True, exist_ok=True)
                ET.ElementTree(root).write(output, encoding="utf-8", xml_declaration=True)
            elif output.suffix.lower() == ".json":
                if not js:
                    raise MergeError(f"{output}: no JSON report (.json) to join")
                report, code = merge_json(js)
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            else:
                raise MergeError(f"-o {output}: the joined report is a .xml or a .json file")
            codes.append(code)
            print(f"joined {len(xml if output.suffix.lower() == '.xml' else js)} reports into {output}")
    except (MergeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return max(codes)
