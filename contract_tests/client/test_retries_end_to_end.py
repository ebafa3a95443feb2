"""End to end: the generated client's retries against the judging mock's faults on demand
(`assistants-contract mock --faults ...`, a process of its own), on the sync and the async path.

With a FakeClock nothing sleeps, and the tests check the waits the client chose; with the real clock, the
mock itself judges that the client waited what `Retry-After` asked (its rule `retry_after_respected`).
"""

from __future__ import annotations

import asyncio
import json

import pytest
from assistants_v1_client import AuthenticatedClient
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.client import RetryPolicy
from assistants_v1_client.models import AssistantObject, CreateAssistantRequest, ErrorResponse

from contract_tests.api.validators import validator_for
from contract_tests.client import strategies
from contract_tests.client.calls import MODES, FakeClock, Mode, Result
from contract_tests.client.processes import mock, report
from contract_tests.client.retry_properties import backoff_bounds

API_KEY = "sk-test-rate-limited"
CALLS = 6
EVERY_SECOND = "429;retry-after=1:1/2"  # every second request refused, asking for a wait of 1 s
EVERY_FOURTH = "429;retry-after=0:1/4"  # as the suite's rate-limited gallery server: no wait asked


def make_client(base_url: str, clock: FakeClock | None, max_retries: int | None) -> AuthenticatedClient:
    """The client with its default max_retries when `max_retries` is None, waiting on `clock` (the real
    one when None)."""
    policy = RetryPolicy(clock=clock) if clock is not None else RetryPolicy()
    if max_retries is None:
        return AuthenticatedClient(base_url=base_url, token=API_KEY, retry_policy=policy)
    return AuthenticatedClient(base_url=base_url, token=API_KEY, retry_policy=policy, max_retries=max_retries)


def run_calls(
    mode: Mode, base_url: str, clock: FakeClock | None, max_retries: int | None = None, calls: int = CALLS
) -> list[Result]:
    """`calls` create-assistant calls in a row through one client, with the spec's example request."""
    body = CreateAssistantRequest.from_dict(strategies.example_value("request"))
    if mode == "sync":
        with make_client(base_url, clock, max_retries) as client:
            return [create_assistant.sync_detailed(client=client, body=body) for _ in range(calls)]

    async def run() -> list[Result]:
        async with make_client(base_url, clock, max_retries) as client:
            return [await create_assistant.asyncio_detailed(client=client, body=body) for _ in range(calls)]

    return asyncio.run(run())


def check_created(result: Result) -> None:
    success = strategies.seed().success_status
    assert result.status_code == success, f"status {result.status_code}: {result.content[:300]!r}"
    validator_for(strategies.success_pointer()).validate(json.loads(result.content))
    assert isinstance(result.parsed, AssistantObject), f"parsed {result.parsed!r}"


@pytest.mark.parametrize("mode", MODES)
def test_every_call_gets_its_assistant_after_waiting_the_retry_after(mode: Mode) -> None:
    # Every second request is refused with Retry-After: 1, so every call after the first is refused
    # once, waits the second the server asked for, and is answered on its retry.
    clock = FakeClock()
    with mock(API_KEY, EVERY_SECOND) as url:
        results = run_calls(mode, url, clock)
    for result in results:
        check_created(result)
    assert clock.waits == [1.0] * (CALLS - 1)


@pytest.mark.parametrize("mode", MODES)
def test_with_max_retries_0_every_refusal_comes_back(mode: Mode) -> None:
    clock = FakeClock()
    with mock(API_KEY, EVERY_SECOND) as url:
        results = run_calls(mode, url, clock, max_retries=0)
    assert [result.status_code for result in results] == [strategies.seed().success_status, 429] * (
        CALLS // 2
    )
    for result in results[1::2]:
        validator_for(strategies.error_pointer()).validate(json.loads(result.content))
        assert isinstance(result.parsed, ErrorResponse), f"parsed {result.parsed!r}"
    assert clock.waits == []


@pytest.mark.parametrize("mode", MODES)
def test_the_suites_rate_limit_is_waited_out_with_the_backoff(mode: Mode) -> None:
    # As the contract suite meets a rate-limited server: every fourth request refused with Retry-After:
    # 0, which asks for no wait, so the client waits its backoff before the one retry each refusal needs.
    clock = FakeClock()
    with mock(API_KEY, EVERY_FOURTH) as url:
        results = run_calls(mode, url, clock)
    for result in results:
        check_created(result)
    low, high = backoff_bounds(1)
    # 6 calls take 7 requests, the fourth of them refused: one retry, after one wait.
    assert len(clock.waits) == 1, f"waits {clock.waits}"
    assert all(low <= wait <= high for wait in clock.waits), f"waits {clock.waits}, not {low}-{high} s"


@pytest.mark.real_clock
def test_the_mock_finds_the_client_keeps_the_contract_in_real_time() -> None:
    """Two calls on the real clock, the second refused once with Retry-After: 1: the client waits the
    second it was asked for, and the mock, which judges every request, finds no rule broken."""
    with mock(API_KEY, EVERY_SECOND) as url:
        results = run_calls("sync", url, None, calls=2)
        found = report(url)
    for result in results:
        check_created(result)
    assert found["requests"] == 3 and found["violations"] == {"client": 0, "server": 0}, found
