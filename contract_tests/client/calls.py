"""Calling the generated client against an in-memory httpx transport, on its sync or async path.

No network: `httpx.MockTransport` hands each request to a handler, which records it and answers.
No real waiting either: the client's retries wait on a FakeClock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import httpx
from assistants_v1_client import AuthenticatedClient
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.client import RetryPolicy
from assistants_v1_client.models import AssistantObject, CreateAssistantRequest, ErrorResponse
from assistants_v1_client.types import Response

# A made-up key: the tests check it is sent, never print it.
API_KEY = "sk-test-client-contract"
BASE_URL = "https://api.example.test"
Mode = Literal["sync", "async"]
MODES: tuple[Mode, ...] = ("sync", "async")
Handler = Callable[[httpx.Request], httpx.Response]
Result = Response[AssistantObject | ErrorResponse]


@dataclass
class FakeClock:
    """A RetryClock that never sleeps: it records each wait and moves its own time on by it."""

    now: float = 1_700_000_000.0
    waits: list[float] = field(default_factory=list)

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@dataclass
class Reply:
    """A handler that records every request and answers each with the same status and body."""

    status_code: int
    content: bytes
    content_type: str = "application/json"
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return httpx.Response(
            self.status_code, content=self.content, headers={"Content-Type": self.content_type}
        )


def create(
    mode: Mode, handler: Handler, body: CreateAssistantRequest, clock: FakeClock | None = None
) -> Result:
    """`create_assistant.sync_detailed` or `asyncio_detailed` through a fresh client on `handler`, with
    the default retries, waiting on `clock` (a new FakeClock when None)."""
    transport = httpx.MockTransport(handler)
    client = AuthenticatedClient(
        base_url=BASE_URL,
        token=API_KEY,
        httpx_args={"transport": transport},
        retry_policy=RetryPolicy(clock=clock or FakeClock()),
    )
    if mode == "sync":
        with client:
            return create_assistant.sync_detailed(client=client, body=body)

    async def run() -> Result:
        async with client:
            return await create_assistant.asyncio_detailed(client=client, body=body)

    return asyncio.run(run())
