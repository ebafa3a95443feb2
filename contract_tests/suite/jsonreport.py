"""The JSON report of a run (`--report-json`): every operation, every check, every failing case with what
was sent, what came back and its reproduction; what was not judged and why. One shard's report and
another's are joined by `assistants-contract merge-reports` (contract_tests.suite.merge)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contract_tests.suite.results import RunResult
from contract_tests.suite.summary import idle

FORMAT = "assistants-contract report 1"


def as_json(result: RunResult, spec: str = "") -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for operation in result.operations.values():
        checks = {}
        for check in operation.checks.values():
            checks[check.name] = {
                "origin": check.origin,
                "rule": check.rule,
                "cases": check.cases,
                "failures": check.failure_count,
                "verdict": "fail" if check.failure_count else "pass" if check.cases else "not run",
                "why_not_run": None if check.cases else idle(operation, check),
                "failed": [
                    {"case": failure.label, "reason": failure.reason, "details": failure.details}
                    for failure in check.failures
                ],
                "warnings": [
                    {"case": warning.label, "said": warning.reason, "details": warning.details}
                    for warning in check.warnings
                ],
            }
        operations[operation.operation_id] = {
            "label": operation.label,
            "requests": operation.sent,
            "statuses": {str(status): count for status, count in sorted(operation.statuses.items())},
            "unanswered": operation.unanswered,
            "not_reached": operation.unreached,
            "checks": checks,
        }
    return {
        "format": FORMAT,
        "spec": spec,
        "base_url": result.base_url,
        "seed": result.seed,
        "shard": result.shard,
        "requests_sent": result.requests_sent,
        "seconds": round(result.seconds, 3),
        "result": outcome(result),
        "not_judged": result.untestable,
        "coverage_gaps": result.coverage_gaps,
        "not_testable": result.not_testable,
        "flaws": result.flaws,
        "notes": result.notes,
        "dropped_bodies": result.dropped_bodies,
        "operations": operations,
    }


def outcome(result: RunResult) -> str:
    if result.untestable is not None:
        return "not judged"
    return "pass" if result.passed else "fail"


def write_json(result: RunResult, path: Path, spec: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(as_json(result, spec), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
