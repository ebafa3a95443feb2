"""Judging live traffic, for the judging mock and the validating proxy: the same rules the suite judges
with, applied to requests a client sends and the answers a server gives.

Each request is judged on the client's side (contract_tests.rules.requests: the key, headers and
parameters, the media type, the body at every depth; contract_tests.rules.clients: what it does after a
429 or a refusal). Each answer, where asked (the proxy), is judged on the server's side by the checks of
contract_tests.rules.checks that apply to that request: the success of a valid request, its reflection
and the server's fields, the status a fault deserves, and what the traffic says of state (an object the
client created, then retrieved; one it deleted, then asked for again).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.api.faults import Fault
from contract_tests.api.messages import show
from contract_tests.api.model import Api, Operation
from contract_tests.api.parameters import text_of
from contract_tests.api.resources import Resource, Role
from contract_tests.masking import Masker
from contract_tests.rules.checks import CHECKS, NOT_APPLICABLE, STATE_CHECKS, VALID_CHECKS, WARNING, Judge
from contract_tests.rules.clients import FAULT_HEADER, NO_MARKS, ClientHistory, Marks, fingerprint, marks_of
from contract_tests.rules.exchange import NOT_JSON, Exchange, Known, Received, Sent
from contract_tests.rules.report import CLIENT, SERVER, Finding, TrafficReport, request_as_json
from contract_tests.rules.requests import BODY_CHECK, Violation, path_values, statuses_for, violations

# Rules a server's answer is judged by, whatever the request.
ALWAYS = ("response_matches_spec", "response_framed", "api_key_not_echoed")


@dataclass
class Judged:
    """One request, as the client's side of it was judged."""

    sent: Sent
    operation: Operation | None
    violations: list[Violation]
    known: Known | None = None
    path: dict[str, str] = field(default_factory=dict)
    printed: str = ""  # the request's fingerprint, as a retry of it would repeat it
    marks: Marks = NO_MARKS  # what it says of itself: a retry count, an idempotency key


class TrafficState:
    """What the traffic says of the objects of each resource: what their last write answered, which were
    deleted. Only objects the traffic created are judged."""

    def __init__(self) -> None:
        self.last: dict[tuple[int, str], Any] = {}
        self.deleted: set[tuple[int, str]] = set()
        self._lock = threading.Lock()

    def known(self, resource: Resource, role: Role, key: str | None) -> Known | None:
        if key is None or role in (Role.CREATE, Role.LIST):
            return None
        slot = (id(resource), key)
        with self._lock:
            if slot in self.deleted:
                return Known(resource.label, key, False)
            if slot in self.last:
                last = self.last[slot]
                return Known(resource.label, key, True, last=last, before=last)
        return None

    def after(self, resource: Resource, role: Role, key: str | None, body: Any) -> None:
        with self._lock:
            if role is Role.CREATE:
                created = resource.id_of(body)
                if created is not None and not isinstance(created, dict | list):
                    slot = (id(resource), text_of(created))
                    self.last[slot] = body
                    self.deleted.discard(slot)
            elif key is not None and role in (Role.UPDATE, Role.REPLACE) and (id(resource), key) in self.last:
                self.last[(id(resource), key)] = body
            elif key is not None and role is Role.DELETE and (id(resource), key) in self.last:
                del self.last[(id(resource), key)]
                self.deleted.add((id(resource), key))


class TrafficJudge:
    """Judges each request a client sends and, where asked, each answer its server gives."""

    def __init__(  # noqa: PLR0917 (what a judge needs)
        self,
        api: Api,
        key: str,
        mask: Masker,
        report: TrafficReport,
        bodies_dir: Path,
        prefixes: tuple[str, ...] | None = None,
    ) -> None:
        self.api = api
        # Where the API is served (the mock: under the base path and at the root); None: under any prefix.
        self.prefixes = prefixes
        self.bodies_dir = bodies_dir  # where reproductions keep bodies too long to spell out
        self.key = key
        self.mask = mask
        self.report = report
        self.history = ClientHistory()
        self.state = TrafficState()
        self.judge = Judge(api, mask)

    def request(self, sent: Sent, now: float | None = None) -> Judged:
        """The client's side of a request: every rule it breaks, recorded."""
        now = time.monotonic() if now is None else now
        self.report.judged()
        found = self.api.match(sent.method, sent.path, self.prefixes)
        if found is None:
            judged = Judged(sent, None, [])
            self.record(
                CLIENT,
                "operation_declared",
                "(no operation)",
                "the request",
                self._undeclared(sent),
                sent,
                None,
            )
            return judged
        op, path = found
        found_wrong = violations(self.api, op, sent, self.key)
        # What no client can keep (the spec's own flaw) is not the client's: the mock says it when it starts.
        broken = [violation for violation in found_wrong if not _unkeepable(self.api, op, violation)]
        printed, marks = fingerprint(sent), marks_of(sent)
        broken += self.history.judge(printed, now, marks)
        for violation in broken:
            self.record(
                CLIENT, violation.rule, op.operation_id, violation.where, violation.message, sent, None
            )
        judged = Judged(sent, op, broken, path=path, printed=printed, marks=marks)
        role = self.api.role(op)
        if role is not None:
            resource, kind = role
            judged.known = self.state.known(resource, kind, path.get(resource.id_parameter))
        return judged

    def _undeclared(self, sent: Sent) -> str:
        methods = sorted(
            {op.method for op in self.api.operations if self.api.match(op.method, sent.path, self.prefixes)}
        )
        if methods:
            return f"{sent.method} is not an operation of this path (the spec declares {', '.join(methods)})"
        said = f"the spec declares no operation at {sent.path}"
        if self.prefixes is not None:
            said += f": its paths are served {where_served(self.api, self.prefixes)}"
        return said

    def answered(
        self, judged: Judged, received: Received, now: float | None = None, *, injected: bool | None = None
    ) -> None:
        """What the answer tells of the client's next requests (a 429 asks it to wait). `injected`: the
        answer is a fault of the mock's (by default, when it carries the mock's X-Contract-Fault mark)."""
        now = time.monotonic() if now is None else now
        headers = {name.lower(): value for name, value in received.headers}
        if injected is None:
            injected = FAULT_HEADER in headers
        if judged.operation is not None:
            self.history.answered(
                judged.printed, received.status, headers, now, injected=injected, marks=judged.marks
            )

    def response(self, judged: Judged, received: Received) -> list[str]:
        """The server's side of an answer: the names of the rules it breaks, recorded."""
        op = judged.operation
        if op is None:
            return []
        exchange = Exchange("traffic", judged.sent, received, op.operation_id, known=judged.known)
        exchange.sent_key = (
            self.key if self.key and self.key in " ".join(v for _, v in judged.sent.headers) else None
        )
        if received.status == 429:
            checks: tuple[str, ...] = ()
        elif judged.violations:
            first = judged.violations[0]
            # A rule of behaviour (a retry too soon): the server answers as it would anyway.
            checks = (first.check,) if first.check in CHECKS else ()
            exchange.also_allowed = statuses_for(op, [v for v in judged.violations if v.check in CHECKS])
        else:
            checks = (*VALID_CHECKS, *(STATE_CHECKS if judged.known is not None else ()))
            if op.path_parameters:
                # A valid request naming an object may find none (one deleted, one the proxy never saw):
                # the documented 404, or HTTP's where the spec documents none.
                exchange.also_allowed = op.statuses(Fault.NOT_FOUND).allowed
        broken = []
        for name in (*checks, *ALWAYS):
            try:
                verdict = CHECKS[name](exchange, self.judge)
            except Exception as exc:  # what the server sent broke a check: say so, on that check
                verdict = f"the response could not be judged ({type(exc).__name__}: {str(exc)[:200]})"
            if verdict is None or verdict == NOT_APPLICABLE or verdict.startswith(WARNING):
                # A warning says what the spec should state: a proxy's report is of what either side broke.
                continue
            broken.append(name)
            self.record(SERVER, name, op.operation_id, "the response", verdict, judged.sent, received.status)
        self._keep_state(judged, op, received, exchange)
        return broken

    def _keep_state(self, judged: Judged, op: Operation, received: Received, exchange: Exchange) -> None:
        role = self.api.role(op)
        if role is None or not 200 <= received.status < 300 or judged.violations:
            return
        resource, kind = role
        body = exchange.received_json
        if body is NOT_JSON:
            return
        self.state.after(resource, kind, judged.path.get(resource.id_parameter), body)

    def record(  # noqa: PLR0917 (a finding's every part)
        self, side: str, rule: str, operation: str, where: str, message: str, sent: Sent, status: int | None
    ) -> None:
        """A broken rule, on the side that broke it."""
        if not self.report.keeps(side, operation, rule):
            self.report.count(side, operation, rule)
            return
        exchange = Exchange(
            "traffic", sent, None, operation, sent_key=self.key or None, callers_key=bool(self.key)
        )
        self.report.add(
            Finding(
                side=side,
                rule=rule,
                operation=operation,
                where=self.mask(where),
                message=self.mask(message),
                request=request_as_json(sent, self.mask),
                status=status,
                reproduce=self.mask(exchange.curl(self.bodies_dir, self.mask)),
            )
        )


def _unkeepable(api: Api, op: Operation, violation: Violation) -> bool:
    """Whether a body's fault is one no client can avoid: a property the request schema requires and
    forbids (a published spec's flaw, named at its JSON pointer among the spec's flaws)."""
    if violation.check != BODY_CHECK or op.body is None or op.operation_id not in api.untestable:
        return False
    return any(
        violation.message == f"the required property {show(name)} is missing"
        for name in api.values.forbidden_required(op.body.schema_pointer)
    )


def where_served(api: Api, prefixes: tuple[str, ...]) -> str:
    """`under /v1 and at the root (/v1/assistants, /assistants)`: where a client finds the API."""
    places = " and ".join(f"under {prefix}" if prefix else "at the root" for prefix in prefixes)
    first = api.operations[0].path
    return f"{places} ({', '.join(prefix + first for prefix in prefixes)})"


def header_dict(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


__all__ = ["ALWAYS", "Judged", "TrafficJudge", "header_dict", "path_values", "where_served"]
