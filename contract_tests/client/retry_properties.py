"""The retry properties of the generated client, as functions that run hypothesis and raise on a
counterexample (`test_retries.py` runs them on the sync and async paths, `test_broken_retries.py` on
deliberately broken clients).

The server is a Script of answers (statuses with headers, or transport errors), the clock a FakeClock:
nothing waits for real, and every wait the client makes is checked against the rule the README
documents ("Retries"). That rule is the client's own contract, not the spec's, so it is written here
as documented; the bodies and the statuses the spec lists come from the spec.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any, Literal

import httpx
import pytest
from assistants_v1_client import AuthenticatedClient
from assistants_v1_client import client as client_module
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.client import RetryPolicy
from assistants_v1_client.models import AssistantObject, CreateAssistantRequest, ErrorResponse
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.api.document import deref, spec
from contract_tests.client import strategies
from contract_tests.client.calls import API_KEY, BASE_URL, FakeClock, Mode
from contract_tests.client.properties import PROPERTY_SETTINGS

# The documented rule (README, "Retries"), as the openai SDK retries.
DEFAULT_MAX_RETRIES = 2
RETRYABLE_STATUSES = frozenset({408, 409, 429, *range(500, 600)})
MAX_RETRY_AFTER = 60.0  # seconds: the longest server-asked wait honoured
RETRYABLE_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.PoolTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)
# Transport errors that are not a connection failure: a retry cannot help.
OTHER_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.LocalProtocolError,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)
MAX_RETRIES_DRAWN = 4
SUCCESS = strategies.seed().success_status  # the operation's documented success (200)


def backoff_bounds(retry: int) -> tuple[float, float]:
    """The documented backoff before retry `retry` (from 1) without a usable server ask:
    0.5 * 2**retry seconds times a random factor in [0.75, 1], at most 8 s."""
    return min(0.5 * 2**retry * 0.75, 8.0), min(0.5 * 2**retry, 8.0)


def error_example(status: int) -> dict[str, Any]:
    """The spec's first example of the error body of a status it lists."""
    response = deref(spec(), strategies.operation()["responses"][str(status)])
    examples = response["content"]["application/json"]["examples"]
    value: dict[str, Any] = next(iter(examples.values()))["value"]
    return value


def documented_retryable_statuses() -> list[int]:
    """The error statuses the spec lists that the client retries (429, 500 in this spec)."""
    return [code for code in strategies.documented_error_statuses() if code in RETRYABLE_STATUSES]


def documented_final_statuses() -> list[int]:
    """The error statuses the spec lists that the client does not retry (400, 401 in this spec)."""
    return [code for code in strategies.documented_error_statuses() if code not in RETRYABLE_STATUSES]


# --- What the scripted server answers ---------------------------------------------------------------


@dataclass(frozen=True)
class Hint:
    """How long a failure's headers ask the client to wait: `headers(now)` gives the headers at the
    clock's `now`, `honoured(now)` the wait the client must make for them, or None where the
    documented backoff applies instead (no ask, an ask of 0 or over the cap, or one not understood)."""

    label: str
    headers: Callable[[float], dict[str, str]]
    honoured: Callable[[float], float | None]


def _http_date(timestamp: float) -> str:
    return format_datetime(datetime.datetime.fromtimestamp(timestamp, datetime.UTC), usegmt=True)


def _seconds(value: str, honoured: float | None) -> Hint:
    return Hint(f"Retry-After: {value}", lambda now: {"Retry-After": value}, lambda now: honoured)


def _date_in(seconds: int) -> Hint:
    # An HTTP date has whole seconds: the wait is to that second, from the clock's now.
    honoured = seconds > 0 and seconds <= MAX_RETRY_AFTER
    return Hint(
        f"Retry-After: <date {seconds:+d} s>",
        lambda now: {"Retry-After": _http_date(math.floor(now) + seconds)},
        lambda now: (math.floor(now) + seconds - now) if honoured else None,
    )


def _milliseconds(value: str, honoured: float | None, retry_after: str | None = None) -> Hint:
    headers = {"retry-after-ms": value} | ({"Retry-After": retry_after} if retry_after else {})
    label = ", ".join(f"{name}: {text}" for name, text in headers.items())
    return Hint(label, lambda now: headers, lambda now: honoured)


NO_HINT = Hint("no Retry-After", lambda now: {}, lambda now: None)
_WITHIN = st.integers(min_value=1, max_value=int(MAX_RETRY_AFTER))
_BEYOND = st.integers(min_value=int(MAX_RETRY_AFTER) + 1, max_value=86_400)
_FRACTIONS = st.integers(min_value=1, max_value=int(MAX_RETRY_AFTER) * 1000).map(lambda ms: ms / 1000)

HINTS: st.SearchStrategy[Hint] = st.one_of(
    st.just(NO_HINT),
    _WITHIN.map(lambda s: _seconds(str(s), float(s))),
    _FRACTIONS.map(lambda s: _seconds(str(s), s)),
    _WITHIN.map(_date_in),
    st.integers(min_value=-86_400, max_value=0).map(_date_in),  # a date now or past: nothing to wait
    _BEYOND.map(_date_in),
    st.sampled_from(["0", "-5", "soon", "", "nan", "inf", "1e400"]).map(lambda v: _seconds(v, None)),
    _BEYOND.map(lambda s: _seconds(str(s), None)),
    st.integers(min_value=1, max_value=int(MAX_RETRY_AFTER) * 1000).map(
        lambda ms: _milliseconds(str(ms), ms / 1000)
    ),
    st.tuples(_WITHIN, _WITHIN).map(lambda p: _milliseconds(str(p[0]), p[0] / 1000, retry_after=str(p[1]))),
    _BEYOND.map(lambda s: _milliseconds(str(s * 1000), None, retry_after="1")),
    _WITHIN.map(lambda s: _milliseconds("later", float(s), retry_after=str(s))),
)


@dataclass(frozen=True)
class Answer:
    """One answer of the scripted server: a status with its JSON body and the headers of `hint`, or,
    when `error` is set, that transport error raised instead."""

    status: int = SUCCESS
    body: dict[str, Any] = field(default_factory=dict)
    hint: Hint = NO_HINT
    error: type[httpx.TransportError] | None = None

    def __str__(self) -> str:
        if self.error is not None:
            return self.error.__name__
        return f"{self.status} ({self.hint.label})"


def assistant_answer() -> Answer:
    return Answer(SUCCESS, strategies.example_value("response"))


@dataclass(frozen=True)
class Sent:
    """A request as it was when the server got it (a retry sends the same httpx.Request object again,
    so the object itself shows only its last state)."""

    method: str
    url: httpx.URL
    headers: list[tuple[str, str]]
    content: bytes

    @classmethod
    def of(cls, request: httpx.Request) -> Sent:
        return cls(request.method, request.url, request.headers.multi_items(), request.read())


@dataclass
class Script:
    """A handler for httpx.MockTransport that gives its answers in order, one per request, and records
    the requests, the errors it raised and, per answer, the wait the client must make after it."""

    answers: list[Answer]
    clock: FakeClock
    requests: list[Sent] = field(default_factory=list)
    raised: list[Exception] = field(default_factory=list)
    honoured: list[float | None] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(Sent.of(request))
        if len(self.requests) > len(self.answers):
            raise AssertionError(
                f"request {len(self.requests)} sent: the server was to get at most "
                f"{len(self.answers)} ({', '.join(map(str, self.answers))})"
            )
        answer = self.answers[len(self.requests) - 1]
        self.honoured.append(answer.hint.honoured(self.clock.now))
        if answer.error is not None:
            error = answer.error(f"scripted {answer.error.__name__}", request=request)
            self.raised.append(error)
            raise error
        headers = {"Content-Type": "application/json", **answer.hint.headers(self.clock.now)}
        return httpx.Response(answer.status, content=json.dumps(answer.body).encode(), headers=headers)

    def story(self) -> str:
        return ", then ".join(map(str, self.answers[: len(self.requests)]))


def retryable_failures() -> st.SearchStrategy[Answer]:
    """An answer the client must retry: a retryable status (the spec's own 429 and 500 often) with an
    error body and any wait hint, or a connection error."""
    statuses = st.sampled_from(documented_retryable_statuses()) | st.sampled_from(sorted(RETRYABLE_STATUSES))
    body = st.just(error_example(documented_retryable_statuses()[0]))
    refusals = st.builds(Answer, status=statuses, body=body, hint=HINTS)
    errors = st.builds(Answer, error=st.sampled_from(RETRYABLE_ERRORS))
    return refusals | errors


def non_retryable_answers() -> st.SearchStrategy[Answer]:
    """An answer the client must not retry, whatever its headers ask: any status but the retryable
    ones (the spec's 400 and 401 often), or a transport error that is not a connection failure."""
    final = st.sampled_from(documented_final_statuses())
    others = st.integers(min_value=201, max_value=599).filter(lambda code: code not in RETRYABLE_STATUSES)
    refusals = st.builds(Answer, status=final | others, body=strategies.error_bodies(), hint=HINTS)
    errors = st.builds(Answer, error=st.sampled_from(OTHER_ERRORS))
    return refusals | errors


# --- How the client is called ----------------------------------------------------------------------

Where = Literal["default", "client", "call"]
Variant = Literal["detailed", "plain"]


@dataclass(frozen=True)
class Setting:
    """Where max_retries is set: nowhere (the default, 2), on the client, or on the call (the client
    then has another value, which the call must override); and which API function is called."""

    where: Where
    retries: int
    other: int  # the client's max_retries when the call sets its own
    variant: Variant

    def __str__(self) -> str:
        where = {"default": "by default", "client": "on the client", "call": "on the call"}[self.where]
        return f"max_retries={self.retries} {where}, {self.variant}"


def settings_with(retries: st.SearchStrategy[int]) -> st.SearchStrategy[Setting]:
    def build(where: Where, count: int, other: int, variant: Variant) -> Setting:
        if where == "default":
            count = DEFAULT_MAX_RETRIES
        return Setting(where, count, other if other != count else count + 1, variant)

    return st.builds(
        build,
        st.sampled_from(["default", "client", "call"]),
        retries,
        st.integers(min_value=0, max_value=MAX_RETRIES_DRAWN),
        st.sampled_from(["detailed", "plain"]),
    )


@dataclass
class Outcome:
    status: int | None  # None for the plain functions, which give the parsed body only
    parsed: object


def call(mode: Mode, script: Script, setting: Setting, body: CreateAssistantRequest) -> Outcome:
    """One create_assistant call, as `setting` says, through a fresh client on `script`."""
    kwargs: dict[str, Any] = {}
    if setting.where == "client":
        kwargs["max_retries"] = setting.retries
    elif setting.where == "call":
        kwargs["max_retries"] = setting.other
    client = AuthenticatedClient(
        base_url=BASE_URL,
        token=API_KEY,
        httpx_args={"transport": httpx.MockTransport(script)},
        retry_policy=RetryPolicy(clock=script.clock),
        **kwargs,
    )
    per_call = setting.retries if setting.where == "call" else None
    if mode == "sync":
        with client:
            if setting.variant == "detailed":
                response = create_assistant.sync_detailed(client=client, body=body, max_retries=per_call)
                return Outcome(response.status_code, response.parsed)
            return Outcome(None, create_assistant.sync(client=client, body=body, max_retries=per_call))

    async def run() -> Outcome:
        async with client:
            if setting.variant == "detailed":
                response = await create_assistant.asyncio_detailed(
                    client=client, body=body, max_retries=per_call
                )
                return Outcome(response.status_code, response.parsed)
            return Outcome(
                None, await create_assistant.asyncio(client=client, body=body, max_retries=per_call)
            )

    return asyncio.run(run())


def _seed_request() -> CreateAssistantRequest:
    return CreateAssistantRequest.from_dict(strategies.example_value("request"))


# --- The checks ------------------------------------------------------------------------------------


def check_waits(script: Script, retries: int) -> None:
    """The clock waited once before each retry, as documented: the server's ask when it is honoured,
    else the backoff of that retry."""
    waits = script.clock.waits
    assert len(waits) == retries, f"waited {len(waits)} times for {retries} retries: {waits}"
    for number, (wait, honoured) in enumerate(zip(waits, script.honoured, strict=False), start=1):
        answer = script.answers[number - 1]
        if honoured is not None:
            assert math.isclose(wait, honoured, abs_tol=1e-6), (
                f"waited {wait} s before retry {number}, after {answer}: the server asked {honoured} s"
            )
        else:
            low, high = backoff_bounds(number)
            assert low - 1e-9 <= wait <= high + 1e-9, (
                f"waited {wait} s before retry {number}, after {answer}: the backoff is {low}-{high} s"
            )


def check_parsed(outcome: Outcome | None, answer: Answer) -> None:
    """The call gave the answer's status and its body as the documented model."""
    assert outcome is not None, f"no outcome for {answer}"
    if outcome.status is not None:
        assert outcome.status == answer.status, f"status {outcome.status}, not {answer.status} (the last)"
    model = AssistantObject if answer.status == SUCCESS else ErrorResponse
    assert isinstance(outcome.parsed, model), f"parsed {outcome.parsed!r}, not {model.__name__}"
    assert outcome.parsed.to_dict() == answer.body, "the parsed body is not the last answer's"


def retryable_failures_end_in_the_final_answer(mode: Mode, run: settings = PROPERTY_SETTINGS) -> None:
    """Fewer retryable failures than max_retries allows (connection errors, 408, 409, 429, 5xx, with any
    Retry-After or retry-after-ms), then a final answer: the call gives the final answer, after one
    request per failure and the documented wait before each retry."""

    @st.composite
    def scenarios(draw: st.DrawFn) -> tuple[Setting, list[Answer], Answer]:
        setting = draw(settings_with(st.integers(min_value=0, max_value=MAX_RETRIES_DRAWN)))
        failures = draw(st.lists(retryable_failures(), max_size=setting.retries))
        final_status = draw(st.sampled_from([SUCCESS, *documented_final_statuses()]))
        final = (
            assistant_answer()
            if final_status == SUCCESS
            else Answer(final_status, error_example(final_status))
        )
        return setting, failures, final

    @run
    @given(scenario=scenarios())
    def check(scenario: tuple[Setting, list[Answer], Answer]) -> None:
        setting, failures, final = scenario
        script = Script([*failures, final], FakeClock())
        outcome = call(mode, script, setting, _seed_request())
        sent = len(script.requests)
        assert sent == len(failures) + 1, f"{sent} requests for {len(failures)} failures ({setting})"
        check_waits(script, len(failures))
        check_parsed(outcome, final)

    check()


def _call_catching(mode: Mode, script: Script, setting: Setting) -> tuple[Outcome | None, Exception | None]:
    """The call's outcome, or the transport error it raised."""
    try:
        return call(mode, script, setting, _seed_request()), None
    except httpx.TransportError as exc:
        return None, exc


def too_many_failures_give_the_last_one(mode: Mode, run: settings = PROPERTY_SETTINGS) -> None:
    """One retryable failure more than max_retries allows: the call stops after max_retries retries
    (max_retries=0: the one request, as without retries) and gives the last failure, an ErrorResponse
    with its status, or raises the last transport error itself."""

    @st.composite
    def scenarios(draw: st.DrawFn) -> tuple[Setting, list[Answer]]:
        setting = draw(settings_with(st.integers(min_value=0, max_value=MAX_RETRIES_DRAWN)))
        failures = draw(st.lists(retryable_failures(), min_size=setting.retries, max_size=setting.retries))
        last = draw(
            st.builds(
                Answer,
                status=st.sampled_from(sorted(RETRYABLE_STATUSES)),
                body=strategies.error_bodies(),
                hint=HINTS,
            )
            | st.builds(Answer, error=st.sampled_from(RETRYABLE_ERRORS))
        )
        return setting, [*failures, last]

    @run
    @given(scenario=scenarios())
    def check(scenario: tuple[Setting, list[Answer]]) -> None:
        setting, failures = scenario
        # One answer more, which would end the call well if the client retried once too often.
        script = Script([*failures, assistant_answer()], FakeClock())
        last = failures[-1]
        outcome, raised = _call_catching(mode, script, setting)
        sent = len(script.requests)
        assert sent == setting.retries + 1, f"{sent} requests with {setting}: {script.story()}"
        check_waits(script, setting.retries)
        if last.error is not None:
            assert raised is not None, f"no {last} raised after the last retry ({setting})"
            assert raised is script.raised[-1], f"raised {raised!r}, not the last error {script.raised[-1]!r}"
        else:
            assert raised is None, f"raised {raised!r}, not the last answer {last}"
            check_parsed(outcome, last)

    check()


def other_answers_are_not_retried(mode: Mode, run: settings = PROPERTY_SETTINGS) -> None:
    """Any other status (every 4xx but 408, 409, 429; 2xx and 3xx), whatever its Retry-After, and a
    transport error that is not a connection failure: sent once, never waited on, returned or raised."""

    @run
    @given(
        setting=settings_with(st.integers(min_value=1, max_value=MAX_RETRIES_DRAWN)),
        answer=non_retryable_answers(),
    )
    def check(setting: Setting, answer: Answer) -> None:
        script = Script([answer, assistant_answer()], FakeClock())
        outcome, raised = _call_catching(mode, script, setting)
        sent = len(script.requests)
        assert sent == 1, f"{answer} was sent {sent} times ({setting})"
        assert script.clock.waits == [], f"waited {script.clock.waits} after {answer}"
        if answer.error is not None:
            assert raised is script.raised[0], f"raised {raised!r}, not {answer}"
        else:
            assert raised is None, f"raised {raised!r}"
            check_parsed(outcome, answer)

    check()


def retries_send_the_same_request(mode: Mode, run: settings = PROPERTY_SETTINGS) -> None:
    """Any valid body, retried after any retryable failures: every attempt sends the same method, URL,
    headers and body, and the body is the request's."""

    @st.composite
    def scenarios(draw: st.DrawFn) -> tuple[Setting, list[Answer]]:
        setting = draw(settings_with(st.integers(min_value=1, max_value=MAX_RETRIES_DRAWN)))
        failures = draw(st.lists(retryable_failures(), min_size=1, max_size=setting.retries))
        return setting, failures

    @run
    @given(body=strategies.request_bodies(), scenario=scenarios())
    def check(body: dict[str, Any], scenario: tuple[Setting, list[Answer]]) -> None:
        setting, failures = scenario
        script = Script([*failures, assistant_answer()], FakeClock())
        call(mode, script, setting, CreateAssistantRequest.from_dict(body))
        first, *retries = script.requests
        assert retries, f"no retry after {failures[0]} ({setting})"
        assert json.loads(first.content) == body, "the first attempt's body is not the request's"
        for number, retry in enumerate(retries, start=1):
            assert (retry.method, retry.url) == (first.method, first.url), f"retry {number} goes elsewhere"
            assert retry.headers == first.headers, (
                f"retry {number} sends other headers than the first attempt: {[k for k, _ in retry.headers]}"
            )
            assert retry.content == first.content, f"retry {number} sends another body"

    check()


def backoff_is_jittered(mode: Mode, calls: int = 40) -> None:
    """The backoff has jitter: over many calls the first retry's waits are not all the same (each is in
    its documented range), so that clients refused at once do not all come back at once."""
    clock = FakeClock()
    setting = Setting("default", DEFAULT_MAX_RETRIES, 0, "detailed")
    failure = Answer(documented_retryable_statuses()[-1], error_example(documented_retryable_statuses()[-1]))
    for _ in range(calls):
        call(mode, Script([failure, assistant_answer()], clock), setting, _seed_request())
    low, high = backoff_bounds(1)
    assert all(low <= wait <= high for wait in clock.waits), f"waits outside {low}-{high} s: {clock.waits}"
    assert len(set(clock.waits)) > 1, f"{calls} first retries all waited {clock.waits[0]} s: no jitter"


def max_retries_0_sends_without_httpx_retries(
    mode: Mode, where: Where, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With max_retries=0 (on the client or the call) a call is sent as before the client retried: by
    httpx alone, a retryable answer (a 429) returned as it came, the retry policy and httpx-retries never
    consulted (their methods and helpers are made to fail here)."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("max_retries=0 went through httpx-retries")

    monkeypatch.setattr(client_module, "retry_request", refuse)
    monkeypatch.setattr(client_module, "aretry_request", refuse)
    for method in (
        "is_retryable_method",
        "is_retryable_status_code",
        "is_retryable_exception",
        "is_exhausted",
        "increment",
        "sleep",
        "asleep",
    ):
        monkeypatch.setattr(RetryPolicy, method, refuse)
    status = documented_retryable_statuses()[0]
    script = Script([Answer(status, error_example(status)), assistant_answer()], FakeClock())
    outcome = call(mode, script, Setting(where, 0, DEFAULT_MAX_RETRIES, "detailed"), _seed_request())
    check_parsed(outcome, script.answers[0])
    assert len(script.requests) == 1
