"""End to end: the generated client against the reference server (contract_tests/server).

The async path runs in-process through httpx.ASGITransport, for any valid request body; the sync
path goes over a real loopback socket to the server under uvicorn.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from assistants_v1_client import AuthenticatedClient
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.models import (
    AssistantObject,
    AssistantObjectObject,
    CreateAssistantRequest,
    ErrorResponse,
)
from hypothesis import given
from starlette.applications import Starlette

from contract_tests.client import strategies
from contract_tests.client.properties import PROPERTY_SETTINGS
from contract_tests.serving import serve_in_thread
from contract_tests.server import create_app
from contract_tests.spec import schema_validator

API_KEY = "sk-test-reference-server"
IN_PROCESS_URL = "http://reference.test"


@pytest.fixture(scope="module")
def app() -> Starlette:
    return create_app(api_key=API_KEY)


@pytest.fixture(scope="module")
def base_url(app: Starlette) -> Iterator[str]:
    with serve_in_thread(app) as url:
        yield url


def request_defaults() -> dict[str, Any]:
    """The spec's defaults for the request fields a body may leave out."""
    properties = strategies.component_schema("CreateAssistantRequest")["properties"]
    return {name: field["default"] for name, field in properties.items() if "default" in field}


def check_created(request: dict[str, Any], raw: bytes, assistant: object, since: int) -> None:
    """Every field of the created assistant: what the request said, else the spec's default."""
    body = json.loads(raw)
    schema_validator("AssistantObject").validate(body)
    assert isinstance(assistant, AssistantObject), f"parsed {assistant!r}, not an assistant"
    assert assistant.to_dict() == body, "the parsed assistant does not serialise back to the body"
    assert assistant.id, "empty id"
    assert assistant.object_ is AssistantObjectObject.ASSISTANT
    assert since <= assistant.created_at <= int(time.time()) + 1, f"created_at {assistant.created_at}"
    expected = {**request_defaults(), **request}
    assert assistant.model == expected["model"]
    assert assistant.name == expected["name"]
    assert assistant.instructions == expected["instructions"]
    assert [tool.to_dict() for tool in assistant.tools] == expected["tools"]
    assert assistant.description == expected["description"]
    assert assistant.file_ids == expected["file_ids"]
    assert assistant.metadata.to_dict() == expected["metadata"]


def test_sync_client_creates_the_full_example_over_loopback(base_url: str) -> None:
    examples = strategies.operation()["requestBody"]["content"]["application/json"]["examples"]
    request = examples["weatherBot"]["value"]
    since = int(time.time())
    with AuthenticatedClient(base_url=base_url, token=API_KEY) as client:
        result = create_assistant.sync_detailed(client=client, body=CreateAssistantRequest.from_dict(request))
    assert result.status_code == 200
    check_created(request, result.content, result.parsed, since)


def test_sync_client_gets_the_servers_error_with_its_status(base_url: str) -> None:
    examples = strategies.operation()["requestBody"]["content"]["application/json"]["examples"]
    body = CreateAssistantRequest.from_dict(examples["mathTutor"]["value"])
    with AuthenticatedClient(base_url=base_url, token="sk-not-the-key") as client:
        result = create_assistant.sync_detailed(client=client, body=body)
    assert result.status_code == 401
    assert isinstance(result.parsed, ErrorResponse), f"parsed {result.parsed!r}, not an error"
    schema_validator("ErrorResponse").validate(json.loads(result.content))


def test_async_client_creates_any_valid_assistant_in_process(app: Starlette) -> None:
    @PROPERTY_SETTINGS
    @given(request=strategies.request_bodies())
    def check(request: dict[str, Any]) -> None:
        async def run() -> Any:
            transport = httpx.ASGITransport(app=app)
            client = AuthenticatedClient(
                base_url=IN_PROCESS_URL, token=API_KEY, httpx_args={"transport": transport}
            )
            async with client:
                return await create_assistant.asyncio_detailed(
                    client=client, body=CreateAssistantRequest.from_dict(request)
                )

        since = int(time.time())
        result = asyncio.run(run())
        assert result.status_code == 200, f"status {result.status_code}: {result.content[:300]!r}"
        check_created(request, result.content, result.parsed, since)

    check()
