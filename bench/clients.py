"""The three ways to create an assistant that the client benchmark compares, built the same way.

Each library is imported inside its builder so that a fresh interpreter measuring one of them
(bench.client_child) loads that library alone.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bench.procs import BenchError

# One request and one response, the same for every client; mirrors the spec's mathTutor example.
BODY: dict[str, Any] = {
    "model": "gpt-4-turbo",
    "name": "Math Tutor",
    "instructions": "You are a personal math tutor.",
    "tools": [{"type": "code_interpreter"}],
}
CANNED: dict[str, Any] = {
    "id": "asst_abc123",
    "object": "assistant",
    "created_at": 1698984975,
    "name": "Math Tutor",
    "description": None,
    "model": "gpt-4-turbo",
    "instructions": "You are a personal math tutor.",
    "tools": [{"type": "code_interpreter"}],
    "file_ids": [],
    "metadata": {},
    "top_p": 1.0,
    "temperature": 1.0,
    "response_format": "auto",
}
MOCK_BASE_URL = "http://assistants.bench"
CLIENTS = ("raw_httpx", "generated", "openai_sdk")
LABELS = {
    "raw_httpx": "raw httpx (floor)",
    "generated": "generated client (retries on)",
    "generated_no_retries": "generated, max_retries=0",
    "openai_sdk": "openai SDK 1.20.0",
    "generated_stock": "generated, stock templates",
}


@dataclass(frozen=True)
class Caller:
    """One create-assistant call, repeatable, and how to release the client behind it."""

    call: Callable[[], object]
    close: Callable[[], None]


Builder = Callable[[str, str, httpx.BaseTransport | None], Caller]


def canned_transport() -> httpx.MockTransport:
    """In memory: every request gets the same 200 JSON, so only the client's own work is timed."""
    content = json.dumps(CANNED).encode()
    headers = {"content-type": "application/json"}
    return httpx.MockTransport(lambda request: httpx.Response(200, content=content, headers=headers))


def raw_httpx(base_url: str, api_key: str, transport: httpx.BaseTransport | None) -> Caller:
    client = httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {api_key}", "OpenAI-Beta": "assistants=v1"},
        transport=transport,
    )

    def call() -> object:
        response = client.post("/v1/assistants", json=BODY)
        response.raise_for_status()
        return response.json()

    return Caller(call, client.close)


def generated(
    base_url: str, api_key: str, transport: httpx.BaseTransport | None, max_retries: int | None = None
) -> Caller:
    """The generated client as users build it: retries on (its default max_retries), unless given."""
    from assistants_v1_client import AuthenticatedClient  # noqa: PLC0415 (see the module docstring)
    from assistants_v1_client.api.assistants import create_assistant  # noqa: PLC0415
    from assistants_v1_client.models import AssistantObject, CodeInterpreterTool, CreateAssistantRequest  # noqa: PLC0415

    httpx_args = {"transport": transport} if transport is not None else {}
    if max_retries is None:
        client = AuthenticatedClient(base_url=base_url, token=api_key, httpx_args=httpx_args)
    else:
        client = AuthenticatedClient(
            base_url=base_url, token=api_key, httpx_args=httpx_args, max_retries=max_retries
        )

    def call() -> object:
        body = CreateAssistantRequest(
            model=BODY["model"],
            name=BODY["name"],
            instructions=BODY["instructions"],
            tools=[CodeInterpreterTool()],
        )
        assistant = create_assistant.sync(client=client, body=body)
        if not isinstance(assistant, AssistantObject):
            raise BenchError(f"generated client got {assistant!r}")
        return assistant

    return Caller(call, client.get_httpx_client().close)


def generated_no_retries(base_url: str, api_key: str, transport: httpx.BaseTransport | None) -> Caller:
    """The generated client with max_retries=0: as it was before it retried."""
    return generated(base_url, api_key, transport, max_retries=0)


def openai_sdk(base_url: str, api_key: str, transport: httpx.BaseTransport | None) -> Caller:
    import openai  # noqa: PLC0415

    # Its default max_retries (2) is left on, as the generated client's.
    # openai 1.20.0 would build its own httpx client with `proxies`, which httpx 0.28 removed.
    http_client = httpx.Client(transport=transport)
    client = openai.OpenAI(api_key=api_key, base_url=f"{base_url}/v1", http_client=http_client)

    def call() -> object:
        return client.beta.assistants.create(
            model=BODY["model"],
            name=BODY["name"],
            instructions=BODY["instructions"],
            tools=[{"type": "code_interpreter"}],
        )

    return Caller(call, client.close)


def stock_generated(package: str) -> Builder:
    """The same spec generated with openapi-python-client's stock templates (importable as `package`):
    the baseline our templates are measured against."""

    def build(base_url: str, api_key: str, transport: httpx.BaseTransport | None) -> Caller:
        root: Any = importlib.import_module(package)
        api: Any = importlib.import_module(f"{package}.api.assistants.create_assistant")
        models: Any = importlib.import_module(f"{package}.models")
        httpx_args = {"transport": transport} if transport is not None else {}
        client = root.AuthenticatedClient(base_url=base_url, token=api_key, httpx_args=httpx_args)

        def call() -> object:
            body = models.CreateAssistantRequest(
                model=BODY["model"],
                name=BODY["name"],
                instructions=BODY["instructions"],
                tools=[models.CodeInterpreterTool()],
            )
            assistant = api.sync(client=client, body=body)
            if not isinstance(assistant, models.AssistantObject):
                raise BenchError(f"stock generated client got {assistant!r}")
            return assistant

        return Caller(call, client.get_httpx_client().close)

    return build


BUILDERS: dict[str, Builder] = {
    "raw_httpx": raw_httpx,
    "generated": generated,
    "openai_sdk": openai_sdk,
}


def check_same_request(name: str, api_key: str, builder: Builder | None = None) -> None:
    """Before timing: the client must send the same JSON with the same two headers as the others."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CANNED)

    caller = (builder or BUILDERS[name])(MOCK_BASE_URL, api_key, httpx.MockTransport(handler))
    try:
        caller.call()
    finally:
        caller.close()
    request = seen[0]
    problems = []
    if (request.method, request.url.path) != ("POST", "/v1/assistants"):
        problems.append(f"{request.method} {request.url.path}")
    if request.headers.get("openai-beta") != "assistants=v1":
        problems.append("no OpenAI-Beta: assistants=v1")
    if request.headers.get("authorization") != f"Bearer {api_key}":
        problems.append("no bearer token")
    if json.loads(request.content) != BODY:
        problems.append("a different JSON body")
    if problems:
        raise BenchError(f"{LABELS[name]} sends {', '.join(problems)}")
