import asyncio
import math
import ssl
import time
from datetime import UTC
from email.utils import parsedate_to_datetime
from http import HTTPMethod
from typing import Any, Protocol, Self, cast

import httpx
from attrs import define, evolve, field, validators
from httpx_retries import Retry, RetryTransport, aretry_request, retry_request

# Headers every operation of the API sends with the only value the spec allows.
CONSTANT_HEADERS: dict[str, str] = {
    "OpenAI-Beta": "assistants=v1",
}

DEFAULT_MAX_RETRIES = 2
"""How many times a call is retried by default after its first attempt (the openai SDK's default)."""

RETRY_STATUSES: frozenset[int] = frozenset({408, 409, 429, *range(500, 600)})
"""The statuses a call is retried on, as by the openai SDK: 408 Request Timeout, 409 Conflict (a lock),
429 Too Many Requests and every 5xx. Any other status is returned at once."""

MAX_RETRY_AFTER = 60.0
"""The longest wait a server can ask for (Retry-After, retry-after-ms) that is honoured, in seconds, as by
the openai SDK; a longer one gets the backoff instead."""


class RetryClock(Protocol):
    """What RetryPolicy waits on: SYSTEM_CLOCK, or a fake clock in tests (no real sleeping)."""

    def time(self) -> float:
        """The current Unix time in seconds, to turn a `Retry-After` HTTP date into a wait."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds` before a retry on the sync path."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Wait `seconds` before a retry on the async path."""
        ...


class SystemClock:
    """The real clock: time.time, time.sleep, asyncio.sleep."""

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SYSTEM_CLOCK = SystemClock()

# httpx_retries.Retry's settings that make it retry as the openai SDK does. Backoff: before retry n,
# backoff_factor * 2**n seconds times a random factor in [1 - backoff_jitter, 1], at most
# max_backoff_wait. Every method is allowed: the SDK retries POST too, where httpx-retries by default
# retries idempotent methods only. retry_on_exceptions stays httpx-retries' default: timeouts,
# network errors and a server closing the connection.
_SDK_SETTINGS: dict[str, Any] = {
    "total": DEFAULT_MAX_RETRIES,
    "allowed_methods": frozenset(HTTPMethod),
    "status_forcelist": RETRY_STATUSES,
    "backoff_factor": 0.5,
    "backoff_jitter": 0.25,
    "max_backoff_wait": 8.0,
}


class RetryPolicy(Retry):
    """When a call is retried and how long it waits first: httpx-retries' Retry, configured to retry
    as the openai SDK does.

    Retried: a connection error or timeout (httpx.TimeoutException, httpx.NetworkError,
    httpx.RemoteProtocolError) and the statuses in RETRY_STATUSES (408, 409, 429, 5xx), at most
    `total` times (the client's or the call's `max_retries`). Any other status, and any other error,
    ends the call at once. After the last retry the call returns the last response, or raises the
    last error.

    Waited before each retry: what the server asked for, when that is more than 0 and at most
    `max_retry_after` seconds (MAX_RETRY_AFTER): `retry-after-ms` (milliseconds, sent by the openai
    API), else `Retry-After` in seconds (fractions too) or as an HTTP date. Otherwise httpx-retries'
    exponential backoff: 0.5 * 2**n seconds before retry n, times a random factor in [0.75, 1], at
    most 8 s (about 1 s, 2 s, 4 s, 8 s, 8 s, ...). The waits are slept on `clock`.

    Keyword arguments: those of httpx_retries.Retry (with the SDK's values above as defaults), plus
    `max_retry_after` and `clock`. What httpx-retries lacks and this class adds: `retry-after-ms`, a cap
    on server-asked waits apart from the backoff's (httpx-retries caps both at `max_backoff_wait`),
    fractional `Retry-After` seconds, and a replaceable clock (httpx-retries sleeps on time.sleep and
    asyncio.sleep, and dates Retry-After by datetime.now).
    """

    def __init__(
        self, *, max_retry_after: float = MAX_RETRY_AFTER, clock: RetryClock = SYSTEM_CLOCK, **settings: Any
    ) -> None:
        super().__init__(**{**_SDK_SETTINGS, **settings})
        if not max_retry_after >= 0:
            raise ValueError("max_retry_after must be non-negative")
        self.max_retry_after = max_retry_after
        self.clock = clock

    def copy_with(self, *args: Any, **kwargs: Any) -> "RetryPolicy":
        """Retry.copy_with (which increment() calls before every retry), keeping this class's own settings,
        which Retry's does not know."""
        copy = cast(RetryPolicy, super().copy_with(*args, **kwargs))
        copy.max_retry_after = self.max_retry_after
        copy.clock = self.clock
        return copy

    def increment(self) -> "RetryPolicy":
        """The policy of the next retry (Retry.increment, typed as this class)."""
        return cast(RetryPolicy, super().increment())

    def parse_retry_after(self, retry_after: str) -> float:
        """Seconds to wait for a `Retry-After` value: seconds (fractions too, as the openai SDK takes
        them) or an HTTP date, dated by `clock`; ValueError for anything else. Replaces Retry's own,
        which takes whole seconds only and dates by the system clock."""
        value = retry_after.strip()
        try:
            seconds = float(value)
        except ValueError:
            pass
        else:
            if math.isfinite(seconds) and seconds >= 0:
                return seconds
            raise ValueError(f"Invalid Retry-After header: {retry_after}")
        try:
            date = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"Invalid Retry-After header: {retry_after}") from exc
        if date.tzinfo is None:
            date = date.replace(tzinfo=UTC)
        return max(0.0, date.timestamp() - self.clock.time())

    def retry_after(self, headers: httpx.Headers) -> float | None:
        """The wait the server asked for, in seconds, or None (none asked, or not in a form understood):
        `retry-after-ms`, which httpx-retries does not read, first, as the openai SDK does."""
        milliseconds = headers.get("retry-after-ms")
        if milliseconds is not None:
            try:
                seconds = float(milliseconds) / 1000
            except ValueError:
                pass
            else:
                if math.isfinite(seconds) and seconds >= 0:
                    return seconds
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return self.parse_retry_after(value)
        except ValueError:
            return None

    def wait_before_retry(self, failure: httpx.Response | Exception) -> float:
        """Seconds to wait before the retry this policy is at (attempts_made, from 1) after `failure`:
        the server's ask when it is more than 0 and at most max_retry_after, else the backoff."""
        asked = None
        if self.respect_retry_after_header and isinstance(failure, httpx.Response):
            asked = self.retry_after(failure.headers)
        if asked is not None and 0 < asked <= self.max_retry_after:
            seconds = asked
        else:
            seconds = self.backoff_strategy()
        if self.total_timeout is not None:
            seconds = min(seconds, max(0.0, self.total_timeout - self.elapsed_sleep))
        return seconds

    def sleep(self, response: httpx.Response | Exception) -> None:
        """Waits before a retry (sync), on `clock`."""
        seconds = self.wait_before_retry(response)
        self.clock.sleep(seconds)
        self.elapsed_sleep += seconds

    async def asleep(self, response: httpx.Response | Exception) -> None:
        """Waits before a retry (async), on `clock`."""
        seconds = self.wait_before_retry(response)
        await self.clock.asleep(seconds)
        self.elapsed_sleep += seconds


# The first attempt of a call is sent by httpx alone, and handed to httpx-retries only when it failed in
# a way the policy retries (its is_retryable_exception / is_retryable_status_code): the policy's
# increment() and sleep() come first, then retry_request / aretry_request run the remaining attempts
# in httpx-retries' own loop (attempts_made carries on from 1). Not retry_request for every call,
# because that costs a call that succeeds about 7 µs (its check that the httpx client does not retry
# already, its loop's bookkeeping): some 3% of a call, out of the client's budget of 10% over raw httpx.


def send_request(httpx_client: httpx.Client, kwargs: dict[str, Any], retry: RetryPolicy) -> httpx.Response:
    """Sends an API function's request (keyword arguments of httpx.Client.request) and retries it as
    `retry` says. Retries go through httpx_client.send (with the body read), so a failure while the
    body is read is retried too, and they work around any httpx client, one given to set_httpx_client
    too. With no retries (total 0) this is httpx_client.request alone, as before retries existed.

    retry_request raises ValueError, before it sends anything, for an httpx client whose transport
    retries already (httpx_retries.RetryTransport), which would retry each attempt again."""
    if retry.total == 0:
        return httpx_client.request(**kwargs)
    failure: httpx.Response | Exception
    try:
        response = httpx_client.request(**kwargs)
    except Exception as exc:
        if not retry.is_retryable_exception(exc):
            raise
        failure = exc
    else:
        if not retry.is_retryable_status_code(response.status_code):
            return response
        response.close()
        failure = response
    retry = retry.increment()
    retry.sleep(failure)
    return retry_request(httpx_client, retry=retry, **kwargs)


async def send_request_async(
    httpx_client: httpx.AsyncClient, kwargs: dict[str, Any], retry: RetryPolicy
) -> httpx.Response:
    """send_request on the async path (httpx-retries' aretry_request)."""
    if retry.total == 0:
        return await httpx_client.request(**kwargs)
    failure: httpx.Response | Exception
    try:
        response = await httpx_client.request(**kwargs)
    except Exception as exc:
        if not retry.is_retryable_exception(exc):
            raise
        failure = exc
    else:
        if not retry.is_retryable_status_code(response.status_code):
            return response
        await response.aclose()
        failure = response
    retry = retry.increment()
    await retry.asleep(failure)
    return await aretry_request(httpx_client, retry=retry, **kwargs)


@define
class Client:
    """The client for operations that need no credentials.

    Keyword arguments, used to build the httpx.Client / httpx.AsyncClient behind it on first use:

        ``base_url``: the URL every operation's path is relative to.

        ``cookies``: cookies sent with every request.

        ``headers``: headers sent with every request, on top of CONSTANT_HEADERS.

        ``timeout``: an httpx.Timeout; an API function raises httpx.TimeoutException when it is exceeded.

        ``verify_ssl``: whether to verify the server's TLS certificate (a path or an SSLContext also work);
        only turn it off for tests.

        ``follow_redirects``: whether to follow redirects (default False).

        ``httpx_args``: any other keyword arguments of httpx.Client and httpx.AsyncClient, e.g. ``transport``.

        ``max_retries``: how many times a call is retried after a retryable failure (default 2; 0 turns
        retries off); an API function's ``max_retries`` argument overrides it for one call.

        ``retry_policy``: what is retried and how long to wait first, on which clock (a RetryPolicy; its
        defaults are the openai SDK's rules); the number of retries is ``max_retries``, not its ``total``.
    """

    raise_on_unexpected_status: bool = field(default=False, kw_only=True)
    """Whether or not to raise an errors.UnexpectedStatus if the API returns a status code that was not documented in the source OpenAPI document. Can also be provided as a keyword argument to the constructor."""
    _base_url: str = field(alias="base_url")
    _cookies: dict[str, str] = field(factory=dict, kw_only=True, alias="cookies")
    _headers: dict[str, str] = field(factory=dict, kw_only=True, alias="headers")
    _timeout: httpx.Timeout | None = field(default=None, kw_only=True, alias="timeout")
    _verify_ssl: str | bool | ssl.SSLContext = field(default=True, kw_only=True, alias="verify_ssl")
    _follow_redirects: bool = field(default=False, kw_only=True, alias="follow_redirects")
    _httpx_args: dict[str, Any] = field(factory=dict, kw_only=True, alias="httpx_args")
    max_retries: int = field(
        default=DEFAULT_MAX_RETRIES, kw_only=True, validator=[validators.instance_of(int), validators.ge(0)]
    )
    """How many times a call is retried after a retryable failure (see RetryPolicy); 0: never."""
    retry_policy: RetryPolicy = field(factory=RetryPolicy, kw_only=True)
    """What is retried and how long to wait first (the openai SDK's rules by default), on which clock."""
    _client: httpx.Client | None = field(default=None, init=False)
    _async_client: httpx.AsyncClient | None = field(default=None, init=False)
    _retry: tuple[RetryPolicy, RetryPolicy] | None = field(default=None, init=False)

    def with_headers(self, headers: dict[str, str]) -> "Client":
        """Get a new client matching this one with additional headers"""
        if self._client is not None:
            self._client.headers.update(headers)
        if self._async_client is not None:
            self._async_client.headers.update(headers)
        return evolve(self, headers={**self._headers, **headers})

    def with_cookies(self, cookies: dict[str, str]) -> "Client":
        """Get a new client matching this one with additional cookies"""
        if self._client is not None:
            self._client.cookies.update(cookies)
        if self._async_client is not None:
            self._async_client.cookies.update(cookies)
        return evolve(self, cookies={**self._cookies, **cookies})

    def with_timeout(self, timeout: httpx.Timeout) -> "Client":
        """Get a new client matching this one with a new timeout configuration"""
        if self._client is not None:
            self._client.timeout = timeout
        if self._async_client is not None:
            self._async_client.timeout = timeout
        return evolve(self, timeout=timeout)

    def retry_for(self, max_retries: int | None = None) -> RetryPolicy:
        """The RetryPolicy of one call: retry_policy with `max_retries` retries (the client's when None).

        Raises ValueError when the call is to retry while httpx_args give a transport that retries
        already (httpx_retries.RetryTransport): each attempt would be retried again. (httpx-retries
        refuses such an httpx client too, but only once a retry is due.)"""
        own = max_retries is None or max_retries == self.max_retries
        cached = self._retry
        # The client's own policy is built once, not on every call: a copy costs a few microseconds.
        if own and cached is not None and cached[0] is self.retry_policy and cached[1].total == self.max_retries:
            return cached[1]
        retry = self.retry_policy.copy_with(total=self.max_retries if max_retries is None else max_retries)
        transports = [self._httpx_args.get("transport"), *dict(self._httpx_args.get("mounts") or {}).values()]
        if retry.total and any(isinstance(transport, RetryTransport) for transport in transports):
            raise ValueError(
                "httpx_args give an httpx_retries.RetryTransport, which retries each attempt already: "
                "use max_retries=0 with it, or leave retrying to the client"
            )
        if own:
            self._retry = (self.retry_policy, retry)
        return retry

    def _httpx_settings(self) -> dict[str, Any]:
        """The keyword arguments of the httpx clients this client builds."""
        return {
            "base_url": self._base_url,
            "cookies": self._cookies,
            "headers": {**CONSTANT_HEADERS, **self._headers},
            "timeout": self._timeout,
            "verify": self._verify_ssl,
            "follow_redirects": self._follow_redirects,
            **self._httpx_args,
        }

    def set_httpx_client(self, client: httpx.Client) -> Self:
        """Manually set the underlying httpx.Client

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._client = client
        return self

    def get_httpx_client(self) -> httpx.Client:
        """Get the underlying httpx.Client, constructing a new one if not previously set"""
        if self._client is None:
            self._client = httpx.Client(**self._httpx_settings())
        return self._client

    def __enter__(self) -> Self:
        """Enter a context manager for self.client—you cannot enter twice (see httpx docs)"""
        self.get_httpx_client().__enter__()
        return self

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        """Exit a context manager for internal httpx.Client (see httpx docs)"""
        self.get_httpx_client().__exit__(*args, **kwargs)

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        """Manually set the underlying httpx.AsyncClient

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._async_client = async_client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        """Get the underlying httpx.AsyncClient, constructing a new one if not previously set"""
        if self._async_client is None:
            self._async_client = httpx.AsyncClient(**self._httpx_settings())
        return self._async_client

    async def __aenter__(self) -> Self:
        """Enter a context manager for underlying httpx.AsyncClient—you cannot enter twice (see httpx docs)"""
        await self.get_async_httpx_client().__aenter__()
        return self

    async def __aexit__(self, *args: Any, **kwargs: Any) -> None:
        """Exit a context manager for underlying httpx.AsyncClient (see httpx docs)"""
        await self.get_async_httpx_client().__aexit__(*args, **kwargs)


@define
class AuthenticatedClient:
    """The client for operations that need the API key: sends it in the `auth_header_name` header.

    Keyword arguments, used to build the httpx.Client / httpx.AsyncClient behind it on first use:

        ``base_url``: the URL every operation's path is relative to.

        ``cookies``: cookies sent with every request.

        ``headers``: headers sent with every request, on top of CONSTANT_HEADERS.

        ``timeout``: an httpx.Timeout; an API function raises httpx.TimeoutException when it is exceeded.

        ``verify_ssl``: whether to verify the server's TLS certificate (a path or an SSLContext also work);
        only turn it off for tests.

        ``follow_redirects``: whether to follow redirects (default False).

        ``httpx_args``: any other keyword arguments of httpx.Client and httpx.AsyncClient, e.g. ``transport``.

        ``max_retries``: how many times a call is retried after a retryable failure (default 2; 0 turns
        retries off); an API function's ``max_retries`` argument overrides it for one call.

        ``retry_policy``: what is retried and how long to wait first, on which clock (a RetryPolicy; its
        defaults are the openai SDK's rules); the number of retries is ``max_retries``, not its ``total``.
    """

    raise_on_unexpected_status: bool = field(default=False, kw_only=True)
    """Whether or not to raise an errors.UnexpectedStatus if the API returns a status code that was not documented in the source OpenAPI document. Can also be provided as a keyword argument to the constructor."""
    _base_url: str = field(alias="base_url")
    _cookies: dict[str, str] = field(factory=dict, kw_only=True, alias="cookies")
    _headers: dict[str, str] = field(factory=dict, kw_only=True, alias="headers")
    _timeout: httpx.Timeout | None = field(default=None, kw_only=True, alias="timeout")
    _verify_ssl: str | bool | ssl.SSLContext = field(default=True, kw_only=True, alias="verify_ssl")
    _follow_redirects: bool = field(default=False, kw_only=True, alias="follow_redirects")
    _httpx_args: dict[str, Any] = field(factory=dict, kw_only=True, alias="httpx_args")
    max_retries: int = field(
        default=DEFAULT_MAX_RETRIES, kw_only=True, validator=[validators.instance_of(int), validators.ge(0)]
    )
    """How many times a call is retried after a retryable failure (see RetryPolicy); 0: never."""
    retry_policy: RetryPolicy = field(factory=RetryPolicy, kw_only=True)
    """What is retried and how long to wait first (the openai SDK's rules by default), on which clock."""
    _client: httpx.Client | None = field(default=None, init=False)
    _async_client: httpx.AsyncClient | None = field(default=None, init=False)
    _retry: tuple[RetryPolicy, RetryPolicy] | None = field(default=None, init=False)

    token: str
    """The token to use for authentication"""
    prefix: str = "Bearer"
    """The prefix to use for the Authorization header"""
    auth_header_name: str = "Authorization"
    """The name of the Authorization header"""

    def with_headers(self, headers: dict[str, str]) -> "AuthenticatedClient":
        """Get a new client matching this one with additional headers"""
        if self._client is not None:
            self._client.headers.update(headers)
        if self._async_client is not None:
            self._async_client.headers.update(headers)
        return evolve(self, headers={**self._headers, **headers})

    def with_cookies(self, cookies: dict[str, str]) -> "AuthenticatedClient":
        """Get a new client matching this one with additional cookies"""
        if self._client is not None:
            self._client.cookies.update(cookies)
        if self._async_client is not None:
            self._async_client.cookies.update(cookies)
        return evolve(self, cookies={**self._cookies, **cookies})

    def with_timeout(self, timeout: httpx.Timeout) -> "AuthenticatedClient":
        """Get a new client matching this one with a new timeout configuration"""
        if self._client is not None:
            self._client.timeout = timeout
        if self._async_client is not None:
            self._async_client.timeout = timeout
        return evolve(self, timeout=timeout)

    def retry_for(self, max_retries: int | None = None) -> RetryPolicy:
        """The RetryPolicy of one call: retry_policy with `max_retries` retries (the client's when None).

        Raises ValueError when the call is to retry while httpx_args give a transport that retries
        already (httpx_retries.RetryTransport): each attempt would be retried again. (httpx-retries
        refuses such an httpx client too, but only once a retry is due.)"""
        own = max_retries is None or max_retries == self.max_retries
        cached = self._retry
        # The client's own policy is built once, not on every call: a copy costs a few microseconds.
        if own and cached is not None and cached[0] is self.retry_policy and cached[1].total == self.max_retries:
            return cached[1]
        retry = self.retry_policy.copy_with(total=self.max_retries if max_retries is None else max_retries)
        transports = [self._httpx_args.get("transport"), *dict(self._httpx_args.get("mounts") or {}).values()]
        if retry.total and any(isinstance(transport, RetryTransport) for transport in transports):
            raise ValueError(
                "httpx_args give an httpx_retries.RetryTransport, which retries each attempt already: "
                "use max_retries=0 with it, or leave retrying to the client"
            )
        if own:
            self._retry = (self.retry_policy, retry)
        return retry

    def _httpx_settings(self) -> dict[str, Any]:
        """The keyword arguments of the httpx clients this client builds."""
        self._headers[self.auth_header_name] = f"{self.prefix} {self.token}" if self.prefix else self.token
        return {
            "base_url": self._base_url,
            "cookies": self._cookies,
            "headers": {**CONSTANT_HEADERS, **self._headers},
            "timeout": self._timeout,
            "verify": self._verify_ssl,
            "follow_redirects": self._follow_redirects,
            **self._httpx_args,
        }

    def set_httpx_client(self, client: httpx.Client) -> Self:
        """Manually set the underlying httpx.Client

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._client = client
        return self

    def get_httpx_client(self) -> httpx.Client:
        """Get the underlying httpx.Client, constructing a new one if not previously set"""
        if self._client is None:
            self._client = httpx.Client(**self._httpx_settings())
        return self._client

    def __enter__(self) -> Self:
        """Enter a context manager for self.client—you cannot enter twice (see httpx docs)"""
        self.get_httpx_client().__enter__()
        return self

    def __exit__(self, *args: Any, **kwargs: Any) -> None:
        """Exit a context manager for internal httpx.Client (see httpx docs)"""
        self.get_httpx_client().__exit__(*args, **kwargs)

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        """Manually set the underlying httpx.AsyncClient

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._async_client = async_client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        """Get the underlying httpx.AsyncClient, constructing a new one if not previously set"""
        if self._async_client is None:
            self._async_client = httpx.AsyncClient(**self._httpx_settings())
        return self._async_client

    async def __aenter__(self) -> Self:
        """Enter a context manager for underlying httpx.AsyncClient—you cannot enter twice (see httpx docs)"""
        await self.get_async_httpx_client().__aenter__()
        return self

    async def __aexit__(self, *args: Any, **kwargs: Any) -> None:
        """Exit a context manager for underlying httpx.AsyncClient (see httpx docs)"""
        await self.get_async_httpx_client().__aexit__(*args, **kwargs)


def drop_preset_headers(kwargs: dict[str, Any], preset: httpx.Headers) -> None:
    """Removes `headers` from a request's keyword arguments when the httpx client already sends each
    of them with the same value: httpx would merge them into the same headers, at a cost on every call."""
    headers = kwargs.get("headers")
    if headers and all(preset.get(name) == value for name, value in headers.items()):
        del kwargs["headers"]
