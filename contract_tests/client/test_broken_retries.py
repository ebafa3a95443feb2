"""The retry properties have teeth: each deliberately broken client below makes one of them fail.

Each test breaks one piece of the generated client's retries with monkeypatch (never by editing
generated/), runs the property that guards it and expects the counterexample's assertion error.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from assistants_v1_client import client as client_module
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.client import AuthenticatedClient, RetryPolicy
from httpx_retries import Retry, retry_request

from contract_tests.client import retry_properties
from contract_tests.client.properties import FIRST_FAILURE


def _send_once(client: httpx.Client, method: str, url: Any, *, retry: Any = None, **kwargs: Any) -> Any:
    return client.request(method, url, **kwargs)


async def _send_once_async(
    client: httpx.AsyncClient, method: str, url: Any, *, retry: Any = None, **kwargs: Any
) -> Any:
    return await client.request(method, url, **kwargs)


def test_a_client_that_never_retries_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def as_before(httpx_client: httpx.Client, kwargs: dict[str, Any], retry: RetryPolicy) -> httpx.Response:
        return httpx_client.request(**kwargs)

    monkeypatch.setattr(create_assistant, "send_request", as_before)
    with pytest.raises(AssertionError, match="requests for"):
        retry_properties.retryable_failures_end_in_the_final_answer("sync", FIRST_FAILURE)


def test_a_client_that_never_retries_on_the_async_path_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    async def as_before(
        httpx_client: httpx.AsyncClient, kwargs: dict[str, Any], retry: RetryPolicy
    ) -> httpx.Response:
        return await httpx_client.request(**kwargs)

    monkeypatch.setattr(create_assistant, "send_request_async", as_before)
    with pytest.raises(AssertionError, match="requests for"):
        retry_properties.retryable_failures_end_in_the_final_answer("async", FIRST_FAILURE)


def test_a_client_that_retries_only_the_first_failure_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # The hand-over to httpx-retries after the first failure sends once instead of looping.
    monkeypatch.setattr(client_module, "retry_request", _send_once)
    monkeypatch.setattr(client_module, "aretry_request", _send_once_async)
    with pytest.raises(AssertionError, match="requests"):
        retry_properties.too_many_failures_give_the_last_one("async", FIRST_FAILURE)


def test_a_client_that_does_not_retry_connection_errors_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RetryPolicy, "is_retryable_exception", lambda self, exc: False)
    with pytest.raises(AssertionError, match="requests with"):
        retry_properties.too_many_failures_give_the_last_one("sync", FIRST_FAILURE)


def test_a_client_that_ignores_retry_after_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RetryPolicy, "retry_after", lambda self, headers: None)
    with pytest.raises(AssertionError, match="the server asked"):
        retry_properties.retryable_failures_end_in_the_final_answer("sync", FIRST_FAILURE)


def test_a_client_that_ignores_retry_after_ms_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    stock = RetryPolicy.retry_after

    def seconds_only(self: RetryPolicy, headers: httpx.Headers) -> float | None:
        headers = httpx.Headers({k: v for k, v in headers.items() if k != "retry-after-ms"})
        return stock(self, headers)

    monkeypatch.setattr(RetryPolicy, "retry_after", seconds_only)
    with pytest.raises(AssertionError, match="retry-after-ms"):
        retry_properties.retryable_failures_end_in_the_final_answer("async", FIRST_FAILURE)


def test_a_client_that_dates_retry_after_by_the_system_clock_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # httpx-retries' own parse_retry_after: whole seconds only, dates against datetime.now.
    monkeypatch.setattr(RetryPolicy, "parse_retry_after", Retry.parse_retry_after)
    with pytest.raises(AssertionError, match="the server asked"):
        retry_properties.retryable_failures_end_in_the_final_answer("sync", FIRST_FAILURE)


def test_a_client_that_waits_as_long_as_any_server_asks_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def uncapped(self: RetryPolicy, failure: httpx.Response | Exception) -> float:
        asked = self.retry_after(failure.headers) if isinstance(failure, httpx.Response) else None
        return asked if asked else self.backoff_strategy()

    monkeypatch.setattr(RetryPolicy, "wait_before_retry", uncapped)
    with pytest.raises(AssertionError, match="the backoff is"):
        retry_properties.retryable_failures_end_in_the_final_answer("sync", FIRST_FAILURE)


def test_a_client_without_backoff_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RetryPolicy, "backoff_strategy", lambda self: 0.0)
    with pytest.raises(AssertionError, match="the backoff is"):
        retry_properties.retryable_failures_end_in_the_final_answer("sync", FIRST_FAILURE)


def test_a_client_without_jitter_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RetryPolicy, "backoff_strategy", lambda self: min(0.5 * 2**self.attempts_made, 8.0))
    with pytest.raises(AssertionError, match="no jitter"):
        retry_properties.backoff_is_jittered("sync")


def test_a_client_that_retries_other_4xx_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RetryPolicy, "is_retryable_status_code", lambda self, code: code >= 400)
    with pytest.raises(AssertionError, match="was sent 2 times"):
        retry_properties.other_answers_are_not_retried("sync", FIRST_FAILURE)


def test_a_client_that_retries_once_too_often_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RetryPolicy, "is_exhausted", lambda self: self.attempts_made > self.total)
    with pytest.raises(AssertionError, match="requests with"):
        retry_properties.too_many_failures_give_the_last_one("async", FIRST_FAILURE)


def test_a_client_that_ignores_max_retries_per_call_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    stock = AuthenticatedClient.retry_for
    monkeypatch.setattr(AuthenticatedClient, "retry_for", lambda self, max_retries=None: stock(self))
    with pytest.raises(AssertionError, match="on the call"):
        retry_properties.too_many_failures_give_the_last_one("sync", FIRST_FAILURE)


def test_a_client_that_changes_the_request_on_a_retry_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    stock = retry_request

    def counting_attempts(client: httpx.Client, *args: Any, **kwargs: Any) -> httpx.Response:
        send, attempts = client.send, [0]

        def numbered(request: httpx.Request, **options: Any) -> httpx.Response:
            attempts[0] += 1
            request.headers["X-Attempt"] = str(attempts[0])
            return send(request, **options)

        monkeypatch.setattr(client, "send", numbered)
        return stock(client, *args, **kwargs)

    monkeypatch.setattr(client_module, "retry_request", counting_attempts)
    with pytest.raises(AssertionError, match="other headers"):
        retry_properties.retries_send_the_same_request("sync", FIRST_FAILURE)


def test_a_client_whose_max_retries_0_still_goes_through_httpx_retries_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def always_retrying(httpx_client: httpx.Client, kwargs: dict[str, Any], retry: RetryPolicy) -> Any:
        return retry_request(httpx_client, retry=retry, **kwargs)

    monkeypatch.setattr(create_assistant, "send_request", always_retrying)
    with pytest.raises(AssertionError, match="went through httpx-retries"):
        retry_properties.max_retries_0_sends_without_httpx_retries("sync", "client", monkeypatch)
