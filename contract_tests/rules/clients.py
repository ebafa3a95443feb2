"""How a client behaves across requests: what it does after a 429 or a refusal, judged on the traffic.

A request's fingerprint is its method, path, query and body, and the key it carries. The same request sent
again is judged as a retry only where it is known to be one: an application sends the same request on
purpose too (a poll, the same retrieve twice), and nothing on the wire tells such a call from a retry.
A request is known to be a retry when

- it says so: a retry count above 0 (`x-stainless-retry-count`, sent by the openai SDKs since
  openai-python 1.47.0 and openai-node 4.63.0; 1.20.0 and 4.36.0 send no marker), or the `Idempotency-Key`
  the earlier sending carried (a new call gets a new key); a retry count of 0 says it is a new call;
- or it repeats a request the mock answered with a fault of its own (a 429, a 503, a dropped or a cut
  answer, asked for with `X-Contract-Fault` or drawn by `--faults`), which the client can only retry.

After a 429 or a 503 that asked for a wait (`Retry-After`, or `retry-after-ms`), a retry sooner than asked
breaks `retry_after_respected`; after a 4xx other than 408, 409 and 429 (which say the request may succeed
later), a retry within `RETRY_WINDOW_SECONDS` breaks `client_errors_not_retried`: the same request gets
the same refusal, and a client retrying it only adds load.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from contract_tests.api.faults import Fault
from contract_tests.rules.exchange import Sent
from contract_tests.rules.requests import Violation

# A request asks the mock for a fault with it; the mock marks its faults' answers with it, so that a proxy
# in front of a mock knows them too.
FAULT_HEADER = "x-contract-fault"
# The headers by which SDKs count their tries of one call (0 for the first).
RETRY_COUNT_HEADERS = ("x-stainless-retry-count",)
IDEMPOTENCY_HEADER = "idempotency-key"
RETRY_WINDOW_SECONDS = 10.0
RETRYABLE = frozenset({408, 409, 429})
TOLERANCE_SECONDS = 0.05  # clocks and schedulers: a retry this much early is on time
_KEPT = 10_000  # fingerprints remembered, at most


@dataclass(frozen=True)
class Answered:
    status: int
    at: float
    wait: float | None  # seconds the answer asked the client to wait, if it did
    injected: bool = False  # a fault of the mock's, not the server's answer
    idempotency_key: str | None = None  # the key the request carried


@dataclass(frozen=True)
class Marks:
    """What a request says of itself: which try of its call it is, and its call's idempotency key."""

    tries_before: int | None  # None: it does not say
    idempotency_key: str | None


def marks_of(sent: Sent) -> Marks:
    tries: int | None = None
    for name in RETRY_COUNT_HEADERS:
        value = (sent.header(name) or "").strip()
        if value.isdigit():
            tries = int(value)
            break
    return Marks(tries, sent.header(IDEMPOTENCY_HEADER))


NO_MARKS = Marks(None, None)


# Headers that differ between two sendings of one request: set by the transport, or counting the tries.
_VOLATILE = frozenset(
    {
        "host",
        "content-length",
        "user-agent",
        "accept-encoding",
        "connection",
        "date",
        "traceparent",
        "tracestate",
        "x-request-id",
        "idempotency-key",
    }
)
# `X-Contract-Fault` is not among them: a retry repeats it, and a request without it is another call (a
# client whose tries all met the 429 it asked for, then made a new call, waited as it was told).


def fingerprint(sent: Sent) -> str:
    """The request as a retry repeats it: its method, URL, body and headers (not those a client or its
    transport change from one try to the next, such as a retry count)."""
    digest = hashlib.sha256()
    lowered = ((name.lower(), value) for name, value in sent.headers)
    headers = sorted(
        (name, value)
        for name, value in lowered
        if name not in _VOLATILE and not name.startswith("x-stainless-")
    )
    for part in (sent.method, sent.url, *(f"{name}: {value}" for name, value in headers)):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(sent.body)
    return digest.hexdigest()


def asked_wait(headers: dict[str, str], now: float) -> float | None:
    """The seconds a response asks a client to wait: `retry-after-ms`, else `Retry-After` (seconds or an
    HTTP date)."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(float(milliseconds) / 1000, 0.0)
        except ValueError:
            pass
    seconds = headers.get("retry-after")
    if seconds is None:
        return None
    try:
        return max(float(seconds), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(seconds).timestamp() - now, 0.0)
    except (TypeError, ValueError):
        return None


class ClientHistory:
    """What each request got, so that its next sending can be judged."""

    def __init__(self) -> None:
        self._answered: dict[str, Answered] = {}
        self._lock = threading.Lock()

    def judge(self, printed: str, now: float, marks: Marks = NO_MARKS) -> list[Violation]:
        """The rules of behaviour a request of this fingerprint breaks, sent at `now`, if it is a retry."""
        with self._lock:
            before = self._answered.get(printed)
        if before is None or not _retry(before, marks):
            return []
        elapsed = now - before.at
        if before.status in (429, 503) and before.wait and elapsed + TOLERANCE_SECONDS < before.wait:
            return [
                Violation(
                    "retry_after_respected",
                    Fault.INVALID,
                    "Retry-After",
                    f"sent again {elapsed:.2f} s after a {before.status} that asked to wait"
                    f" {before.wait:g} s",
                )
            ]
        retryable = before.status in RETRYABLE or before.status < 400 or before.status >= 500
        if not retryable and elapsed < RETRY_WINDOW_SECONDS:
            return [
                Violation(
                    "client_errors_not_retried",
                    Fault.INVALID,
                    "the request",
                    f"sent again, as it was, {elapsed:.2f} s after a {before.status} refused it",
                )
            ]
        return []

    def answered(
        self,
        printed: str,
        status: int,
        headers: dict[str, str],
        now: float,
        *,
        injected: bool = False,
        marks: Marks = NO_MARKS,
    ) -> None:
        answered = Answered(status, now, asked_wait(headers, now), injected, marks.idempotency_key)
        with self._lock:
            if len(self._answered) >= _KEPT:
                self._answered.pop(next(iter(self._answered)))
            self._answered[printed] = answered


def _retry(before: Answered, marks: Marks) -> bool:
    """Whether a request sent again after `before` is known to be a retry of it (see above)."""
    if marks.tries_before is not None:
        return marks.tries_before > 0
    if marks.idempotency_key is not None and marks.idempotency_key == before.idempotency_key:
        return True
    return before.injected
