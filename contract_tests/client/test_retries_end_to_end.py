"""End to end: the generated client's retries against the reference server's rate-limited gallery
variant (contract_tests.gallery.conforming.rate_limited), over a loopback socket on the sync path and
in process (httpx.ASGITransport) on the async path. The client waits on a FakeClock: nothing sleeps.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from assistants_v1_client import AuthenticatedClient
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.client import RetryPolicy
from assistants_v1_client.models import AssistantObject, CreateAssistantRequest, ErrorResponse
from starlette.types import ASGIApp

from contract_tests.api.validators import validator_for
from contract_tests.client import strategies
from contract_tests.client.calls import MODES, FakeClock, Mode, Result
from contract_tests.client.retry_properties import backoff_bounds
from contract_tests.gallery.conforming import rate_limited
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread

API_KEY = "sk-test-rate-limited"
IN_PROCESS_URL = "http://rate-limited.test"
CALLS = 6


def make_client(
    base_url: str,
    clock: FakeClock,
    max_retries: int | None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AuthenticatedClient:
    """The client with its default max_retries when `max_retries` is None, waiting on `clock`."""
    httpx_args = {} if transport is None else {"transport": transport}
    policy = RetryPolicy(clock=clock)
    if max_retries is None:
        return AuthenticatedClient(
            base_url=base_url, token=API_KEY, retry_policy=policy, httpx_args=httpx_args
        )
    return AuthenticatedClient(
        base_url=base_url, token=API_KEY, retry_policy=policy, httpx_args=httpx_args, max_retries=max_retries
    )


def run_calls(mode: Mode, app: ASGIApp, clock: FakeClock, max_retries: int | None = None) -> list[Result]:
    """CALLS create-assistant calls in a row through one client, with the spec's example request."""
    body = CreateAssistantRequest.from_dict(strategies.example_value("request"))
    if mode == "sync":
        with serve_in_thread(app) as base_url, make_client(base_url, clock, max_retries) as client:
            return [create_assistant.sync_detailed(client=client, body=body) for _ in range(CALLS)]

    async def run() -> list[Result]:
        async with make_client(IN_PROCESS_URL, clock, max_retries, httpx.ASGITransport(app=app)) as client:
            return [await create_assistant.asyncio_detailed(client=client, body=body) for _ in range(CALLS)]

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
    results = run_calls(mode, rate_limited(create_app, API_KEY, every=2, retry_after="1"), clock)
    for result in results:
        check_created(result)
    assert clock.waits == [1.0] * (CALLS - 1)


@pytest.mark.parametrize("mode", MODES)
def test_with_max_retries_0_every_refusal_comes_back(mode: Mode) -> None:
    clock = FakeClock()
    results = run_calls(
        mode, rate_limited(create_app, API_KEY, every=2, retry_after="1"), clock, max_retries=0
    )
    assert [result.status_code for result in results] == [strategies.seed().success_status, 429] * (
        CALLS // 2
    )
    for result in results[1::2]:
        validator_for(strategies.error_pointer()).validate(json.loads(result.content))
        assert isinstance(result.parsed, ErrorResponse), f"parsed {result.parsed!r}"
    assert clock.waits == []


@pytest.mark.parametrize("mode", MODES)
def test_the_suites_rate_limited_server_is_waited_out_with_the_backoff(mode: Mode) -> None:
    # As the contract suite meets it: every fourth request refused with Retry-After: 0, which asks for
    # no wait, so the client waits its backoff before the one retry each refusal needs.
    clock = FakeClock()
    results = run_calls(mode, rate_limited(create_app, API_KEY), clock)
    for result in results:
        check_created(result)
    low, high = backoff_bounds(1)
    # 6 calls take 7 requests, the fourth of them refused: one retry, after one wait.
    assert len(clock.waits) == 1, f"waits {clock.waits}"
    assert all(low <= wait <= high for wait in clock.waits), f"waits {clock.waits}, not {low}-{high} s"
