"""One run of the suite against a server: send every case, judge every response, tally per check.

Every operation of the spec is judged by what it declares (contract_tests.api): the probes of keys,
parameters, headers, bodies and methods (probes.py); spec-derived bodies at every boundary for every
operation with a body (bodies.py); the cases schemathesis generates, valid and invalid; and, for each
resource, the sequences of state (state.py). Which checks judge a request is decided from what went on
the wire, by the rules a client must keep (contract_tests.rules.requests): a valid request its success,
a request without the key 401, an invalid one the status its operation documents for it.

Once a request has been answered, a request the server does not answer (a connection closed or reset,
no answer within the timeout, bytes that are not HTTP) is a failure of `server_answers_every_request`,
and the run goes on; only a server that stops answering altogether (several timeouts in a row) ends it
early, still as a failure.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from schemathesis import Case
from schemathesis.core.transport import Response
from schemathesis.generation.modes import GenerationMode
from urllib3.util.retry import Retry

from contract_tests.api.faults import Fault
from contract_tests.api.model import Api, Operation, load_api
from contract_tests.api.parameters import text_of
from contract_tests.api.prose import ProseBound
from contract_tests.api.resources import Resource, Role
from contract_tests.commands import scratch_dir
from contract_tests.masking import Masker, near_misses
from contract_tests.rules.checks import (
    CHECKS,
    NOT_APPLICABLE,
    STATE_CHECKS,
    VALID_CHECKS,
    WARNING,
    applies,
    rule_of,
)
from contract_tests.rules.exchange import Exchange, Known, Received, Sent
from contract_tests.rules.requests import beyond_prose, statuses_for, unbounded_extreme, violations
from contract_tests.suite import st_checks
from contract_tests.suite.bodies import BodyFactory
from contract_tests.suite.config import KeyRefused, ServerUnreachable, SuiteConfig
from contract_tests.suite.context import Credentials, RunContext
from contract_tests.suite.dialect import DialectSplit
from contract_tests.suite.generated import Schemas, generate
from contract_tests.suite.nesting import Nesting, nested
from contract_tests.suite.paging import walkable, walks
from contract_tests.suite.probes import (
    Probe,
    Request,
    body_probes,
    example_probe,
    key_probes,
    method_probes,
    parameter_probes,
    stream_probes,
    valid_request,
)
from contract_tests.suite.results import CheckResult, Failure, OperationResult, RunResult
from contract_tests.suite.shards import Shard, selected
from contract_tests.suite.state import Sequences, World, is_success, resource_object

ANSWER_CHECK = "server_answers_every_request"
ALWAYS = ("api_key_not_echoed", "response_framed", ANSWER_CHECK)
# A 429 is retried this many times, after its Retry-After seconds (capped), else a short backoff.
RATE_LIMIT_RETRIES = 3
RETRY_AFTER_CAP_SECONDS = 10
BACKOFF_FACTOR = 0.25  # no Retry-After: waits 0, 0.5, 1 s
# A server that lets this many requests in a row time out has stopped answering: the run ends there.
TIMEOUTS_IN_A_ROW = 3
# A server that rate-limits this many cases in a row, or more than this share of all, cannot be judged:
# its limit, not its contract, decides the run (exit 2, "cannot be tested").
RATE_LIMITED_IN_A_ROW = 5
RATE_LIMITED_SHARE = 0.2
# ignored_auth re-sends a request twice: a few accepted requests per operation are enough to judge it.
AUTH_CHECK_BUDGET = 2
READS_AFTER_CREATES = 40  # spec-derived creates followed by a retrieve, per resource


class StoppedAnswering(Exception):
    """Several requests in a row timed out: the rest of the run would only wait."""


class RateLimitedOut(Exception):
    """Several cases in a row still rate limited after their retries: the server cannot be judged."""


class _RateLimitRetry(Retry):
    """Retries a 429 only (any method: a 429 says the request was not processed); nothing else."""

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, RETRY_AFTER_CAP_SECONDS)


def _session() -> requests.Session:
    """A session that waits and retries on 429, for every request of the run (schemathesis's too)."""
    session = requests.Session()
    retry = _RateLimitRetry(
        total=RATE_LIMIT_RETRIES,
        connect=0,
        read=False,
        status_forcelist={429},
        allowed_methods=None,
        backoff_factor=BACKOFF_FACTOR,
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    for scheme in ("http://", "https://"):
        session.mount(scheme, HTTPAdapter(max_retries=retry))
    return session


def checks_for(api: Api, op: Operation) -> dict[str, CheckResult]:
    """An empty tally of every check that applies to `op`, schemathesis's first."""
    results = {}
    for name in st_checks.ST_CHECKS:
        if name == "ignored_auth" and not op.security.testable:
            continue
        results[name] = CheckResult(name, "schemathesis", st_checks.RULES[name])
    for name in CHECKS:
        if applies(name, api, op):
            results[name] = CheckResult(name, "ours", rule_of(name))
    return results


def all_check_results(api: Api) -> dict[str, OperationResult]:
    return {
        op.operation_id: OperationResult(
            op.operation_id, op.label, checks_for(api, op), has_path_parameters=bool(op.path_parameters)
        )
        for op in api.operations
    }


@dataclasses.dataclass(frozen=True)
class Planned:
    label: str
    op: Operation
    generated: bool
    case: Case[Any] | None = None  # a generated case
    body: Any = None  # a spec-derived body
    valid: bool = True


def _sent(request: requests.PreparedRequest) -> Sent:
    body = request.body
    raw = body.encode("utf-8") if isinstance(body, str) else body if isinstance(body, bytes) else b""
    headers = [
        (name, value.decode("latin-1") if isinstance(value, bytes) else str(value))
        for name, value in request.headers.items()
    ]
    return Sent(str(request.method), str(request.url), headers, raw)


def _received(response: Response) -> Received:
    headers = [(name, value) for name, values in response.headers.items() for value in values]
    return Received(response.status_code, headers, response.content)


def pinned(api: Api, op: Operation, value: Any, pins: dict[str, str]) -> Any:
    """`value` with each pinned field (`--model`) set where it has that field and stays valid."""
    if not pins or op.body is None or not isinstance(value, dict):
        return value
    changed = {**value, **{name: pin for name, pin in pins.items() if isinstance(value.get(name), str)}}
    return changed if api.values.is_valid(op.body.schema_pointer, changed) else value


class Run:
    """One run: `prepare()` builds the cases, `run()` sends them and judges each response."""

    def __init__(self, config: SuiteConfig) -> None:
        self.config = config
        # Operations a flaw of the spec leaves untestable are said, not sent (RunResult.not_testable).
        self.full_api = load_api(config.spec_path)
        self.api = self.full_api.testable
        # The operations judged (--operation, --shard): others may be sent to reach them, not judged.
        shard = Shard.parse(config.shard) if config.shard else None
        self.judged = selected(self.full_api, config.operations, shard)
        self.pins = config.pinned_fields()
        self.mask = Masker(config.api_key, *near_misses(config.api_key).values())
        base = config.base_url.rstrip("/")
        if self.api.base_path and not urlsplit(base).path.rstrip("/").endswith(self.api.base_path):
            base += self.api.base_path
        self.ctx = RunContext(
            self.api,
            self.mask,
            base_url=base,
            api_key=config.api_key,
            session=_session(),
            timeout=config.timeout,
            headers=dict(config.headers),
        )
        results = all_check_results(self.api)
        self.result = RunResult(
            config.base_url.rstrip("/"),
            config.seed,
            {name: result for name, result in results.items() if self._judges(name)},
        )
        self.result.notes = notes(self.api, self._judges)
        self.result.not_testable = {
            name: why for name, why in self.api.untestable.items() if self._judges(name)
        }
        self.result.shard = config.shard
        self.result.require_coverage = config.require_coverage
        self.result.flaws = [str(flaw) for flaw in self.api.flaws]
        self.auth_checks_left = {op.operation_id: AUTH_CHECK_BUDGET for op in self.api.operations}
        self.bodies_dir = config.bodies_dir
        self.own_bodies_dir: Path | None = None  # a temporary folder of this run's, removed at its end
        self.plan: list[Planned] | None = None
        self.answered_once = False  # after the first answer, a request left unanswered is a failure
        self.timeouts_in_a_row = 0
        self.limited_in_a_row = 0
        self.last_fault: Exchange | None = None
        self.world = World(self.api)
        self.victims: dict[int, dict[str, str]] = {}
        self.reads_left: dict[int, int] = {}
        self.started = time.monotonic()  # the run's time includes generating its cases

    def _judges(self, operation_id: str) -> bool:
        return self.judged is None or operation_id in self.judged

    # --- sending -------------------------------------------------------------------------------

    def _send(
        self,
        label: str,
        operation: str,
        send: Callable[[], Any],
        intended: Callable[[], requests.PreparedRequest | None] | None = None,
    ) -> Exchange | Response:
        """The response, or (once the server has answered once) an Exchange carrying the fault.

        HTTP lets a server close a kept-alive connection at any time (RFC 9112, 9.6), and a client retry an
        idempotent request on a new one (9.3.1): a request whose connection closed or reset before any byte
        of an answer is sent once more, on a new connection; only a failure there is the server's.
        `intended` builds the request as it was meant, for a fault that left the client none to show."""
        if self.timeouts_in_a_row >= TIMEOUTS_IN_A_ROW:
            raise StoppedAnswering
        try:
            raw = self._sent_twice_if_dropped(send)
        except requests.RequestException as exc:
            unbuilt = isinstance(
                exc, requests.exceptions.InvalidHeader | requests.exceptions.InvalidJSONError
            )
            if unbuilt and exc.request is None:
                raise  # our request could not be built (a header value the client refuses): not sent
            # A response the client could not read is a fault.
            return self._fault(label, operation, exc, intended)
        self.answered_once = True
        self.timeouts_in_a_row = 0
        self.result.requests_sent += 1
        response = raw if isinstance(raw, Response) else Response.from_requests(raw, verify=True)
        if response.status_code >= 400 or _closes(response):
            # A server may end the connection after an error without a word (uvicorn does after a 500;
            # others after any refusal): the next request goes on a new one, not on one it is closing.
            self.ctx.session.close()  # type: ignore[union-attr]
        if response.status_code == 429:
            self.result.rate_limited += 1
            self.limited_in_a_row += 1
            if self.limited_in_a_row >= RATE_LIMITED_IN_A_ROW:
                raise RateLimitedOut
        else:
            self.limited_in_a_row = 0
        return response

    def _sent_twice_if_dropped(self, send: Callable[[], Any]) -> Any:
        try:
            return send()
        except requests.ConnectionError as exc:
            method = exc.request.method if isinstance(exc.request, requests.PreparedRequest) else None
            if not _dropped(exc) or (method or "").upper() not in IDEMPOTENT:
                raise
        # Every pooled connection may be one the server has closed: the retry opens a new one.
        if self.ctx.session is not None:
            self.ctx.session.close()
        self.result.resent_on_new_connection += 1
        return send()

    def _fault(
        self,
        label: str,
        operation: str,
        exc: requests.RequestException,
        intended: Callable[[], requests.PreparedRequest | None] | None = None,
    ) -> Exchange:
        reason = _fault_reason(exc, self.config.timeout)
        if not self.answered_once:
            # Nothing answered yet: the server cannot be tested at all.
            if isinstance(exc, requests.Timeout):
                message = f"{self.result.base_url} did not answer within {self.config.timeout:g}s"
            else:
                message = f"cannot reach {self.result.base_url}: {reason}"
            raise ServerUnreachable(f"{message} (case: {label})") from None
        self.result.requests_sent += 1
        if isinstance(exc, requests.Timeout):
            self.timeouts_in_a_row += 1
        request = exc.request if isinstance(exc.request, requests.PreparedRequest) else None
        if request is None and intended is not None:
            request = intended()
        if request is None:
            request = _unknown_request()
        exchange = Exchange(label, _sent(request), None, operation, fault=reason, checks=(ANSWER_CHECK,))
        self.last_fault = exchange
        return exchange

    def _exchange(
        self, label: str, op: Operation, sent: Exchange | Response, key: str | None, known: Known | None
    ) -> Exchange:
        if isinstance(sent, Exchange):
            sent.sent_key, sent.callers_key, sent.known = key, key == self.config.api_key, known
            return sent
        assert sent.request is not None
        return Exchange(
            label,
            _sent(sent.request),
            _received(sent),
            op.operation_id,
            sent_key=key,
            callers_key=key == self.config.api_key,
            known=known,
            raw=sent,
        )

    def send_probe(self, probe: Probe, known: Known | None = None) -> Exchange | None:
        op = self.api.operation(probe.operation)
        given = probe.credentials if probe.credentials is not None else self.ctx.credentials(op)
        key = (
            probe.key
            if probe.credentials is not None
            else (self.config.api_key if given != Credentials() else None)
        )
        headers = {**dict(self.config.headers), **probe.headers, **given.headers}
        query = [*probe.query, *given.query.items()]
        url = self.ctx.base_url + _quoted(probe.path)
        try:
            sent = self._send(
                probe.label,
                probe.operation,
                lambda: self.ctx.session.request(  # type: ignore[union-attr]
                    probe.method,
                    url,
                    headers=headers,
                    params=query or None,
                    cookies=given.cookies or None,
                    data=probe.body,
                    timeout=self.config.timeout,
                ),
                lambda: _prepared(
                    self.ctx.session,
                    method=probe.method,
                    url=url,
                    headers=headers,
                    params=query or None,
                    cookies=given.cookies or None,
                    data=probe.body,
                ),
            )
        except (requests.exceptions.InvalidHeader, ValueError, UnicodeError):
            self.result.skipped_cases += 1
            return None
        exchange = self._exchange(probe.label, op, sent, key, known)
        exchange.expect = probe.expect
        if exchange.response is None:
            return exchange
        found = violations(self.api, op, exchange.request, self.config.api_key)
        path = _path_values(op.path, probe.path)
        exchange.also_allowed = (
            statuses_for(op, found)
            if found
            else self._missing_ok(op, known, path) | self._may_refuse(op, exchange)
        )
        exchange.expect = {**exchange.expect, "listed": self._names_listed(op, path)}
        checks = probe.checks if exchange.status != 429 else ()
        exchange.checks = (*checks, *self._state_checks(known), *ALWAYS)
        self._after(op, exchange, probe_path=probe.path)
        return exchange

    def _missing_ok(self, op: Operation, known: Known | None, path: dict[str, str]) -> frozenset[int]:
        """A valid request naming a resource the run does not know of may get the documented 404; not one
        naming an object the server's own list showed (of a resource no request creates)."""
        if not op.path_parameters or known is not None or self._names_listed(op, path):
            return frozenset()
        return op.statuses(Fault.NOT_FOUND).allowed

    def _may_refuse(self, op: Operation, exchange: Exchange) -> frozenset[int]:
        """A valid request a server may refuse with its invalid-request status: one beyond a bound the spec
        states in prose only, or with a value the schema leaves unbounded (valid_request_accepted judges
        the first either way and warns of the second)."""
        sent = exchange.request
        if self._strange_cursor(op, sent):
            # A cursor names an object: one the run never saw (a generated case's) may be refused.
            exchange.expect = {**exchange.expect, "strange_cursor": True}
            return op.statuses(Fault.INVALID).allowed | op.statuses(Fault.NOT_FOUND).allowed
        if beyond_prose(self.api, op, sent) is None and unbounded_extreme(self.api, op, sent) is None:
            return frozenset()
        return op.statuses(Fault.INVALID).allowed

    def _strange_cursor(self, op: Operation, sent: Sent) -> bool:
        """Whether a list's cursor (`after`, `before`) names an object the run has not seen."""
        role = self.api.role(op)
        if role is None or role[1] is not Role.LIST:
            return False
        named = [value for name, value in sent.query if name in {p.name for p in role[0].paging.cursors}]
        known = {key for _, key in self.world.last} | {
            item.get(role[0].id_parameter, "") for item in self.world.fixtures.values()
        }
        return any(value not in known for value in named)

    def _names_listed(self, op: Operation, path: dict[str, str]) -> bool:
        """Whether the request names the object the server's own list showed, the run's fixture of a
        resource no request creates (a request to it, or to something below it)."""
        role = self.api.role(op)
        if role is None or role[1] in (Role.CREATE, Role.LIST) or id(role[0]) not in self.world.listed:
            return False
        fixture = self.world.fixtures.get(id(role[0]))
        return fixture is not None and all(path.get(name) == value for name, value in fixture.items())

    @staticmethod
    def _state_checks(known: Known | None) -> tuple[str, ...]:
        return STATE_CHECKS if known is not None else ()

    def send_case(self, planned: Planned, case: Case[Any], known: Known | None = None) -> Exchange | None:
        op = planned.op
        given = self.ctx.credentials(op)
        if given.query:
            case.query = {**(case.query or {}), **given.query}
        if given.cookies:
            case.cookies = {**(case.cookies or {}), **given.cookies}
        try:
            sent = self._send(
                planned.label,
                op.operation_id,
                lambda: case.call(
                    base_url=self.ctx.base_url,
                    session=self.ctx.session,
                    headers={**dict(self.config.headers), **given.headers},
                    timeout=self.config.timeout,
                ),
                lambda: _prepared(
                    self.ctx.session,
                    **{
                        name: value
                        for name, value in case.as_transport_kwargs(
                            base_url=self.ctx.base_url, headers={**dict(self.config.headers), **given.headers}
                        ).items()
                        if name in ("method", "url", "headers", "params", "cookies", "data", "json", "files")
                    },
                ),
            )
        except (requests.exceptions.InvalidHeader, ValueError, UnicodeError):
            # A generated value that the HTTP client cannot put on the wire says nothing about the server.
            self.result.skipped_cases += 1
            return None
        exchange = self._exchange(planned.label, op, sent, None, known)
        exchange.case = case
        if exchange.response is None:
            return exchange
        # Only the caller's key is a secret to look for: a generated token such as "d" is in any body.
        if (
            self.config.api_key
            in " ".join(value for _, value in exchange.request.headers) + exchange.request.url
        ):
            exchange.sent_key, exchange.callers_key = self.config.api_key, True
        found = violations(self.api, op, exchange.request, self.config.api_key)
        if exchange.status == 429:
            checks: tuple[str, ...] = ()
        elif found:
            checks = (found[0].check,)
            exchange.also_allowed = statuses_for(op, found)
        else:
            checks = (*VALID_CHECKS, *self._state_checks(known))
            named = dict(case.path_parameters or {})
            exchange.also_allowed = self._missing_ok(op, known, named) | self._may_refuse(op, exchange)
            exchange.expect = {**exchange.expect, "listed": self._names_listed(op, named)}
        exchange.checks = (*(check.__name__ for check in st_checks.RESPONSE_CHECKS), *checks, *ALWAYS)
        if planned.generated and exchange.status != 429:
            # Schemathesis's mode checks judge only what the spec agrees is of their mode.
            mode = st_checks.MODE_CHECKS[0 if not found else 1].__name__
            # Beyond a bound the spec states in prose only: a server may take it or not, as schemathesis
            # cannot know.
            ambiguous = not found and (
                beyond_prose(self.api, op, exchange.request) is not None
                or exchange.expect.get("strange_cursor")
            )
            extra = [mode] if (not found) == planned.valid and not ambiguous else []
            if extra and not found:
                exchange.case = _as_positive(case)
            left = self.auth_checks_left[op.operation_id]
            if left and not found and is_success(exchange) and exchange.sent_key is not None:
                self.auth_checks_left[op.operation_id] -= 1
                extra.append(st_checks.AUTH_CHECK.__name__)
            exchange.checks = (*exchange.checks, *extra)
        self._after(op, exchange, path=case.path_parameters or {})
        return exchange

    def send_step(
        self,
        op: Operation,
        path: dict[str, str],
        body: Any,
        *,
        label: str,
        known: Known | None = None,
        query: dict[str, str] | None = None,
    ) -> Exchange | None:
        """A valid request of `op` to the object at `path`, with `body` (a step of a sequence)."""
        request = self.valid_request(op, path, body=body if op.body is not None and body is not None else ...)
        if query is not None:
            request.query = {**request.query, **query}
        probe = request.probe(self.api, label, VALID_CHECKS)
        return self.send_probe(dataclasses.replace(probe, removes=False), known=known)

    def _after(
        self,
        op: Operation,
        exchange: Exchange,
        *,
        path: dict[str, str] | None = None,
        probe_path: str | None = None,
    ) -> None:
        """Keep the world up to date with what a successful request did."""
        found = self.api.role(op)
        if found is None or not is_success(exchange):
            return
        resource, role = found
        if role is Role.CREATE:
            collection = self.world.collection_path(resource) or {}
            self.world.remember(resource, collection, exchange.received_json, exchange)
            return
        fixture = self.world.fixtures.get(id(resource))
        item = path if path is not None else _path_values(op.path, probe_path or "")
        if fixture is None or item.get(resource.id_parameter) != fixture.get(resource.id_parameter):
            return
        if role is Role.DELETE:
            self.world.fixtures.pop(id(resource))
            self.world.forget(resource, fixture)
        elif role in (Role.UPDATE, Role.REPLACE) and resource_object(
            self.api, resource, op, exchange.received_json
        ):
            self.world.written(resource, fixture, exchange.received_json, exchange)

    # --- the objects the run works on ----------------------------------------------------------------

    def valid_request(self, op: Operation, path: dict[str, str] | None = None, body: Any = ...) -> Request:
        return valid_request(
            self.api,
            op,
            self.path_for(op) if path is None else path,
            body,
            pins=lambda value: pinned(self.api, op, value, self.pins),
        )

    def path_for(self, op: Operation) -> dict[str, str]:
        """Values of the operation's path parameters: a fixture's where the path names a resource the run
        created, else the parameters' examples."""
        found = {
            parameter.name: text_of(self.api.parameter_example(parameter)) for parameter in op.path_parameters
        }
        for name, value in found.items():
            if value == "":
                found[name] = "contract-probe-id"
        role = self.api.role(op)
        if role is None:
            return found
        resource, kind = role
        if kind in (Role.CREATE, Role.LIST):
            return {**found, **(self.world.collection_path(resource) or {})}
        fixture = self.world.fixtures.get(id(resource))
        return {**found, **fixture} if fixture is not None else found

    def make_fixture(self, resource: Resource) -> Iterator[Exchange]:
        """Create the resource's fixture (its parent's first), if it has none yet; of a resource no request
        can create (models, a run's steps), the first object its list shows."""
        if id(resource) in self.world.fixtures or id(resource) in self.world.failed:
            return
        if resource.parent is not None:
            yield from self.make_fixture(resource.parent)
        create = resource.first(Role.CREATE)
        collection = self.world.collection_path(resource)
        if collection is None:
            parent = resource.parent.label if resource.parent is not None else "its parent"
            self._no_fixture(resource, self.world.why.get(id(resource.parent), f"no {parent} object"))
            return
        if create is None:
            yield from self._listed_fixture(resource, collection)
            return
        made = self.send_step(create, collection, ..., label=f"a {resource.label} object the run works on")
        if made is None:
            return
        yield made
        item = (
            self.world.remember(resource, collection, made.received_json, made) if is_success(made) else None
        )
        if item is None:
            self._no_fixture(resource, f"its create ({create.operation_id}) got {made.status or 'no answer'}")
            return
        self.world.fixtures[id(resource)] = item

    def _listed_fixture(self, resource: Resource, collection: dict[str, str]) -> Iterator[Exchange]:
        """The first object a list shows, for a resource the run cannot create (it is never deleted)."""
        lister = resource.first(Role.LIST)
        creates = [op.operation_id for op in self.full_api.operations if self._creates(op, resource)]
        none = (
            f"its create ({', '.join(creates)}) is not testable"
            if creates
            else "no request of the spec creates one"
        )
        if lister is None:
            self._no_fixture(resource, none)
            return
        listed = self.send_step(lister, collection, ..., label=f"the {resource.label} objects there are")
        if listed is None:
            return
        yield listed
        items = resource.items_of(listed.received_json) if is_success(listed) else None
        key = resource.id_of(items[0]) if items else None
        if key is None or isinstance(key, dict | list):
            self._no_fixture(resource, f"{none}, and its list ({lister.operation_id}) showed none")
            return
        self.world.fixtures[id(resource)] = {**collection, resource.id_parameter: text_of(key)}
        self.world.listed.add(id(resource))

    def _needs(self, resource: Resource, role: Role) -> str | None:
        """What an operation on an object (or on a collection below another) needed that the run did not
        have, in words."""
        if role in (Role.CREATE, Role.LIST):
            parent = resource.parent
            return self.world.why.get(id(parent)) if parent is not None else None
        if id(resource) in self.world.why:
            return self.world.why[id(resource)]
        if role is Role.DELETE and resource.first(Role.CREATE) is None:
            return "the run deletes only objects it created, and no request of the spec creates one"
        return None

    def _creates(self, op: Operation, resource: Resource) -> bool:
        found = self.full_api.role(op)
        return found is not None and found[1] is Role.CREATE and found[0].collection == resource.collection

    def _no_fixture(self, resource: Resource, why: str) -> None:
        self.world.failed.add(id(resource))
        self.world.why[id(resource)] = f"no {resource.label} object could be had: {why}"

    def victim(self, op: Operation) -> Iterator[Exchange]:
        """An object of its own for a DELETE probe that must be refused (a server that accepts it deletes
        that one, not the fixture)."""
        role = self.api.role(op)
        if role is None or id(role[0]) in self.victims:
            return
        resource = role[0]
        create = resource.first(Role.CREATE)
        collection = self.world.collection_path(resource)
        if create is None or collection is None:
            return
        made = self.send_step(
            create, collection, ..., label=f"a {resource.label} object for the delete probes"
        )
        if made is None:
            return
        yield made
        item = (
            self.world.remember(resource, collection, made.received_json, made) if is_success(made) else None
        )
        if item is not None:
            self.victims[id(resource)] = item

    # --- judging -------------------------------------------------------------------------------

    def judge(self, exchange: Exchange) -> None:
        if exchange.operation not in self.result.operations:
            return  # sent to reach an operation judged here (its object's create), judged by its own run
        operation = self.result.operations[exchange.operation]
        operation.count(exchange.status if exchange.response is not None else None)
        checks = operation.checks
        for name in exchange.checks:
            if name not in checks:
                continue
            try:
                if name in CHECKS:
                    verdict = CHECKS[name](exchange, self.ctx)
                else:
                    verdict = st_checks.run_st_check(name, exchange, self.ctx)
            except (StoppedAnswering, RateLimitedOut):
                raise
            except st_checks.Faulted as fault:
                request = _sent(fault.request) if fault.request is not None else exchange.request
                resent = Exchange(f"{exchange.label}, re-sent by {name}", request, None, exchange.operation)
                resent.fault, resent.sent_key = fault.reason, exchange.sent_key
                self._record(checks[ANSWER_CHECK], resent, fault.reason)
                continue
            except Exception as exc:  # what the server sent broke a check: say so, on that check
                verdict = f"the response could not be judged ({type(exc).__name__}: {str(exc)[:200]})"
            if verdict == NOT_APPLICABLE:
                continue
            self._record(checks[name], exchange, verdict)

    def _record(self, tally: CheckResult, exchange: Exchange, verdict: str | None) -> None:
        if verdict is not None and verdict.startswith(WARNING):
            shown = (self.result.base_url, self.config.shown_base_url) if self.config.shown_base_url else None
            details = (
                exchange.describe(self.mask, self._bodies_dir(), shown) if len(tally.warnings) < 3 else ""
            )
            tally.warn(Failure(self.mask(exchange.label), self.mask(verdict.removeprefix(WARNING)), details))
            return
        failure = None
        if verdict is not None:
            # Only the first failures of a check are shown: describe (and write bodies for) only those.
            shown = (self.result.base_url, self.config.shown_base_url) if self.config.shown_base_url else None
            described = tally.keeps_details and len(tally.failures) < self.config.detailed
            details = exchange.describe(self.mask, self._bodies_dir(), shown) if described else ""
            failure = Failure(self.mask(exchange.label), self.mask(verdict), details)
        tally.record(failure)

    def _bodies_dir(self) -> Path:
        if self.bodies_dir is None:
            # Per run and private (0700), removed when the process exits: nothing is left behind that
            # the user did not ask for (--report keeps the bodies next to the report).
            self.own_bodies_dir = self.bodies_dir = scratch_dir(None)
        return self.bodies_dir

    # --- the plan ------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Build every case before sending any (the CLI does it while the reference server starts)."""
        if self.plan is not None:
            return
        spec = str(self.config.spec_path)
        pins = tuple(sorted(self.pins.items()))
        plan: list[Planned] = []
        ops = [op for op in self.api.operations if self._judges(op.operation_id)]
        for op in ops:
            if op.body is None:
                continue
            derived, dropped = _derived(spec, op.operation_id, pins)
            self.result.dropped_bodies += [f"{op.operation_id}: {label}" for label in dropped]
            plan += [Planned(label, op, False, body=value, valid=valid) for label, value, valid in derived]
        for op in ops:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                generated = _generated(
                    spec, op.operation_id, mode, self.config.examples, self.config.seed, pins
                )
                for number, case in enumerate(generated, 1):
                    label = f"generated {mode.value} case #{number} of {op.operation_id}"
                    plan.append(Planned(label, op, True, case=case, valid=mode == GenerationMode.POSITIVE))
        self.plan = plan

    def _case(self, planned: Planned) -> Case[Any]:
        """The schemathesis case to send: a derived body's, or a copy of a generated one, naming the
        run's objects where its path names a resource (not a DELETE's: it would remove them)."""
        op = planned.op
        st_op = _schemas(str(self.config.spec_path)).operation(op)
        path = self.path_for(op)
        if planned.case is None:
            request = self.valid_request(op, path, body=planned.body)
            assert op.body is not None
            headers = {name: value for name, value in request.headers.items() if name != "Content-Type"}
            return st_op.Case(  # type: ignore[no-any-return]
                body=planned.body,
                headers=headers,
                query=request.query or None,
                path_parameters=path or None,
                media_type=op.body.media_type,
            )
        case = _clone(planned.case)  # the cached case stays as generated
        role = self.api.role(op)
        if op.method != "DELETE" and role is not None and case.path_parameters:
            validators = {
                parameter.name: self.api.values.validator(parameter.schema_pointer)
                for parameter in op.path_parameters
                if parameter.schema_pointer is not None
            }
            if all(
                name not in validators or validators[name].is_valid(value)
                for name, value in case.path_parameters.items()
            ):
                case.path_parameters = {**case.path_parameters, **path}
        if planned.valid and role is not None and role[1] is Role.LIST and isinstance(case.query, dict):
            # A cursor names an object: the run's own, so that a valid request pages from one that exists.
            resource = role[0]
            fixture = self.world.fixtures.get(id(resource))
            named = [p.name for p in resource.paging.cursors if p.name in case.query]
            if fixture is not None and named:
                case.query = {**case.query, **dict.fromkeys(named, fixture[resource.id_parameter])}
        return case

    def exchanges(self) -> Iterator[Exchange]:
        first_op = self._first_operation()
        first = self.send_probe(example_probe(self.api, self.valid_request(first_op)))
        if (
            first is not None
            and first.status in first_op.statuses(Fault.CREDENTIALS).allowed
            and first_op.security.testable
        ):
            raise KeyRefused(
                f"the server refused API_KEY ({first.status}) on the spec's example request ({first.label});"
                " set API_KEY to a key it accepts"
            )
        if first is not None:
            yield first
        for resource in self.api.resources:
            if self._needed(resource):
                yield from self.make_fixture(resource)
        yield from self._probes()
        self.prepare()
        assert self.plan is not None
        for index, planned in enumerate(self.plan):
            self.result.not_sent = len(self.plan) - index  # if the run ends here
            yield from self._planned(planned)
        sequences = Sequences(self.api, self.world, self._step, self._update_bodies)
        for resource in self.api.resources:
            create = resource.first(Role.CREATE)
            if create is not None and self._needed(resource):
                body = pinned(self.api, create, _richest(self.api, create), self.pins)
                yield from sequences.lifecycle(resource, body)
                if walkable(resource):
                    yield from walks(self.api, self.world, self._step, resource, body)
                if nested(resource) and resource.parent is not None:
                    parent_create = resource.parent.first(Role.CREATE)
                    assert parent_create is not None
                    parent_body = pinned(
                        self.api, parent_create, _richest(self.api, parent_create), self.pins
                    )
                    yield from Nesting(self.api, self.world, self._step).sequence(resource, body, parent_body)
        yield from self._cleanup()

    def _needed(self, resource: Resource) -> bool:
        """Whether an operation judged here acts on the resource, or on one below it."""
        below = [other for other in self.api.resources if _within(other, resource)]
        return any(
            self._judges(op.operation_id) for other in below for ops in other.roles.values() for op in ops
        )

    def _first_operation(self) -> Operation:
        """The operation whose example is sent first: one that needs the key, names no resource and
        changes nothing a later request relies on (a create, else a list)."""

        def rank(op: Operation) -> tuple[int, ...]:
            role = self.api.role(op)
            return (
                not op.security.testable,
                bool(op.path_parameters),
                op.method == "DELETE",
                role is None or role[1] not in (Role.CREATE, Role.LIST),
            )

        return min(self.api.operations, key=rank)

    def _probes(self) -> Iterator[Exchange]:
        by_path: dict[str, Request] = {}
        for op in self.api.operations:
            if not self._judges(op.operation_id):
                continue
            request = self.valid_request(op)
            by_path.setdefault(op.path, request)
            found = [
                *key_probes(self.api, request, self.config.api_key),
                *parameter_probes(self.api, request),
                *body_probes(self.api, request),
                *stream_probes(self.api, request),
            ]
            for probe in found:
                if probe.removes:
                    yield from self._removing(op, probe)
                    continue
                exchange = self.send_probe(probe)
                if exchange is not None:
                    yield exchange
        for op in self.api.operations:
            if not self._judges(op.operation_id):
                continue
            exchange = self._unknown_id(op)
            if exchange is not None:
                yield exchange
        first_of_path = {op.path: op for op in reversed(self.api.operations)}
        judged_paths = {
            path: request for path, request in by_path.items() if first_of_path[path] is request.op
        }
        for probe in method_probes(self.api, judged_paths):
            exchange = self.send_probe(probe)
            if exchange is not None:
                yield exchange

    def _unknown_id(self, op: Operation) -> Exchange | None:
        """The operation on an object's path whose id the server never gave: a 404."""
        role = self.api.role(op)
        if role is None or role[1] in (Role.CREATE, Role.LIST):
            return None
        resource = role[0]
        parameter = next((p for p in op.path_parameters if p.name == resource.id_parameter), None)
        if parameter is None:
            return None
        made_up = _unknown_value(self.api, parameter.schema_pointer)
        if made_up is None:
            return None
        path = {**self.path_for(op), resource.id_parameter: made_up}
        known = Known(resource.label, made_up, False, never=True)
        return self.send_step(op, path, ..., label=f"{op.operation_id} of an id no object has", known=known)

    def _removing(self, op: Operation, probe: Probe) -> Iterator[Exchange]:
        """A DELETE probe that must be refused, sent against an object of its own."""
        role = self.api.role(op)
        yield from self.victim(op)
        if role is not None and id(role[0]) in self.victims:
            resource = role[0]
            item = self.victims[id(resource)]
            filled = op.path
            for name, value in {**self.path_for(op), **item}.items():
                filled = filled.replace("{" + name + "}", value)
            probe = dataclasses.replace(probe, path=filled)
            exchange = self.send_probe(probe)
            if exchange is not None and is_success(exchange):
                self.victims.pop(id(resource))  # it was removed: the next probe gets another
                self.world.forget(resource, item)
        else:
            exchange = self.send_probe(probe)
        if exchange is not None:
            yield exchange

    def _planned(self, planned: Planned) -> Iterator[Exchange]:
        op = planned.op
        if planned.case is None and planned.valid and not planned.generated:
            role = self.api.role(op)
            if role is not None and role[1] is Role.UPDATE and id(role[0]) in self.world.fixtures:
                yield from self._update_on_fixture(planned, role[0])
                return
        case = self._case(planned)
        exchange = self.send_case(planned, case)
        if exchange is None:
            return
        yield exchange
        role = self.api.role(op)
        if planned.generated or not planned.valid or role is None or role[1] is not Role.CREATE:
            return
        yield from self._read_back(role[0], exchange, f"retrieve after '{planned.label}'")

    def _update_on_fixture(self, planned: Planned, resource: Resource) -> Iterator[Exchange]:
        """A valid update body applied to the fixture, what it keeps judged, then read back."""
        fixture = self.world.fixtures[id(resource)]
        known = self.world.known(resource, fixture)
        exchange = self.send_case(planned, self._case(planned), known=known)
        if exchange is None:
            return
        yield exchange
        if is_success(exchange):
            retrieve = resource.first(Role.RETRIEVE)
            if retrieve is not None:
                read_known = self.world.known(resource, fixture)
                if not any(step is exchange for step in read_known.steps):  # an update not kept as a write
                    read_known.steps = (*read_known.steps, exchange)
                read = self._step(
                    retrieve, fixture, None, label=f"retrieve after '{planned.label}'", known=read_known
                )
                if read is not None:
                    yield read

    def _read_back(self, resource: Resource, created: Exchange, label: str) -> Iterator[Exchange]:
        """After a spec-derived create, its retrieve: what the create returned must be what is kept."""
        retrieve = resource.first(Role.RETRIEVE)
        left = self.reads_left.setdefault(id(resource), READS_AFTER_CREATES)
        if retrieve is None or not is_success(created) or left <= 0:
            return
        collection = self.world.collection_path(resource)
        key = resource.id_of(created.received_json)
        if collection is None or key is None or isinstance(key, dict | list):
            return
        self.reads_left[id(resource)] = left - 1
        item = {**collection, resource.id_parameter: text_of(key)}
        known = self.world.known(resource, item)
        known.last, known.steps = created.received_json, (created,)
        read = self._step(retrieve, item, None, label=label, known=known)
        if read is not None:
            yield read

    def _step(self, op: Operation, path: dict[str, str], body: Any, **options: Any) -> Exchange | None:
        return self.send_step(op, path, body, **options)

    @functools.cache  # noqa: B019 (one Run, a few operations)
    def _update_bodies(self, op: Operation) -> list[Any]:
        if op.body is None:
            return []
        derived, _ = _derived(str(self.config.spec_path), op.operation_id, tuple(sorted(self.pins.items())))
        return [value for _, value, valid in derived if valid]

    def _cleanup(self) -> Iterator[Exchange]:
        """Delete what the run created (a server with a real store should not keep test objects): not
        judged, so the clean-up never reports itself (an object deleted with its parent is gone already)."""
        for resource, item in reversed(list(self.world.created)):
            delete = resource.first(Role.DELETE)
            if delete is None or any(
                parent is not None and self._gone(parent, item) for parent in _ancestors(resource)
            ):
                continue
            self._step(
                delete, item, None, label=f"clean-up: delete a {resource.label} object the run created"
            )
        yield from ()

    def _gone(self, resource: Resource, item: dict[str, str]) -> bool:
        """Whether the run deleted the object of `resource` that `item`'s path names (a parent)."""
        return (id(resource), item.get(resource.id_parameter, "")) in self.world.deleted

    def run(self) -> RunResult:
        try:
            for exchange in self.exchanges():
                self.judge(exchange)
            self.result.not_sent = 0
        except RateLimitedOut:
            self.result.untestable = (
                f"the server rate-limited {RATE_LIMITED_IN_A_ROW} cases in a row, even after waiting and"
                " retrying: its limit, not its contract, decides this run; raise its limit for the suite"
            )
        except StoppedAnswering:
            op = self.last_fault.operation if self.last_fault else self.api.operations[0].operation_id
            tally = self.result.operations[op].checks[ANSWER_CHECK]
            last = self.last_fault
            tally.record_first(
                Failure(
                    f"the rest of the run, after {last.label!r}" if last else "the rest of the run",
                    f"the server stopped answering: {TIMEOUTS_IN_A_ROW} requests in a row got no answer"
                    f" within {self.config.timeout:g}s; "
                    + (
                        f"{self.result.not_sent} cases were not sent"
                        if self.result.not_sent
                        else "the rest of the run was not sent"
                    ),
                    self.mask(last.describe(self.mask, self._bodies_dir())) if last else "",
                )
            )
        limited, sent = self.result.rate_limited, self.result.requests_sent
        if self.result.untestable is None and limited > 3 and limited > RATE_LIMITED_SHARE * sent:
            self.result.untestable = (
                f"the server rate-limited {limited} of {sent} requests, even after waiting and retrying:"
                " too many to judge it; raise its limit for the suite"
            )
        for each in self.api.operations:
            found = self.api.role(each)
            if found is not None and each.operation_id in self.result.operations:
                self.result.operations[each.operation_id].needs = self._needs(found[0], found[1])
        self.result.seconds = time.monotonic() - self.started
        self.result.bodies_dir = self.bodies_dir
        self.result.own_bodies_dir = self.own_bodies_dir is not None and self.own_bodies_dir.exists()
        self.result.shown_base_url = self.config.shown_base_url
        return self.result


def notes(api: Api, judges: Callable[[str], bool] = lambda _: True) -> list[str]:
    """What the run judges otherwise than the spec says, and why: of the operations `judges` keeps, one line
    for each kind (the operations a note is true of named together)."""
    found = [
        f"{where}: {_bounds_said(said)}, read from its description ({said[0].sentence!r}): a request beyond"
        " it may get its success or the documented error"
        for where, said in api.prose.found.items()
    ]
    undocumented: dict[str, list[str]] = {}
    for op in api.operations:
        if not judges(op.operation_id):
            continue
        if op.body is not None:
            for name in op.body.examples:
                if name not in api.examples(op):
                    found.append(
                        f"{op.operation_id}: the request example {name!r} is invalid against its own schema:"
                        " not used"
                    )
        judged = (Fault.CREDENTIALS, Fault.INVALID, Fault.NOT_FOUND)
        faults = [fault for fault in op.faults() if fault in judged and not op.statuses(fault).documented]
        if faults:
            said = "; ".join(f"{fault.value} gets {op.statuses(fault).describe()}" for fault in faults)
            undocumented.setdefault(said, []).append(op.operation_id)
    for said, names in undocumented.items():
        shown = ", ".join(names[:NAMED]) + (f" and {len(names) - NAMED} more" if len(names) > NAMED else "")
        who = f"{names[0]} names" if len(names) == 1 else f"{len(names)} operations name"
        found.append(f"{who} no status for these, so HTTP's rules judge them: {said} ({shown})")
    return found


NAMED = 6  # operations a note names, at most


_KEYWORDS = {"x-key-maxLength": "its keys' maxLength", "x-value-maxLength": "its values' maxLength"}


def _bounds_said(said: list[ProseBound]) -> str:
    return ", ".join(f"{_KEYWORDS.get(bound.keyword, bound.keyword)} {bound.value}" for bound in said)


def _unknown_value(api: Api, pointer: str | None) -> str | None:
    """An id of the parameter's schema that no server gave: made up, valid by the schema."""
    if pointer is None:
        return "contract-unknown-id-7f3a9c"
    example = text_of(api.values.example(pointer))
    for candidate in ("contract-unknown-id-7f3a9c", f"{example}7f3a9c", "999999937", "7f3a9c"):
        value: Any = candidate
        types = api.values.types(pointer)
        if "integer" in types and candidate.isdigit():
            value = int(candidate)
        if api.values.is_valid(pointer, value) and text_of(value) != example:
            return text_of(value)
    return None


def _clone(case: Case[Any]) -> Case[Any]:
    """A copy of a schemathesis case that can be changed without changing it."""
    return type(case)(
        case.operation,
        case.method,
        case.path,
        id=case.id,
        path_parameters=dict(case.path_parameters or {}),
        headers=copy.copy(case.headers),
        cookies=dict(case.cookies or {}),
        query=dict(case.query or {}),
        body=copy.deepcopy(case.body),
        media_type=case.media_type,
        multipart_content_types=case.multipart_content_types,
        meta=case.meta,
    )


def _ancestors(resource: Resource) -> list[Resource]:
    found = []
    while resource.parent is not None:
        resource = resource.parent
        found.append(resource)
    return found


def _within(resource: Resource, ancestor: Resource) -> bool:
    while resource is not None:
        if resource is ancestor:
            return True
        resource = resource.parent  # type: ignore[assignment]
    return False


def _as_positive(case: Case[Any]) -> Case[Any]:
    """A case the spec agrees is valid, marked so for schemathesis's own checks: it marks an upload's
    file part (its `Binary` value, which no JSON schema validates) as negative data, and would then leave
    a valid upload unjudged."""
    meta = case.meta
    if meta is None or meta.generation.mode.is_positive:
        return case
    positive = GenerationMode.POSITIVE
    components = {where: dataclasses.replace(info, mode=positive) for where, info in meta.components.items()}
    generation = dataclasses.replace(meta.generation, mode=positive)
    # Set, then frozen: schemathesis would otherwise validate the file part again, and mark it negative.
    object.__setattr__(case, "_meta", dataclasses.replace(meta, generation=generation, components=components))
    case.freeze_metadata()
    return case


def _richest(api: Api, op: Operation) -> Any:
    examples = [value for value in api.examples(op).values() if isinstance(value, dict)]
    return max(examples, key=len) if examples else api.example_body(op)


def _path_values(template: str, path: str) -> dict[str, str]:
    found = {}
    for expected, actual in zip(template.split("/"), path.split("/"), strict=False):
        if expected.startswith("{") and expected.endswith("}"):
            found[expected[1:-1]] = actual
    return found


def _quoted(path: str) -> str:
    """A path with its parameter values percent-encoded where HTTP needs it."""
    return quote(path, safe="/:@!$&'()*+,;=-._~%")


# Runs in one process (a test suite, the gallery) share what does not depend on the server.
@functools.lru_cache(maxsize=4)
def _schemas(spec: str) -> Schemas:
    return Schemas(Path(spec))


@functools.lru_cache(maxsize=64)
def _derived(
    spec: str, operation_id: str, pins: tuple[tuple[str, str], ...]
) -> tuple[tuple[tuple[str, Any, bool], ...], tuple[str, ...]]:
    """The spec-derived bodies of one operation, labelled, and those the validator dropped."""
    api = load_api(spec)
    op = api.operation(operation_id)
    examples = {name: pinned(api, op, value, dict(pins)) for name, value in api.examples(op).items()}
    factory = BodyFactory(api, op, examples)
    dialects = DialectSplit(op.body.schema_pointer, api.document) if op.body is not None else None
    # Valid bodies name the pinned values (where they stay valid); invalid ones are left as they are: the
    # pinned field may be what makes one invalid.
    derived = [
        (f"valid: {body.label}", pinned(api, op, body.value, dict(pins)), True) for body in factory.valid()
    ]
    derived += [(f"invalid: {body.label}", body.value, False) for body in factory.invalid()]
    kept = tuple(item for item in derived if dialects is None or not dialects.disagree(item[1]))
    return kept, tuple(factory.dropped)


@functools.lru_cache(maxsize=64)
def _generated(  # noqa: PLR0917 (the cache's key)
    spec: str,
    operation_id: str,
    mode: GenerationMode,
    count: int,
    seed: int,
    pins: tuple[tuple[str, str], ...],
) -> tuple[Case[Any], ...]:
    """Schemathesis's cases of one operation and mode; valid bodies name the pinned values (only valid
    ones: in an invalid case, the pinned field may be what makes it invalid). Cases whose validity the
    regex dialect decides are left out (dialect.py)."""
    api = load_api(spec)
    op = api.operation(operation_id)
    cases = generate(_schemas(spec).operation(op), mode, count, seed)
    dialects = DialectSplit(op.body.schema_pointer, api.document) if op.body is not None else None
    kept = []
    for case in cases:
        if dialects is not None and isinstance(case.body, dict) and dialects.disagree(case.body):
            continue
        if mode == GenerationMode.POSITIVE:
            case.body = pinned(api, op, case.body, dict(pins))
        kept.append(case)
    return tuple(kept)


def run_suite(config: SuiteConfig) -> RunResult:
    """Run every check against the server at `config.base_url`; ServerUnreachable if it cannot be reached."""
    return Run(config).run()


# Methods a client may send again after a connection dropped before any answer (RFC 9110, 9.2.2).
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


def _closes(response: Response) -> bool:
    values = response.headers.get("connection") or response.headers.get("Connection") or []
    return any("close" in value.lower() for value in values)


def _dropped(exc: requests.ConnectionError) -> bool:
    """Whether the connection closed or reset before any byte of an answer (not a refused connection,
    not an answer cut short)."""
    text = str(exc).lower()
    return any(
        said in text
        for said in ("connection aborted", "remote end closed connection", "connection reset", "broken pipe")
    )


def _prepared(session: requests.Session | None, **request: Any) -> requests.PreparedRequest | None:
    """The request as the client meant to send it, for a fault that left it none to show."""
    try:
        built = requests.Request(**request)
        return session.prepare_request(built) if session is not None else built.prepare()
    except Exception:  # what cannot be built again was not sent either: the placeholder says so
        return None


def _unknown_request() -> requests.PreparedRequest:
    request = requests.PreparedRequest()
    request.prepare(method="GET", url="http://unknown.invalid/")
    return request


def _fault_reason(exc: requests.RequestException, timeout: float) -> str:
    """What went wrong, in words: what the server did (or did not) send."""
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g}s"
    text = str(exc).lower()
    for known, said in (
        ("connection refused", "connection refused"),
        ("name or service not known", "name or service not known"),
        ("nodename nor servname", "name or service not known"),
        ("no route to host", "no route to host"),
        ("connection reset", "the connection was reset without a response"),
        ("remote end closed connection", "the connection was closed without a response"),
        ("badstatusline", "the answer is not HTTP"),
        ("incompleteread", "the response ended before its body did"),
        ("invalidchunklength", "the response's chunked encoding is broken"),
        ("timed out", "no answer in time"),
    ):
        if known in text:
            return said
    return f"the HTTP exchange broke ({type(exc).__name__})"
