"""End to end: the generated client against the reference server, a process of its own on a loopback
port, on its sync path and on its async path for any valid request body."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from assistants_v1_client import AuthenticatedClient
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.models import AssistantObject, CreateAssistantRequest, ErrorResponse
from hypothesis import given

from contract_tests.api.document import UNIQUE, UNIXTIME
from contract_tests.api.validators import validator_for
from contract_tests.client import strategies
from contract_tests.client.processes import reference_server
from contract_tests.client.properties import PROPERTY_SETTINGS

API_KEY = "sk-test-reference-server"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with reference_server(API_KEY) as url:
        yield url


def check_created(request: dict[str, Any], raw: bytes, assistant: object, since: int) -> None:
    """Every field of the created assistant: what the request said, else the spec's default; the
    fields the server assigns (`x-unique`, `format: unixtime`) new and current."""
    body = json.loads(raw)
    validator_for(strategies.success_pointer()).validate(body)
    assert isinstance(assistant, AssistantObject), f"parsed {assistant!r}, not an assistant"
    assert assistant.to_dict() == body, "the parsed assistant does not serialise back to the body"
    op = strategies.seed()
    expected = {**op.defaults, **request}
    for name, pointer in op.values.properties(strategies.success_pointer()).items():
        schema = op.values.schema(pointer)
        if name in expected and op.values.is_valid(pointer, expected[name]):
            assert body[name] == expected[name], f"{name} is {body.get(name)!r}, sent {expected[name]!r}"
        if schema.get(UNIQUE) is True:
            assert body[name] not in SEEN_IDS, f"{name} {body[name]!r} given twice"
            SEEN_IDS.add(body[name])
        if schema.get("format") == UNIXTIME:
            assert since <= body[name] <= int(time.time()) + 1, f"{name} {body[name]}"


SEEN_IDS: set[Any] = set()


def _example(kind: str) -> dict[str, Any]:
    """The richest (most fields) of the request examples, else a body built from the schema."""
    media = strategies.operation()["requestBody"]["content"][strategies.seed().content_type]
    examples = [example["value"] for example in media.get("examples", {}).values()]
    return max(examples, key=len) if examples else strategies.example_value(kind)


def test_sync_client_creates_the_full_example_over_loopback(base_url: str) -> None:
    request = _example("request")
    since = int(time.time())
    with AuthenticatedClient(base_url=base_url, token=API_KEY) as client:
        result = create_assistant.sync_detailed(client=client, body=CreateAssistantRequest.from_dict(request))
    assert result.status_code == strategies.seed().success_status
    check_created(request, result.content, result.parsed, since)


def test_sync_client_gets_the_servers_error_with_its_status(base_url: str) -> None:
    body = CreateAssistantRequest.from_dict(strategies.example_value("request"))
    with AuthenticatedClient(base_url=base_url, token="sk-not-the-key") as client:
        result = create_assistant.sync_detailed(client=client, body=body)
    assert result.status_code == 401
    assert isinstance(result.parsed, ErrorResponse), f"parsed {result.parsed!r}, not an error"
    validator_for(strategies.error_pointer()).validate(json.loads(result.content))


def test_async_client_creates_any_valid_assistant(base_url: str) -> None:
    @PROPERTY_SETTINGS
    @given(request=strategies.request_bodies())
    def check(request: dict[str, Any]) -> None:
        async def run() -> Any:
            client = AuthenticatedClient(base_url=base_url, token=API_KEY)
            async with client:
                return await create_assistant.asyncio_detailed(
                    client=client, body=CreateAssistantRequest.from_dict(request)
                )

        since = int(time.time())
        result = asyncio.run(run())
        success = strategies.seed().success_status
        assert result.status_code == success, f"status {result.status_code}: {result.content[:300]!r}"
        check_created(request, result.content, result.parsed, since)

    check()
