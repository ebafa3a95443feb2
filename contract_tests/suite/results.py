"""What a run found: per operation and check, how many cases it judged and which of them broke it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Each check keeps the details of its first few failures per operation; the rest are only counted.
DETAILED_FAILURES = 3


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

    @property
    def keeps_details(self) -> bool:
        """Whether the next failure's details will be kept (the first few are)."""
        return len(self.failures) < DETAILED_FAILURES

    def record_first(self, failure: Failure) -> None:
        """A failure that says most (the run ended here): shown first, whatever came before."""
        self.cases += 1
        self.failure_count += 1
        self.failures = [failure, *self.failures][:DETAILED_FAILURES]

    def record(self, failure: Failure | None) -> None:
        self.cases += 1
        if failure is not None:
            self.failure_count += 1
            if len(self.failures) < DETAILED_FAILURES:
                self.failures.append(failure)


@dataclass
class OperationResult:
    """The checks that apply to one operation of the spec."""

    operation_id: str
    label: str  # "createAssistant (POST /v1/assistants)"
    checks: dict[str, CheckResult]

    @property
    def failed_checks(self) -> list[str]:
        return [name for name, result in self.checks.items() if result.failure_count]


@dataclass
class RunResult:
    base_url: str
    seed: int
    operations: dict[str, OperationResult]  # by operationId, the seed's first
    requests_sent: int = 0
    skipped_cases: int = 0
    rate_limited: int = 0  # cases still 429 after the retries: not judged
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

    @property
    def passed(self) -> bool:
        return not self.failed and self.untestable is None
