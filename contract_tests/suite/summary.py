"""The readable summary of a run: one line per check, then the failures with what to do about them."""

from __future__ import annotations

from contract_tests.suite.results import RunResult


def render(result: RunResult, *, examples: int) -> str:
    lines = [
        f"Contract suite against {result.base_url}",
        f"  seed {result.seed}; schemathesis examples: {examples} per mode (positive, negative)",
        f"  {result.requests_sent} requests sent in {result.seconds:.1f} s"
        + (
            f"; {result.skipped_cases} unsendable or ambiguous ones not judged"
            if result.skipped_cases
            else ""
        ),
    ]
    if result.rate_limited:
        lines.append(f"  {result.rate_limited} cases not judged (rate limited: still 429 after retries)")
    if result.dropped_bodies:
        lines.append(
            f"  {len(result.dropped_bodies)} spec-derived bodies not sent: the spec's validator disagreed"
            f" with what they were built to be ({', '.join(result.dropped_bodies)})"
        )
    lines += [
        "",
        f"  {'check':<30} {'from':<13} {'cases':>6} {'failed':>7}",
    ]
    for check in result.checks.values():
        mark = "FAIL" if check.failure_count else "ok" if check.cases else "not run"
        lines.append(
            f"  {check.name:<30} {check.origin:<13} {check.cases:>6} {check.failure_count:>7}  {mark}"
        )
    failed = [check for check in result.checks.values() if check.failure_count]
    for check in failed:
        lines += [
            "",
            f"FAILED {check.name}: {check.failure_count} of {check.cases} cases",
            f"  rule: {check.rule}",
        ]
        for failure in check.failures:
            lines += ["", f"  case: {failure.label}", f"  broke: {failure.reason}"]
            lines += [f"  {line}" for line in failure.details.splitlines()]
        if check.failure_count > len(check.failures):
            lines.append(f"  ... and {check.failure_count - len(check.failures)} more")
    lines.append("")
    total = f"{result.requests_sent} cases"
    if failed:
        names = ", ".join(check.name for check in failed)
        again = f"SEED={result.seed} EXAMPLES={examples} make contract BASE_URL=..."
        lines.append(f"The same cases again: {again}")
        lines.append(f"RESULT: FAIL, {len(failed)} of {len(result.checks)} checks broken ({names}); {total}")
    else:
        lines.append(f"RESULT: PASS, the server keeps the contract; {total}")
    return "\n".join(lines)
