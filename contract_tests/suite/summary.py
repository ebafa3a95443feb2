"""The readable summary of a run: per operation, one line per check; then the failures with what to do."""

from __future__ import annotations

from contract_tests.suite.results import RunResult


def render(result: RunResult, *, examples: int, rerun: str = "", spec: str = "") -> str:
    """The summary; `rerun` is the command that sends the same cases again, as its reader can run it;
    `spec`, the document the server was judged by."""
    lines = [
        f"Contract suite against {result.base_url}" + (f", by {spec}" if spec else ""),
        f"  seed {result.seed}; schemathesis examples: {examples} per mode (positive, negative),"
        " per operation",
        f"  {result.requests_sent} requests sent in {result.seconds:.1f} s"
        + (
            f"; {result.skipped_cases} unsendable or ambiguous ones not judged"
            if result.skipped_cases
            else ""
        ),
    ]
    if result.rate_limited:
        lines.append(f"  {result.rate_limited} cases not judged (rate limited: still 429 after retries)")
    if result.not_sent:
        lines.append(f"  {result.not_sent} cases not sent: the server stopped answering")
    if result.dropped_bodies:
        lines.append(
            f"  {len(result.dropped_bodies)} spec-derived bodies not sent: the spec's validator disagreed"
            f" with what they were built to be ({', '.join(result.dropped_bodies)})"
        )
    for flaw in result.flaws:
        lines.append(f"  flaw of the spec: {flaw}")
    for label, why in result.not_testable.items():
        lines.append(f"  NOT TESTABLE {label}: {why}")
    for note in result.notes:
        lines.append(f"  note: {note}")
    for operation in result.operations.values():
        lines += ["", f"  {operation.label}", f"  {'check':<30} {'from':<13} {'cases':>6} {'failed':>7}"]
        for check in operation.checks.values():
            mark = "FAIL" if check.failure_count else "ok" if check.cases else "not run"
            lines.append(
                f"  {check.name:<30} {check.origin:<13} {check.cases:>6} {check.failure_count:>7}  {mark}"
            )
    failed = result.failed
    for operation, check in failed:
        lines += [
            "",
            f"FAILED {check.name} on {operation.label}: {check.failure_count} of {check.cases} cases",
            f"  rule: {check.rule}",
        ]
        for failure in check.failures:
            lines += ["", f"  case: {failure.label}", f"  broke: {failure.reason}"]
            lines += [f"  {line}" for line in failure.details.splitlines()]
        if check.failure_count > len(check.failures):
            lines.append(f"  ... and {check.failure_count - len(check.failures)} more")
    lines.append("")
    total = f"{result.requests_sent} cases"
    if result.untestable is not None:
        lines.append(f"RESULT: NOT JUDGED, {result.untestable}; {total}")
        return "\n".join(lines)
    if failed:
        names = ", ".join(f"{operation.operation_id}: {check.name}" for operation, check in failed)
        lines += _again(result, examples, rerun)
        lines.append(f"RESULT: FAIL, {len(failed)} of {result.check_count} checks broken ({names}); {total}")
    else:
        judged = (
            f" ({len(result.operations)} operations judged; {len(result.not_testable)} not testable, above)"
            if result.not_testable
            else ""
        )
        lines.append(f"RESULT: PASS, the server keeps the contract{judged}; {total}")
    return "\n".join(lines)


def _again(result: RunResult, examples: int, rerun: str) -> list[str]:
    """How to send the same cases again, and what the reproductions need."""
    default = f"assistants-contract --seed {result.seed} --examples {examples} (and the same --base-url)"
    lines = [f"The same cases again: {rerun or default}"]
    if result.shown_base_url:
        lines.append(
            f"  (the curl commands name the server {result.shown_base_url}: serve the app yourself, e.g."
            " `uvicorn module:app --port 8000`, and set BASE_URL=http://127.0.0.1:8000)"
        )
    if result.bodies_dir is not None and result.own_bodies_dir:
        lines.append(
            f"  (bodies too long for a command line are in {result.bodies_dir}, removed when this command"
            " exits: give --report DIR/report.xml to keep them in DIR/contract-bodies)"
        )
    return lines
