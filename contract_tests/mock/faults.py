"""Faults on demand: what the mock answers instead of the reference server's answer, when a request asks
for one (`X-Contract-Fault: 429`), a test queued one for its next requests (`FaultPlan.queue`, the
`contract_mock` fixture's `fault()`), or a `--faults` rule draws one (`429:0.1` answers a tenth of
requests so).

    429[;retry-after=S]   the documented 429 (its error object), with `Retry-After: S` (default 1)
    503[;retry-after=S]   the same with 503
    500                   a server error
    latency=200ms         the answer, 200 ms late (`s` for seconds)
    drop                  the connection closed without any answer
    truncate              the answer cut in the middle of its body

A rule is FAULT:RATE (RATE in 0..1, default 1, drawn from a seeded generator: `--seed`) or FAULT:1/N (every
Nth request, counted from the first: `429:1/4` answers the 4th, 8th... so); rules are separated by commas
and tried in turn. A client's CI meets the same faults on every run.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass

from contract_tests.rules.clients import FAULT_HEADER

__all__ = ["FAULT_HEADER", "Fault", "FaultError", "FaultPlan", "parse_fault"]
_LATENCY = re.compile(r"latency=(\d+(?:\.\d+)?)(ms|s)")


class FaultError(ValueError):
    """A fault or a rule that cannot be read: a one-line reason."""


@dataclass(frozen=True)
class Fault:
    kind: str  # "status", "latency", "drop" or "truncate"
    status: int = 0
    seconds: float = 0.0  # the latency, or the wait a 429 or 503 asks for

    @property
    def label(self) -> str:
        if self.kind == "status":
            return f"{self.status}" + (
                f" (Retry-After: {self.seconds:g})" if self.status in (429, 503) else ""
            )
        if self.kind == "latency":
            return f"{self.seconds * 1000:g} ms of latency"
        return self.kind


def parse_fault(text: str) -> Fault:
    """One fault, as a header or a rule names it."""
    head, _, options = text.strip().partition(";")
    head = head.strip().lower()
    if head in ("429", "503", "500", "502", "504"):
        wait = 1.0
        for option in options.split(";"):
            name, _, value = option.strip().partition("=")
            if name.strip().lower() == "retry-after" and value.strip():
                try:
                    wait = float(value)
                except ValueError:
                    raise FaultError(f"retry-after must be a number of seconds, got {value!r}") from None
        return Fault("status", int(head), wait)
    latency = _LATENCY.fullmatch(head)
    if latency:
        amount = float(latency.group(1))
        return Fault("latency", seconds=amount / 1000 if latency.group(2) == "ms" else amount)
    if head in ("drop", "truncate"):
        return Fault(head)
    raise FaultError(
        f"unknown fault {text!r}: say 429, 503, 500, latency=200ms, drop or truncate (429;retry-after=2)"
    )


@dataclass
class _Queued:
    fault: Fault
    left: int  # requests it still answers
    operation: str | None  # the operationId it answers, or None for any


class FaultPlan:
    """The faults of one mock: its rules, drawn from a seeded generator."""

    def __init__(self, rules: list[tuple[Fault, float | int]], seed: int = 0) -> None:
        self.rules = rules  # (fault, a rate in 0..1, or an int N: every Nth request)
        self._random = random.Random(seed)  # a reproducible draw, not a secret
        self._lock = threading.Lock()
        self._count = 0
        self._queued: list[_Queued] = []  # first asked, first served
        self.served: list[Fault] = []  # every fault answered, in turn

    def queue(self, fault: Fault, times: int = 1, operation: str | None = None) -> None:
        """Answer the next `times` requests (of `operation`, if named) with `fault`, before any rule."""
        if times < 1:
            raise FaultError(f"times must be 1 or more, got {times}")
        with self._lock:
            self._queued.append(_Queued(fault, times, operation))

    @classmethod
    def parse(cls, text: str | None, seed: int = 0) -> FaultPlan:
        rules: list[tuple[Fault, float | int]] = []
        for part in (text or "").split(","):
            if not part.strip():
                continue
            fault_text, _, rate_text = part.rpartition(":") if _has_rate(part) else (part, "", "1")
            every = re.fullmatch(r"\s*1/(\d+)\s*", rate_text)
            if every and int(every.group(1)) >= 1:
                rules.append((parse_fault(fault_text), int(every.group(1))))
                continue
            try:
                rate = float(rate_text)
            except ValueError:
                raise FaultError(f"the rate of {part.strip()!r} must be 0 to 1, or 1/N") from None
            if not 0 <= rate <= 1:
                raise FaultError(f"the rate of {part.strip()!r} must be from 0 to 1")
            rules.append((parse_fault(fault_text), rate))
        return cls(rules, seed)

    def choose(self, asked: str | None, operation: str | None = None) -> Fault | None:
        """The fault for one request (of `operation`): the one it asks for, else one queued for it, else
        one a rule draws, else none."""
        chosen = parse_fault(asked) if asked else None
        with self._lock:
            if chosen is None:
                chosen = self._queued_for(operation) or self._drawn()
            if chosen is not None:
                self.served.append(chosen)
        return chosen

    def _queued_for(self, operation: str | None) -> Fault | None:
        for queued in self._queued:
            if queued.operation is None or queued.operation == operation:
                queued.left -= 1
                if not queued.left:
                    self._queued.remove(queued)
                return queued.fault
        return None

    def _drawn(self) -> Fault | None:
        self._count += 1
        for fault, rate in self.rules:
            if isinstance(rate, int) and not isinstance(rate, bool):
                if self._count % rate == 0:
                    return fault
            elif self._random.random() < rate:
                return fault
        return None


def _has_rate(part: str) -> bool:
    head, colon, tail = part.rpartition(":")
    return bool(colon) and bool(head) and bool(re.fullmatch(r"\s*(\d*\.?\d+|1/\d+)\s*", tail))
