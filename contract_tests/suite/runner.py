"""One run of the suite against a server: send every case, judge every response, tally per check."""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests
import schemathesis
from requests.adapters import HTTPAdapter
from schemathesis import Case
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.core.transport import Response
from schemathesis.generation.modes import GenerationMode
from urllib3.util.retry import Retry

from contract_tests.suite import st_checks
from contract_tests.suite.bodies import BodyFactory
from contract_tests.suite.config import KeyRefused, ServerUnreachable, SuiteConfig
from contract_tests.suite.context import RunContext
from contract_tests.suite.dialect import DialectSplit
from contract_tests.suite.exchange import Exchange, media_type
from contract_tests.suite.generated import generate
from contract_tests.suite.masking import Masker, near_misses
from contract_tests.suite.operation import Operation, load_operation
from contract_tests.suite.our_checks import NOT_APPLICABLE, OUR_CHECKS
from contract_tests.suite.probes import Probe, example_probe, probes
from contract_tests.suite.results import CheckResult, Failure, RunResult

VALID_BODY_CHECKS = ("valid_request_accepted", "assistant_reflects_request", "assistant_fields_plausible")
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


class RateLimited(Exception):
    """Still 429 after every retry: the case is not judged (the server's limit, not its contract)."""


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


# ignored_auth re-sends a request twice: a few accepted requests are enough to judge the operation.
AUTH_CHECK_BUDGET = 2


def all_check_results() -> dict[str, CheckResult]:
    """An empty tally for every check, schemathesis's first, in the order the summary lists them."""
    results = {}
    for name in st_checks.ST_CHECKS:
        results[name] = CheckResult(name, "schemathesis", st_checks.RULES[name])
    for name, ours in OUR_CHECKS.items():
        results[name] = CheckResult(name, "ours", _first_line(ours.__doc__))
    return results


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().splitlines()[0] if doc else ""


class Run:
    """One run: `prepare()` builds the cases, `run()` sends them and judges each response."""

    def __init__(self, config: SuiteConfig) -> None:
        self.config = config
        self.op: Operation = _pinned(load_operation(str(config.spec_path)), config.model)
        self.dialects = DialectSplit(self.op.request_schema_pointer, self.op.document)
        self.mask = Masker(config.api_key, *near_misses(config.api_key).values())
        self.ctx = RunContext(
            self.op,
            config.base_url.rstrip("/"),
            config.api_key,
            _session(),
            config.timeout,
            self.mask,
        )
        self.result = RunResult(self.ctx.base_url, config.seed, all_check_results())
        self.auth_checks_left = AUTH_CHECK_BUDGET
        self.bodies_dir = config.bodies_dir
        self.plan: list[tuple[str, Case[Any], bool]] | None = None
        self.started = time.monotonic()  # the run's time includes generating its cases

    # --- sending -------------------------------------------------------------------------------

    def _send(self, label: str, send: Callable[[], Any]) -> Response:
        raw = self._send_once(label, send)
        if raw.status_code == 429:  # still, after the session's retries
            self.result.rate_limited += 1
            raise RateLimited(label)
        return raw if isinstance(raw, Response) else Response.from_requests(raw, verify=True)

    def _send_once(self, label: str, send: Callable[[], Any]) -> Any:
        try:
            raw = send()
        except requests.Timeout:
            raise ServerUnreachable(
                f"{self.ctx.base_url} did not answer within {self.config.timeout:g}s (case: {label})"
            ) from None
        except requests.ConnectionError as exc:
            reason = _connection_reason(exc)
            raise ServerUnreachable(f"cannot reach {self.ctx.base_url}: {reason} (case: {label})") from None
        except (requests.exceptions.InvalidHeader, requests.exceptions.InvalidJSONError):
            raise  # the request could not be built: send_case skips it
        except requests.RequestException as exc:
            # A broken HTTP exchange (bad chunking or compression, endless redirects) stops the run.
            name = type(exc).__name__
            raise ServerUnreachable(
                f"{self.ctx.base_url} broke the HTTP exchange ({name}) (case: {label})"
            ) from None
        self.result.requests_sent += 1
        return raw

    def send_probe(self, probe: Probe) -> Exchange | None:
        headers = dict(probe.headers)
        key = probe.key or (self.config.api_key if probe.authorized else None)
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        url = self.ctx.base_url + self.op.path
        try:
            response = self._send(
                probe.label,
                lambda: self.ctx.session.request(
                    probe.method, url, headers=headers, data=probe.body, timeout=self.config.timeout
                ),
            )
        except RateLimited:
            return None
        checks = VALID_BODY_CHECKS if probe.check == "valid_request_accepted" else (probe.check,)
        return Exchange(
            probe.label,
            response,
            sent_key=key,
            checks=(*checks, "api_key_not_echoed"),
            callers_key=key == self.config.api_key,
        )

    def send_case(self, label: str, case: Case[Any]) -> Exchange | None:
        try:
            response = self._send(
                label,
                lambda: case.call(
                    base_url=self.ctx.base_url,
                    session=self.ctx.session,
                    headers=self.ctx.auth_headers(),
                    timeout=self.config.timeout,
                ),
            )
        except RateLimited:
            return None
        except (requests.exceptions.InvalidHeader, ValueError, UnicodeError):
            # A generated value that the HTTP client cannot put on the wire says nothing about the server.
            self.result.skipped_cases += 1
            return None
        exchange = Exchange(label, response, case=case)
        scheme, _, token = (exchange.request_header("authorization") or "").strip().partition(" ")
        # Only the caller's key is a secret to look for: a generated token such as "d" is in any body.
        exchange.sent_key = self.config.api_key if token.strip() == self.config.api_key else None
        exchange.callers_key = exchange.sent_key is not None
        checks = self.classify(exchange, scheme, token.strip())
        if checks is None:
            self.result.skipped_cases += 1
            return None
        exchange.checks = (
            *(check.__name__ for check in st_checks.RESPONSE_CHECKS),
            *checks,
            "api_key_not_echoed",
        )
        return exchange

    def classify(self, exchange: Exchange, scheme: str, token: str) -> tuple[str, ...] | None:
        """Our checks that apply to a request, decided from what actually went on the wire.

        None for a request whose verdict the spec leaves open (the key under another auth scheme). A
        request breaking several rules is judged by the first one's check, which then also accepts the
        statuses of the others: the spec does not say in which order a server checks them.
        """
        faults = []
        if token != self.config.api_key:
            faults.append("api_key_required")  # schemathesis dropped or replaced the credentials
        elif scheme.lower() != "bearer":
            return None
        for rule in self.op.headers:
            value = exchange.request_header(rule.name)
            # HTTP drops a field value's surrounding whitespace (RFC 9110, 5.5): so does the server.
            value = value.strip(" \t") if value is not None else None
            if (value is None and rule.required) or (
                value is not None and not rule.validator.is_valid(value)
            ):
                faults.append("beta_header_required")
                break
        body = exchange.sent_json
        if media_type(exchange.request_header("content-type")) != self.op.content_type or not isinstance(
            body, dict
        ):
            faults.append("malformed_body_rejected")
        elif not self.op.request.is_valid(body):
            faults.append("invalid_body_rejected")
        if not faults:
            return VALID_BODY_CHECKS
        if len(faults) > 1:
            exchange.also_allowed = frozenset().union(*(FAULT_STATUSES[fault] for fault in faults))
        return (faults[0],)

    # --- judging -------------------------------------------------------------------------------

    def judge(self, exchange: Exchange, extra: tuple[str, ...] = ()) -> None:
        for name in (*exchange.checks, *extra):
            if name in OUR_CHECKS:
                verdict = OUR_CHECKS[name](exchange, self.ctx)
            else:
                verdict = st_checks.run_st_check(name, exchange, self.ctx)
            if verdict == NOT_APPLICABLE:
                continue
            failure = None
            if verdict is not None:
                tally = self.result.checks[name]
                # Only the first failures of a check are shown: describe (and write bodies for) only those.
                details = exchange.describe(self.mask, self._bodies_dir()) if tally.keeps_details else ""
                failure = Failure(self.mask(exchange.label), self.mask(verdict), details)
            self.result.checks[name].record(failure)

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
        schema = schemathesis.openapi.from_path(str(self.config.spec_path))
        # schemathesis accepts many statuses for valid data by default (3xx, 404, 409, 5xx...): the spec
        # says a valid request with a valid key gets its 2xx, and nothing else.
        schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
            expected_statuses=["2xx"]
        )
        api_operation = schema[self.op.path][self.op.method]
        factory = BodyFactory(self.op)
        derived = [(f"valid: {body.label}", body.value) for body in factory.valid()]
        derived += [(f"invalid: {body.label}", body.value) for body in factory.invalid()]
        self.result.dropped_bodies = factory.dropped
        plan: list[tuple[str, Case[Any], bool]] = []
        for label, value in derived:
            case = api_operation.Case(
                body=value, headers=self.op.required_headers(), media_type=self.op.content_type
            )
            plan.append((label, case, False))
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for number, case in enumerate(
                generate(api_operation, mode, self.config.examples, self.config.seed), 1
            ):
                if isinstance(case.body, dict) and self.dialects.disagree(case.body):
                    self.result.skipped_cases += 1  # see contract_tests/suite/dialect.py
                    continue
                # Only valid cases: in an invalid one, the model may be what makes it invalid.
                pin = self.config.model and mode == GenerationMode.POSITIVE
                if pin and isinstance(case.body, dict) and isinstance(case.body.get("model"), str):
                    case.body["model"] = self.config.model
                plan.append((f"generated {mode.value} case #{number}", case, True))
        self.plan = plan

    def exchanges(self) -> Iterator[tuple[Exchange, tuple[str, ...]]]:
        # Probes first: a server that cannot be reached is reported before any case is generated.
        first = self.send_probe(example_probe(self.op))
        if first is not None and first.response.status_code == 401:
            raise KeyRefused(
                f"the server refused API_KEY (401) on the spec's example request ({first.label});"
                " set API_KEY to a key it accepts"
            )
        if first is not None:
            yield first, ()
        for probe in probes(self.op, self.config.api_key):
            exchange = self.send_probe(probe)
            if exchange is not None:
                yield exchange, ()
        self.prepare()
        assert self.plan is not None
        for label, case, generated in self.plan:
            exchange = self.send_case(label, case)
            if exchange is None:
                continue
            extra: tuple[str, ...] = ()
            if generated:
                extra = tuple(check.__name__ for check in st_checks.MODE_CHECKS)
                if self.auth_checks_left and "valid_request_accepted" in exchange.checks:
                    self.auth_checks_left -= 1
                    extra += (st_checks.AUTH_CHECK.__name__,)
            yield exchange, extra

    def run(self) -> RunResult:
        for exchange, extra in self.exchanges():
            self.judge(exchange, extra)
        self.result.seconds = time.monotonic() - self.started
        return self.result


def _pinned(op: Operation, model: str | None) -> Operation:
    """`op` with its request examples naming `model`, the base of every spec-derived body and probe."""
    if not model:
        return op
    examples = {
        name: {**value, "model": model} if isinstance(value, dict) and "model" in value else value
        for name, value in op.examples.items()
    }
    return dataclasses.replace(op, examples=examples)


def run_suite(config: SuiteConfig) -> RunResult:
    """Run every check against the server at `config.base_url`; ServerUnreachable if it cannot be reached."""
    return Run(config).run()


def _connection_reason(exc: requests.ConnectionError) -> str:
    text = str(exc)
    for known in (
        "Connection refused",
        "Name or service not known",
        "No route to host",
        "Connection reset",
        "Remote end closed connection",
        "timed out",
        "nodename nor servname",
    ):
        if known.lower() in text.lower():
            return known.lower()
    return "connection failed"
