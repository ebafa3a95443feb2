"""The generated client retries as the openai SDK does (README, "Retries"), on its sync and its async
path: the properties of retry_properties.py, and the cases the README and the issue name."""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

import httpx
import pytest
from assistants_v1_client import AuthenticatedClient
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.client import RetryPolicy
from assistants_v1_client.models import AssistantObject, ErrorResponse
from httpx_retries import RetryTransport

from contract_tests.client import retry_properties, strategies
from contract_tests.client.calls import API_KEY, BASE_URL, MODES, FakeClock, Mode
from contract_tests.client.retry_properties import (
    Answer,
    Script,
    Setting,
    assistant_answer,
    call,
    error_example,
)

RATE_LIMITED = HTTPStatus.TOO_MANY_REQUESTS
BAD_REQUEST = HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize("mode", MODES)
def test_retryable_failures_end_in_the_final_answer(mode: Mode) -> None:
    retry_properties.retryable_failures_end_in_the_final_answer(mode)


@pytest.mark.parametrize("mode", MODES)
def test_too_many_failures_give_the_last_one(mode: Mode) -> None:
    retry_properties.too_many_failures_give_the_last_one(mode)


@pytest.mark.parametrize("mode", MODES)
def test_other_answers_are_not_retried(mode: Mode) -> None:
    retry_properties.other_answers_are_not_retried(mode)


@pytest.mark.parametrize("mode", MODES)
def test_retries_send_the_same_request(mode: Mode) -> None:
    retry_properties.retries_send_the_same_request(mode)


@pytest.mark.parametrize("mode", MODES)
def test_the_backoff_is_jittered(mode: Mode) -> None:
    retry_properties.backoff_is_jittered(mode)


def test_the_scenarios_use_statuses_the_spec_documents() -> None:
    assert RATE_LIMITED in strategies.documented_error_statuses()
    assert BAD_REQUEST in strategies.documented_error_statuses()


def _rate_limited_once(retry_after: str) -> list[Answer]:
    hint = retry_properties.Hint(
        f"Retry-After: {retry_after}", lambda now: {"Retry-After": retry_after}, lambda now: None
    )
    return [Answer(RATE_LIMITED, error_example(RATE_LIMITED), hint), assistant_answer()]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("variant", ["detailed", "plain"])
def test_a_429_with_retry_after_1_then_200_gives_the_assistant_after_a_second(
    mode: Mode, variant: Any
) -> None:
    script = Script(_rate_limited_once("1"), FakeClock())
    outcome = call(mode, script, Setting("default", 2, 0, variant), retry_properties._seed_request())
    assert isinstance(outcome.parsed, AssistantObject), f"parsed {outcome.parsed!r}"
    assert len(script.requests) == 2
    assert script.clock.waits == [1.0]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("where", ["client", "call"])
def test_with_max_retries_0_the_429_comes_back_at_once(mode: Mode, where: Any) -> None:
    script = Script(_rate_limited_once("1"), FakeClock())
    outcome = call(mode, script, Setting(where, 0, 2, "detailed"), retry_properties._seed_request())
    assert outcome.status == RATE_LIMITED
    assert isinstance(outcome.parsed, ErrorResponse), f"parsed {outcome.parsed!r}"
    assert outcome.parsed.to_dict() == error_example(RATE_LIMITED)
    assert len(script.requests) == 1
    assert script.clock.waits == []


@pytest.mark.parametrize("mode", MODES)
def test_a_400_is_never_retried(mode: Mode) -> None:
    refusal = Answer(BAD_REQUEST, error_example(BAD_REQUEST))
    script = Script([refusal, assistant_answer()], FakeClock())
    outcome = call(mode, script, Setting("client", 5, 0, "detailed"), retry_properties._seed_request())
    assert outcome.status == BAD_REQUEST
    assert len(script.requests) == 1
    assert script.clock.waits == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("where", ["client", "call"])
def test_max_retries_0_sends_as_the_client_did_without_retries(
    mode: Mode, where: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    retry_properties.max_retries_0_sends_without_httpx_retries(mode, where, monkeypatch)


@pytest.mark.parametrize("mode", MODES)
def test_an_httpx_client_of_the_callers_own_is_retried_too(mode: Mode) -> None:
    script = Script(_rate_limited_once("1"), FakeClock())
    transport = httpx.MockTransport(script)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    client = AuthenticatedClient(
        base_url=BASE_URL, token=API_KEY, retry_policy=RetryPolicy(clock=script.clock)
    )
    body = retry_properties._seed_request()
    if mode == "sync":
        client.set_httpx_client(httpx.Client(base_url=BASE_URL, headers=headers, transport=transport))
        result = create_assistant.sync(client=client, body=body)
    else:
        client.set_async_httpx_client(
            httpx.AsyncClient(base_url=BASE_URL, headers=headers, transport=transport)
        )
        result = asyncio.run(create_assistant.asyncio(client=client, body=body))
    assert isinstance(result, AssistantObject), f"parsed {result!r}"
    assert len(script.requests) == 2
    assert script.clock.waits == [1.0]
    for name, value in strategies.seed().required_headers().items():
        sent = {dict(request.headers).get(name.lower()) for request in script.requests}
        assert sent == {value}, f"{name} headers {sent}"


def test_a_retrying_transport_in_httpx_args_is_refused_unless_max_retries_0() -> None:
    script = Script(_rate_limited_once("1"), FakeClock())
    transport = RetryTransport(transport=httpx.MockTransport(script))
    client = AuthenticatedClient(base_url=BASE_URL, token=API_KEY, httpx_args={"transport": transport})
    body = retry_properties._seed_request()
    with pytest.raises(ValueError, match="RetryTransport"):
        create_assistant.sync(client=client, body=body)
    assert script.requests == [], "a request was sent before the refusal"
    result = create_assistant.sync_detailed(client=client, body=body, max_retries=0)
    assert result.status_code == RATE_LIMITED, "the transport's own retries do not cover POST by default"


def test_an_own_httpx_client_that_retries_itself_is_refused_when_a_retry_is_due() -> None:
    script = Script(_rate_limited_once("1"), FakeClock())
    retrying = httpx.Client(
        base_url=BASE_URL, transport=RetryTransport(transport=httpx.MockTransport(script))
    )
    client = AuthenticatedClient(
        base_url=BASE_URL, token=API_KEY, retry_policy=RetryPolicy(clock=script.clock)
    ).set_httpx_client(retrying)
    body = retry_properties._seed_request()
    with pytest.raises(ValueError, match="retry every request twice"):
        create_assistant.sync(client=client, body=body)
    assert len(script.requests) == 1, "the retry was sent through a transport that retries itself"
    assert isinstance(create_assistant.sync(client=client, body=body, max_retries=0), AssistantObject)


@pytest.mark.parametrize("value", [-1, 1.5, "2", None])
def test_max_retries_is_a_non_negative_int(value: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        AuthenticatedClient(base_url=BASE_URL, token=API_KEY, max_retries=value)


def test_a_negative_max_retries_per_call_is_refused() -> None:
    client = AuthenticatedClient(base_url=BASE_URL, token=API_KEY)
    with pytest.raises(ValueError, match="non-negative"):
        create_assistant.sync(client=client, body=retry_properties._seed_request(), max_retries=-1)


def test_the_retry_policy_is_the_sdks_by_default() -> None:
    client = AuthenticatedClient(base_url=BASE_URL, token=API_KEY)
    assert client.max_retries == retry_properties.DEFAULT_MAX_RETRIES
    policy = client.retry_for()
    assert policy.total == retry_properties.DEFAULT_MAX_RETRIES
    assert frozenset(policy.status_forcelist) == retry_properties.RETRYABLE_STATUSES
    assert policy.is_retryable_method(strategies.seed().method)
    assert client.retry_for(5).total == 5
    assert client.retry_for() is policy, "the client's own policy is built once, not per call"
    client.max_retries = 1
    assert client.retry_for().total == 1


def test_a_retry_keeps_the_policys_clock_and_cap() -> None:
    clock = FakeClock()
    policy = RetryPolicy(clock=clock, max_retry_after=5.0).copy_with(total=3).increment()
    assert (policy.clock, policy.max_retry_after, policy.attempts_made, policy.total) == (clock, 5.0, 1, 3)
    response = httpx.Response(429, headers={"Retry-After": "6"}, content=json.dumps({}).encode())
    low, high = retry_properties.backoff_bounds(1)
    assert low <= policy.wait_before_retry(response) <= high, "a 6 s ask over a 5 s cap is not honoured"
