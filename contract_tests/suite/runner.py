"""One run of the suite against a server: send every case, judge every response, tally per check.

Every operation of the spec is tested: schemathesis generates valid and invalid requests for each and
its built-in checks judge every response; every secured operation gets the key probes, every path a
request with each method it does not define. The seed's operation (createAssistant) also gets the
spec-derived bodies and the body probes, judged by the suite's own deep checks.

Once the spec's example has been answered, a request the server does not answer (a connection closed
or reset, no answer within the timeout, bytes that are not HTTP) is a failure of
`server_answers_every_request`, and the run goes on; only a server that stops answering altogether
(several timeouts in a row) ends it early, still as a failure.
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from schemathesis import Case
from schemathesis.core.transport import Response
from schemathesis.generation.modes import GenerationMode
from urllib3.util.retry import Retry

from contract_tests.suite import st_checks
from contract_tests.suite.bodies import BodyFactory
from contract_tests.suite.config import KeyRefused, ServerUnreachable, SuiteConfig
from contract_tests.suite.context import RunContext
from contract_tests.suite.dialect import DialectSplit
from contract_tests.suite.exchange import Exchange, media_type
from contract_tests.suite.generated import Schemas, generate
from contract_tests.suite.masking import Masker, near_misses
from contract_tests.suite.operation import Operation, load_operations
from contract_tests.suite.our_checks import NOT_APPLICABLE, OUR_CHECKS
from contract_tests.suite.probes import Probe, example_probe, header_probes, key_probes, method_probes, probes
from contract_tests.suite.results import CheckResult, Failure, OperationResult, RunResult

VALID_BODY_CHECKS = ("valid_request_accepted", "assistant_reflects_request", "assistant_fields_plausible")
ANSWER_CHECK = "server_answers_every_request"
# The checks of the seed's operation only: they judge bodies and assistants in depth.
SEED_ONLY = (*VALID_BODY_CHECKS, "invalid_body_rejected", "malformed_body_rejected")
# The statuses each kind of fault gets, for requests with several faults (see Run.classify).
FAULT_STATUSES = {
    "api_key_required": frozenset({401}),
    "beta_header_required": frozenset({400}),
    "invalid_body_rejected": frozenset({400}),
    "malformed_body_rejected": frozenset(range(400, 500)),
}
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


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().splitlines()[0] if doc else ""


def checks_for(op: Operation) -> dict[str, CheckResult]:
    """An empty tally of every check that applies to `op`, schemathesis's first."""
    results = {}
    for name in st_checks.ST_CHECKS:
        results[name] = CheckResult(name, "schemathesis", st_checks.RULES[name])
    for name, ours in OUR_CHECKS.items():
        if name in SEED_ONLY and not op.is_seed:
            continue
        if name == "api_key_required" and not op.rules.secured:
            continue
        if name == "beta_header_required" and not any(rule.required for rule in op.headers):
            continue
        results[name] = CheckResult(name, "ours", _first_line(ours.__doc__))
    return results


def all_check_results(operations: tuple[Operation, ...]) -> dict[str, OperationResult]:
    return {op.operation_id: OperationResult(op.operation_id, op.label, checks_for(op)) for op in operations}


@dataclasses.dataclass(frozen=True)
class Planned:
    label: str
    operation: Operation
    case: Case[Any]
    generated: bool


class Run:
    """One run: `prepare()` builds the cases, `run()` sends them and judges each response."""

    def __init__(self, config: SuiteConfig) -> None:
        self.config = config
        operations = load_operations(str(config.spec_path))
        self.operations = (_pinned(operations[0], config.model), *operations[1:])
        self.seed_op = self.operations[0]
        assert self.seed_op.request_schema_pointer is not None
        self.dialects = DialectSplit(self.seed_op.request_schema_pointer, self.seed_op.document)
        self.mask = Masker(config.api_key, *near_misses(config.api_key).values())
        self.ctx = RunContext(
            {op.operation_id: op for op in self.operations},
            config.base_url.rstrip("/"),
            config.api_key,
            _session(),
            config.timeout,
            self.mask,
        )
        self.result = RunResult(self.ctx.base_url, config.seed, all_check_results(self.operations))
        self.auth_checks_left = {op.operation_id: AUTH_CHECK_BUDGET for op in self.operations}
        self.bodies_dir = config.bodies_dir
        self.plan: list[Planned] | None = None
        self.answered_once = False  # after the first answer, a request left unanswered is a failure
        self.timeouts_in_a_row = 0
        self.limited_in_a_row = 0
        self.last_fault: Exchange | None = None
        self.started = time.monotonic()  # the run's time includes generating its cases

    # --- sending -------------------------------------------------------------------------------

    def _send(self, label: str, operation: str, send: Callable[[], Any]) -> Exchange | Response:
        """The response, or (once the server has answered once) an Exchange carrying the fault."""
        if self.timeouts_in_a_row >= TIMEOUTS_IN_A_ROW:
            raise StoppedAnswering
        try:
            raw = send()
        except requests.RequestException as exc:
            unbuilt = isinstance(
                exc, requests.exceptions.InvalidHeader | requests.exceptions.InvalidJSONError
            )
            if unbuilt and exc.request is None:
                raise  # our request could not be built (a header value the client refuses): not sent
            return self._fault(label, operation, exc)  # a response the client could not read is a fault
        self.answered_once = True
        self.timeouts_in_a_row = 0
        self.result.requests_sent += 1
        response = raw if isinstance(raw, Response) else Response.from_requests(raw, verify=True)
        if response.status_code == 429:  # still, after the session's retries
            self.result.rate_limited += 1
            self.limited_in_a_row += 1
            if self.limited_in_a_row >= RATE_LIMITED_IN_A_ROW:
                raise RateLimitedOut
        else:
            self.limited_in_a_row = 0
        return response

    def _fault(self, label: str, operation: str, exc: requests.RequestException) -> Exchange:
        reason = _fault_reason(exc, self.config.timeout)
        if not self.answered_once:
            # Nothing answered yet: the server cannot be tested at all.
            if isinstance(exc, requests.Timeout):
                message = f"{self.ctx.base_url} did not answer within {self.config.timeout:g}s"
            else:
                message = f"cannot reach {self.ctx.base_url}: {reason}"
            raise ServerUnreachable(f"{message} (case: {label})") from None
        self.result.requests_sent += 1
        if isinstance(exc, requests.Timeout):
            self.timeouts_in_a_row += 1
        request = exc.request if isinstance(exc.request, requests.PreparedRequest) else _unknown_request()
        exchange = Exchange(label, None, request, operation, fault=reason, checks=(ANSWER_CHECK,))
        self.last_fault = exchange
        return exchange

    def send_probe(self, probe: Probe) -> Exchange | None:
        headers = dict(probe.headers)
        key = probe.key or (self.config.api_key if probe.authorized else None)
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        url = self.ctx.base_url + probe.path
        sent = self._send(
            probe.label,
            probe.operation,
            lambda: self.ctx.session.request(
                probe.method, url, headers=headers, data=probe.body, timeout=self.config.timeout
            ),
        )
        checks: tuple[str, ...] = (
            VALID_BODY_CHECKS if probe.check == "valid_request_accepted" else (probe.check,)
        )
        if isinstance(sent, Exchange):
            sent.sent_key, sent.callers_key = key, key == self.config.api_key
            return sent
        if sent.status_code == 429:
            checks = ()  # the server's limit: the probe's own check is not judged
        return Exchange(
            probe.label,
            sent,
            sent.request,
            probe.operation,
            sent_key=key,
            checks=(*checks, "api_key_not_echoed", ANSWER_CHECK),
            callers_key=key == self.config.api_key,
        )

    def send_case(self, planned: Planned) -> Exchange | None:
        case = planned.case
        try:
            sent = self._send(
                planned.label,
                planned.operation.operation_id,
                lambda: case.call(
                    base_url=self.ctx.base_url,
                    session=self.ctx.session,
                    headers=self.ctx.auth_headers(),
                    timeout=self.config.timeout,
                ),
            )
        except (requests.exceptions.InvalidHeader, ValueError, UnicodeError):
            # A generated value that the HTTP client cannot put on the wire says nothing about the server.
            self.result.skipped_cases += 1
            return None
        if isinstance(sent, Exchange):
            sent.case = case
            return sent
        exchange = Exchange(planned.label, sent, sent.request, planned.operation.operation_id, case=case)
        scheme, _, token = (exchange.request_header("authorization") or "").strip().partition(" ")
        # Only the caller's key is a secret to look for: a generated token such as "d" is in any body.
        exchange.sent_key = self.config.api_key if token.strip() == self.config.api_key else None
        exchange.callers_key = exchange.sent_key is not None
        # A 429 is the server's limit: the answer is checked as any response is, the case not judged.
        checks = (
            ()
            if sent.status_code == 429
            else self.classify(exchange, planned.operation, scheme, token.strip())
        )
        if checks is None:
            self.result.skipped_cases += 1
            return None
        exchange.checks = (
            *(check.__name__ for check in st_checks.RESPONSE_CHECKS),
            *checks,
            "api_key_not_echoed",
            ANSWER_CHECK,
        )
        return exchange

    def classify(self, exchange: Exchange, op: Operation, scheme: str, token: str) -> tuple[str, ...] | None:
        """Our checks that apply to a request, decided from what actually went on the wire.

        None for a request whose verdict the spec leaves open (the key under another auth scheme). A
        request breaking several rules is judged by the first one's check, which then also accepts the
        statuses of the others: the spec does not say in which order a server checks them.
        """
        faults = []
        if op.rules.secured and token != self.config.api_key:
            faults.append("api_key_required")  # schemathesis dropped or replaced the credentials
        elif op.rules.secured and scheme.lower() != "bearer":
            return None
        for rule in op.headers:
            value = exchange.request_header(rule.name)
            # HTTP drops a field value's surrounding whitespace (RFC 9110, 5.5): so does the server.
            value = value.strip(" \t") if value is not None else None
            if (value is None and rule.required) or (
                value is not None and not rule.validator.is_valid(value)
            ):
                faults.append("beta_header_required")
                break
        if op.is_seed:
            body = exchange.sent_json
            assert op.request is not None
            if media_type(exchange.request_header("content-type")) != media_type(
                op.content_type
            ) or not isinstance(body, dict):
                faults.append("malformed_body_rejected")
            elif not op.request.is_valid(body):
                faults.append("invalid_body_rejected")
            if not faults:
                return VALID_BODY_CHECKS
        if not faults:
            return ()  # another operation's valid case: schemathesis's checks judge it
        if len(faults) > 1:
            exchange.also_allowed = frozenset().union(*(FAULT_STATUSES[fault] for fault in faults))
        return (faults[0],)

    # --- judging -------------------------------------------------------------------------------

    def judge(self, exchange: Exchange, extra: tuple[str, ...] = ()) -> None:
        checks = self.result.operations[exchange.operation].checks
        for name in (*exchange.checks, *extra):
            if name not in checks:
                continue
            try:
                if name in OUR_CHECKS:
                    verdict = OUR_CHECKS[name](exchange, self.ctx)
                else:
                    verdict = st_checks.run_st_check(name, exchange, self.ctx)
            except (StoppedAnswering, RateLimitedOut):
                raise
            except st_checks.Faulted as fault:
                request = fault.request if fault.request is not None else exchange.request
                resent = Exchange(f"{exchange.label}, re-sent by {name}", None, request, exchange.operation)
                resent.fault, resent.sent_key = fault.reason, exchange.sent_key
                self._record(checks[ANSWER_CHECK], resent, fault.reason)
                continue
            except Exception as exc:  # what the server sent broke a check: say so, on that check
                verdict = f"the response could not be judged ({type(exc).__name__}: {str(exc)[:200]})"
            if verdict == NOT_APPLICABLE:
                continue
            self._record(checks[name], exchange, verdict)

    def _record(self, tally: CheckResult, exchange: Exchange, verdict: str | None) -> None:
        failure = None
        if verdict is not None:
            # Only the first failures of a check are shown: describe (and write bodies for) only those.
            details = exchange.describe(self.mask, self._bodies_dir()) if tally.keeps_details else ""
            failure = Failure(self.mask(exchange.label), self.mask(verdict), details)
        tally.record(failure)

    def _bodies_dir(self) -> Path:
        if self.bodies_dir is None:
            # Per run and private (0700): a fixed name in /tmp would mix users' and runs' bodies.
            self.bodies_dir = Path(tempfile.mkdtemp(prefix="contract-bodies-"))
        return self.bodies_dir

    # --- the plan ------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Build every case before sending any (the CLI does it while the reference server starts)."""
        if self.plan is not None:
            return
        spec = str(self.config.spec_path)
        schemas = _schemas(spec)
        plan: list[Planned] = []
        seed_st = schemas.operation(self.seed_op)
        derived, dropped = _derived(spec, self.config.model)
        self.result.dropped_bodies = list(dropped)
        for label, derived_value in derived:
            value = derived_value
            if (
                self.config.model
                and label.startswith("valid:")
                and isinstance(value, dict)
                and "model" in value
            ):
                value = {**value, "model": self.config.model}
            case = seed_st.Case(
                body=value, headers=self.seed_op.required_headers(), media_type=self.seed_op.content_type
            )
            plan.append(Planned(label, self.seed_op, case, generated=False))
        for op in self.operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                model = self.config.model if op is self.seed_op and mode == GenerationMode.POSITIVE else None
                generated = _generated(
                    spec, op.operation_id, mode, self.config.examples, self.config.seed, model
                )
                for number, case in enumerate(generated, 1):
                    if (
                        op is self.seed_op
                        and isinstance(case.body, dict)
                        and self.dialects.disagree(case.body)
                    ):
                        self.result.skipped_cases += 1  # see contract_tests/suite/dialect.py
                        continue
                    label = f"generated {mode.value} case #{number}"
                    if op is not self.seed_op:
                        label += f" of {op.operation_id}"
                    plan.append(Planned(label, op, case, generated=True))
        self.plan = plan

    def _seed_request_valid(self, body: Any) -> bool:
        assert self.seed_op.request is not None
        return bool(self.seed_op.request.is_valid(body))

    def exchanges(self) -> Iterator[tuple[Exchange, tuple[str, ...]]]:
        # Probes first: a server that cannot be reached is reported before any case is generated.
        first = self.send_probe(example_probe(self.seed_op))
        if first is not None and first.status == 401:
            raise KeyRefused(
                f"the server refused API_KEY (401) on the spec's example request ({first.label});"
                " set API_KEY to a key it accepts"
            )
        if first is not None:
            yield first, ()
        fixed = probes(self.seed_op, self.config.api_key)
        for op in self.operations[1:]:
            fixed += [*key_probes(op, self.config.api_key), *header_probes(op)]
        fixed += method_probes(self.operations)
        for probe in fixed:
            exchange = self.send_probe(probe)
            if exchange is not None:
                yield exchange, ()
        self.prepare()
        assert self.plan is not None
        for index, planned in enumerate(self.plan):
            self.result.not_sent = len(self.plan) - index  # if the run ends here
            exchange = self.send_case(planned)
            if exchange is None:
                continue
            extra: tuple[str, ...] = ()
            if planned.generated and exchange.response is not None and exchange.status != 429:
                extra = tuple(check.__name__ for check in st_checks.MODE_CHECKS)
                left = self.auth_checks_left[planned.operation.operation_id]
                accepted = 200 <= exchange.status < 300 and exchange.sent_key is not None
                if left and accepted:
                    self.auth_checks_left[planned.operation.operation_id] -= 1
                    extra += (st_checks.AUTH_CHECK.__name__,)
            yield exchange, extra

    def run(self) -> RunResult:
        try:
            for exchange, extra in self.exchanges():
                self.judge(exchange, extra)
            self.result.not_sent = 0
        except RateLimitedOut:
            self.result.untestable = (
                f"the server rate-limited {RATE_LIMITED_IN_A_ROW} cases in a row, even after waiting and"
                " retrying: its limit, not its contract, decides this run; raise its limit for the suite"
            )
        except StoppedAnswering:
            tally = self.result.operations[self.seed_op.operation_id].checks[ANSWER_CHECK]
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
        self.result.seconds = time.monotonic() - self.started
        return self.result


def _pinned(op: Operation, model: str | None) -> Operation:
    """`op` with its request examples naming `model` (where they stay valid), the base of every
    spec-derived body and probe."""
    if not model or op.request is None:
        return op
    examples = {}
    for name, value in op.examples.items():
        pinned = {**value, "model": model} if isinstance(value, dict) and "model" in value else value
        examples[name] = pinned if op.request.is_valid(pinned) else value
    return dataclasses.replace(op, examples=examples)


# Runs in one process (a test suite, the gallery) share what does not depend on the server.
@functools.lru_cache(maxsize=4)
def _schemas(spec: str) -> Schemas:
    return Schemas(Path(spec))


@functools.lru_cache(maxsize=8)
def _derived(spec: str, model: str | None) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]:
    """The spec-derived bodies of the seed's operation, labelled, and those the validator dropped."""
    factory = BodyFactory(_pinned(load_operations(spec)[0], model))
    derived = [(f"valid: {body.label}", body.value) for body in factory.valid()]
    derived += [(f"invalid: {body.label}", body.value) for body in factory.invalid()]
    return tuple(derived), tuple(factory.dropped)


@functools.lru_cache(maxsize=32)
def _generated(  # noqa: PLR0917 (the cache's key)
    spec: str, operation_id: str, mode: GenerationMode, count: int, seed: int, model: str | None
) -> tuple[Case[Any], ...]:
    """Schemathesis's cases of one operation and mode; with `model`, valid bodies name that model (only
    valid ones: in an invalid case, the model may be what makes it invalid)."""
    op = next(op for op in load_operations(spec) if op.operation_id == operation_id)
    cases = generate(_schemas(spec).operation(op), mode, count, seed)
    for case in cases:
        if model and isinstance(case.body, dict) and isinstance(case.body.get("model"), str):
            pinned = {**case.body, "model": model}
            # Pinned only where the body stays valid (a model the spec's pattern or maxLength refuses is not).
            if op.request is not None and op.request.is_valid(pinned):
                case.body = pinned
    return tuple(cases)


def run_suite(config: SuiteConfig) -> RunResult:
    """Run every check against the server at `config.base_url`; ServerUnreachable if it cannot be reached."""
    return Run(config).run()


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
