"""The official openai SDK at its last assistants=v1 release works against the reference server."""

from __future__ import annotations

import openai
import pytest
from openai import OpenAI
from starlette.testclient import TestClient

from tests import spec_facts as facts
from tests.server.conftest import API_KEY


def sdk(client: TestClient, api_key: str = API_KEY) -> OpenAI:
    # The test client routes the SDK's requests into the app; the host in base_url is never dialled.
    return OpenAI(api_key=api_key, base_url="http://testserver/v1", http_client=client, max_retries=0)


def test_sdk_is_the_v1_release() -> None:
    assert openai.__version__ == "1.20.0"


def test_sdk_creates_an_assistant(client: TestClient) -> None:
    assistant = sdk(client).beta.assistants.create(
        model="gpt-4-turbo",
        name="Math Tutor",
        instructions="You are a personal math tutor.",
        tools=[{"type": "code_interpreter"}, {"type": "function", "function": {"name": "add"}}],
        metadata={"team": "math"},
    )
    assert assistant.object == "assistant"
    assert assistant.id.startswith("asst_")
    assert (assistant.name, assistant.model, assistant.metadata) == (
        "Math Tutor",
        "gpt-4-turbo",
        {"team": "math"},
    )
    assert [tool.type for tool in assistant.tools] == ["code_interpreter", "function"]


def test_sdk_gets_a_400_as_bad_request_error(client: TestClient) -> None:
    # The SDK's `name` argument, one character over the spec's limit.
    limit = {prop.name: prop.schema for prop in facts.request_properties()}["name"]["maxLength"]
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(client).beta.assistants.create(
            model="gpt-4-turbo", name="n" * (limit + 1), instructions="i", tools=[]
        )
    assert caught.value.status_code == 400
    assert caught.value.param == "name"


def test_sdk_gets_a_401_as_authentication_error(client: TestClient) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        sdk(client, api_key="sk-wrong").beta.assistants.create(
            model="gpt-4-turbo", name="n", instructions="i", tools=[]
        )
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
