"""What a run found: per check, how many cases it judged and which of them broke it."""

from __future__ import annotations

from dataclasses import dataclass, field

# Each check keeps the details of its first few failures; the rest are only counted.
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

    def record(self, failure: Failure | None) -> None:
        self.cases += 1
        if failure is not None:
            self.failure_count += 1
            if len(self.failures) < DETAILED_FAILURES:
                self.failures.append(failure)


@dataclass
class RunResult:
    base_url: str
    seed: int
    checks: dict[str, CheckResult]
    requests_sent: int = 0
    skipped_cases: int = 0
    rate_limited: int = 0  # cases still 429 after the retries: not judged
    dropped_bodies: list[str] = field(default_factory=list)  # see BodyFactory.dropped
    seconds: float = 0.0

    @property
    def failed_checks(self) -> list[str]:
        return [name for name, result in self.checks.items() if result.failure_count]

    @property
    def passed(self) -> bool:
        return not self.failed_checks
