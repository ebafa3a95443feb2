"""What a run found: per operation and check, how many cases it judged and which of them broke it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Each check keeps the details of this many failures per operation (the console shows the first few,
# --max-failures more; the JUnit and JSON reports all of them); past it they are only counted.
KEPT_FAILURES = 1000
SHOWN_FAILURES = 3


@dataclass(frozen=True)
class Failure:
    label: str  # the case, e.g. "tools over maxItems (129)"
    reason: str  # the rule broken, in one line
    details: str  # sent, received, reproduction command (key masked)


@dataclass
class CheckResult:
    name: str
    origin: str  # "schemathesis" or "ours"
    rule: str
    cases: int = 0
    failure_count: int = 0
    failures: list[Failure] = field(default_factory=list)
    # What the spec should state (a bound a server holds to that the schema does not say): not failures.
    warnings: list[Failure] = field(default_factory=list)

    @property
    def keeps_details(self) -> bool:
        """Whether the next failure's details will be kept (the first few are)."""
        return len(self.failures) < KEPT_FAILURES

    def record_first(self, failure: Failure) -> None:
        """A failure that says most (the run ended here): shown first, whatever came before."""
        self.cases += 1
        self.failure_count += 1
        self.failures = [failure, *self.failures][:KEPT_FAILURES]

    def warn(self, warning: Failure) -> None:
        self.cases += 1
        if len(self.warnings) < KEPT_FAILURES:
            self.warnings.append(warning)

    def record(self, failure: Failure | None) -> None:
        self.cases += 1
        if failure is not None:
            self.failure_count += 1
            if len(self.failures) < KEPT_FAILURES:
                self.failures.append(failure)


@dataclass
class OperationResult:
    """The checks that apply to one operation of the spec, and what the run's requests to it got."""

    operation_id: str
    label: str  # "createAssistant (POST /v1/assistants)"
    checks: dict[str, CheckResult]
    sent: int = 0  # requests of the run to this operation (its probes, cases and steps)
    statuses: dict[int, int] = field(default_factory=dict)  # how many got each status
    unanswered: int = 0  # requests the server did not answer
    has_path_parameters: bool = False
    needs: str | None = None  # what it acts on that the run could not have (no object of its resource)

    @property
    def failed_checks(self) -> list[str]:
        return [name for name, result in self.checks.items() if result.failure_count]

    @property
    def successes(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    def count(self, status: int | None) -> None:
        self.sent += 1
        if status is None:
            self.unanswered += 1
        else:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def unreached(self) -> str | None:
        """Why no request of the run brought the operation to a success, in words; None if one did."""
        if self.successes:
            return None
        if not self.sent:
            return "no request was sent (an object it needs could not be made)"
        ranked = sorted(self.statuses.items(), key=lambda item: -item[1])
        said = ", ".join(f"{count} got {status}" for status, count in ranked[:4])
        if self.unanswered:
            said += (", " if said else "") + f"{self.unanswered} got no answer"
        only = ranked[0][0] if len(ranked) == 1 and not self.unanswered else None
        why = ""
        if only in (404, 410) and self.has_path_parameters:
            why = ": every id was one the server does not know"
        elif only in (400, 422):
            why = ": every request was refused as invalid"
        elif only in (401, 403):
            why = ": every request was refused its key"
        if self.needs is not None:
            why = f": {self.needs}"
        return f"no request got a 2xx ({said}){why}"


@dataclass
class RunResult:
    base_url: str
    seed: int
    operations: dict[str, OperationResult]  # by operationId, the seed's first
    requests_sent: int = 0
    skipped_cases: int = 0
    rate_limited: int = 0  # cases still 429 after the retries: not judged
    # Requests sent once more on a new connection: the server closed a kept-alive one before answering.
    resent_on_new_connection: int = 0
    dropped_bodies: list[str] = field(default_factory=list)  # see BodyFactory.dropped
    not_sent: int = 0  # cases left when the server stopped answering
    seconds: float = 0.0
    # Why the run could not judge the server (it rate-limited too much): the CLI exits 2.
    untestable: str | None = None
    bodies_dir: Path | None = None  # where reproduction commands find the bodies they send
    own_bodies_dir: bool = False  # bodies_dir is the run's own, removed when the process exits
    shown_base_url: str | None = None  # what reproductions name the server by, when not its real URL
    # What the run judged otherwise than the spec says, and why (an invalid example left out, a fault
    # the spec documents no status for judged by HTTP's rules).
    notes: list[str] = field(default_factory=list)
    # Operations no request of can be judged (a flaw of the spec at a JSON pointer), with why.
    not_testable: dict[str, str] = field(default_factory=dict)
    flaws: list[str] = field(default_factory=list)  # where the spec breaks OpenAPI, and how

    @property
    def checks(self) -> dict[str, CheckResult]:
        """Each check over every operation: its cases summed, the failures of each operation in turn."""
        merged: dict[str, CheckResult] = {}
        for operation in self.operations.values():
            for name, check in operation.checks.items():
                total = merged.setdefault(name, CheckResult(name, check.origin, check.rule))
                total.cases += check.cases
                total.failure_count += check.failure_count
                total.failures += check.failures
                total.warnings += check.warnings
        return merged

    @property
    def failed_checks(self) -> list[str]:
        """The names of the checks broken on any operation."""
        return [name for name, check in self.checks.items() if check.failure_count]

    @property
    def failed(self) -> list[tuple[OperationResult, CheckResult]]:
        return [
            (operation, check)
            for operation in self.operations.values()
            for check in operation.checks.values()
            if check.failure_count
        ]

    @property
    def check_count(self) -> int:
        return sum(len(operation.checks) for operation in self.operations.values())

    # --require-coverage: an operation not testable, or not brought to a 2xx, fails the run.
    require_coverage: bool = False
    shard: str | None = None  # "2/4": the share of the operations this run judged

    @property
    def unreached(self) -> list[tuple[OperationResult, str]]:
        """The operations no request brought to a success, each with why."""
        return [(operation, why) for operation in self.operations.values() if (why := operation.unreached)]

    @property
    def coverage_gaps(self) -> list[str]:
        """What --require-coverage fails the run for, one line each."""
        if not self.require_coverage:
            return []
        gaps = [f"{operation.operation_id}: {why}" for operation, why in self.unreached]
        return gaps + [f"{label}: not testable" for label in self.not_testable]

    @property
    def passed(self) -> bool:
        return not self.failed and self.untestable is None and not self.coverage_gaps
