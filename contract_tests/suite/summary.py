"""The readable summary of a run: per operation, one line per check; then the failures with what to do."""

from __future__ import annotations

from contract_tests.rules.checks import JUDGES, NEEDS_SUCCESS
from contract_tests.suite.results import SHOWN_FAILURES, CheckResult, OperationResult, RunResult
from contract_tests.suite.st_checks import JUDGES as ST_JUDGES

# Up to this many operations, the summary has a table of checks per operation; past it, a line each.
FULL_TABLES = 12
DROPPED_SHOWN = 5  # spec-derived bodies the summary names that the validator judged otherwise


def render(
    result: RunResult, *, examples: int, rerun: str = "", spec: str = "", shown: int = SHOWN_FAILURES
) -> str:
    """The summary; `rerun` is the command that sends the same cases again, as its reader can run it;
    `spec`, the document the server was judged by; `shown`, the failures shown per check."""
    lines = [
        f"Contract suite against {result.base_url}" + (f", by {spec}" if spec else ""),
        f"  seed {result.seed}; schemathesis examples: {examples} per mode (positive, negative),"
        " per operation" + (f"; shard {result.shard} of the operations" if result.shard else ""),
        f"  {result.requests_sent} requests sent in {result.seconds:.1f} s"
        + (
            f"; {result.skipped_cases} unsendable or ambiguous ones not judged"
            if result.skipped_cases
            else ""
        ),
    ]
    lines += _what_was_not_judged(result)
    tables = len(result.operations) <= FULL_TABLES
    for operation in result.operations.values():
        if not tables:
            lines.append(f"  {_in_a_line(operation)}")
            continue
        lines += ["", f"  {operation.label}", f"  {'check':<30} {'from':<13} {'cases':>6} {'failed':>7}"]
        for check in operation.checks.values():
            mark = (
                "FAIL"
                if check.failure_count
                else "ok"
                if check.cases
                else f"not run: {idle(operation, check)}"
            )
            lines.append(
                f"  {check.name:<30} {check.origin:<13} {check.cases:>6} {check.failure_count:>7}  {mark}"
            )
    lines += _coverage(result, tables=tables)
    failed = result.failed
    for operation, check in failed:
        lines += [
            "",
            f"FAILED {check.name} on {operation.label}: {check.failure_count} of {check.cases} cases",
            f"  rule: {check.rule}",
        ]
        for failure in check.failures[:shown]:
            lines += ["", f"  case: {failure.label}", f"  broke: {failure.reason}"]
            lines += [f"  {line}" for line in failure.details.splitlines()]
        if check.failure_count > shown:
            lines.append(
                f"  ... and {check.failure_count - shown} more (--max-failures N shows more here; the"
                " --report and --report-json files have every one)"
            )
    lines += _warnings(result, shown)
    lines.append("")
    total = f"{result.requests_sent} cases"
    if result.untestable is not None:
        lines.append(f"RESULT: NOT JUDGED, {result.untestable}; {total}")
        return "\n".join(lines)
    if failed:
        names = ", ".join(f"{operation.operation_id}: {check.name}" for operation, check in failed)
        lines += _again(result, examples, rerun)
        lines.append(f"RESULT: FAIL, {len(failed)} of {result.check_count} checks broken ({names}); {total}")
    elif result.coverage_gaps:
        gaps = "; ".join(result.coverage_gaps)
        lines.append(f"RESULT: FAIL, --require-coverage: not every operation was reached ({gaps}); {total}")
    else:
        judged = (
            f" ({len(result.operations)} operations judged; {len(result.not_testable)} not testable, above)"
            if result.not_testable
            else ""
        )
        lines.append(f"RESULT: PASS, the server keeps the contract{judged}; {total}")
    return "\n".join(lines)


def _warnings(result: RunResult, shown: int) -> list[str]:
    """What the spec should state that a server holds to (a bound the schema leaves out): not failures."""
    lines = []
    for operation in result.operations.values():
        for check in operation.checks.values():
            if not check.warnings:
                continue
            lines += ["", f"WARNING {check.name} on {operation.label}: {len(check.warnings)} cases"]
            for warning in check.warnings[:shown]:
                lines += ["", f"  case: {warning.label}", f"  said: {warning.reason}"]
                lines += [f"  {line}" for line in warning.details.splitlines()]
    return lines


def idle(operation: OperationResult, check: CheckResult) -> str:
    """Why a check judged nothing on an operation."""
    if (check.name in NEEDS_SUCCESS or check.name == "ignored_auth") and not operation.successes:
        return "no request got a 2xx"
    return f"no case was {({**ST_JUDGES, **JUDGES}).get(check.name, 'one it judges')}"


def _in_a_line(operation: OperationResult) -> str:
    checks = list(operation.checks.values())
    judged = sum(1 for check in checks if check.cases)
    broken = sum(1 for check in checks if check.failure_count)
    state = "FAIL" if broken else "ok" if operation.successes else "NOT REACHED"
    return (
        f"{operation.label}: {operation.sent} requests, {operation.successes} got a 2xx;"
        f" {len(checks)} checks, {judged} judged something, {broken} broken  {state}"
    )


def _coverage(result: RunResult, *, tables: bool) -> list[str]:
    """Which operations no request brought to a success, and which checks judged nothing, and why."""
    operations = list(result.operations.values())
    unreached = result.unreached
    lines = [
        "",
        f"Coverage: {len(operations) - len(unreached)} of {len(operations)} operations judged got a 2xx"
        + (f"; {len(result.not_testable)} not testable (above)" if result.not_testable else "")
        + (":" if unreached else ""),
    ]
    lines += [f"  NOT REACHED {operation.label}: {why}" for operation, why in unreached]
    if tables:
        return lines  # the tables say which checks judged nothing, and why
    idle_by: dict[tuple[str, str], list[str]] = {}
    for operation in operations:
        for check in operation.checks.values():
            if not check.cases:
                idle_by.setdefault((check.name, idle(operation, check)), []).append(operation.operation_id)
    if idle_by:
        lines.append("Checks that judged nothing:")
    for (name, why), where in idle_by.items():
        shown = ", ".join(where[:6]) + (f" and {len(where) - 6} more" if len(where) > 6 else "")
        lines.append(f"  {name} on {shown}: {why}")
    return lines


def _what_was_not_judged(result: RunResult) -> list[str]:
    """Cases not sent or not judged, the spec's flaws and the operations they leave untestable, notes."""
    lines = []
    if result.rate_limited:
        lines.append(f"  {result.rate_limited} cases not judged (rate limited: still 429 after retries)")
    if result.resent_on_new_connection:
        lines.append(
            f"  {result.resent_on_new_connection} requests sent again on a new connection: the server closed"
            " a kept-alive one before answering them, as HTTP allows (RFC 9112, 9.6)"
        )
    if result.not_sent:
        lines.append(f"  {result.not_sent} cases not sent: the server stopped answering")
    if result.dropped_bodies:
        dropped = result.dropped_bodies
        shown = ", ".join(dropped[:DROPPED_SHOWN]) + (
            f" and {len(dropped) - DROPPED_SHOWN} more (the JSON report has them all)"
            if len(dropped) > DROPPED_SHOWN
            else ""
        )
        lines.append(
            f"  {len(dropped)} spec-derived bodies not sent: the spec's validator disagreed with what they"
            f" were built to be ({shown})"
        )
    lines += [f"  flaw of the spec: {flaw}" for flaw in result.flaws]
    lines += [f"  NOT TESTABLE {label}: {why}" for label, why in result.not_testable.items()]
    lines += [f"  note: {note}" for note in result.notes]
    return lines


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
