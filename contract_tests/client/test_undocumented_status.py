"""An operation without a `default` response: a status it does not list raises
errors.UnexpectedStatus (status and raw body kept) when Client.raise_on_unexpected_status is set,
and gives `parsed` None with the status and body kept when it is not.

spec/openapi.yaml documents every status through `default`, so this generates the client of a
variant of it without one, with the project's generator config and templates.
"""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.api.document import node_at
from contract_tests.client import strategies
from contract_tests.client.calls import API_KEY, BASE_URL, MODES, FakeClock, Mode, Reply
from contract_tests.client.properties import FIRST_FAILURE, PROPERTY_SETTINGS
from contract_tests.client.variant_client import generate_variant

PACKAGE = "assistants_v1_client_without_default"
BODIES = strategies.NON_JSON_BODIES | st.just(b'{"error": {"message": "gone"}}') | st.binary(max_size=32)


def _drop_default(document: dict[str, Any]) -> None:
    del node_at(document, strategies.seed().pointer)["responses"]["default"]


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    generate_variant(Path(tmp_path_factory.mktemp("variant")), PACKAGE, _drop_default)
    return importlib.import_module(f"{PACKAGE}.api.assistants.create_assistant")


def _create(variant: ModuleType, mode: Mode, reply: Reply, raise_on_unexpected_status: bool) -> Any:
    package = importlib.import_module(PACKAGE)
    models = importlib.import_module(f"{PACKAGE}.models")
    client_module = importlib.import_module(f"{PACKAGE}.client")
    body = models.CreateAssistantRequest.from_dict(strategies.example_value("request"))
    client = package.AuthenticatedClient(
        base_url=BASE_URL,
        token=API_KEY,
        raise_on_unexpected_status=raise_on_unexpected_status,
        httpx_args={"transport": httpx.MockTransport(reply)},
        retry_policy=client_module.RetryPolicy(clock=FakeClock()),  # a 5xx is retried: no real waits
    )
    if mode == "sync":
        return variant.sync_detailed(client=client, body=body)
    return asyncio.run(variant.asyncio_detailed(client=client, body=body))


def undocumented_statuses_follow_the_setting(variant: ModuleType, mode: Mode, run: settings) -> None:
    errors = importlib.import_module(f"{PACKAGE}.errors")

    @run
    @given(status=strategies.default_statuses(), content=BODIES)
    def check(status: int, content: bytes) -> None:
        with pytest.raises(errors.UnexpectedStatus) as raised:
            _create(variant, mode, Reply(status, content), raise_on_unexpected_status=True)
        assert (raised.value.status_code, raised.value.content) == (status, content)
        result = _create(variant, mode, Reply(status, content), raise_on_unexpected_status=False)
        assert result.parsed is None, f"parsed {result.parsed!r} for undocumented status {status}"
        assert (result.status_code, result.content) == (status, content)

    check()


@pytest.mark.parametrize("mode", MODES)
def test_an_undocumented_status_raises_or_gives_none_as_configured(variant: ModuleType, mode: Mode) -> None:
    undocumented_statuses_follow_the_setting(
        variant, mode, settings(PROPERTY_SETTINGS, max_examples=PROPERTY_SETTINGS.max_examples // 2)
    )


def test_a_client_that_ignores_raise_on_unexpected_status_is_caught(
    variant: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = importlib.import_module(f"{PACKAGE}.errors")
    stock = variant._parse_response

    def never_raises(**kwargs: Any) -> Any:
        try:
            return stock(**kwargs)
        except errors.UnexpectedStatus:
            return None

    monkeypatch.setattr(variant, "_parse_response", never_raises)
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        undocumented_statuses_follow_the_setting(variant, "sync", FIRST_FAILURE)


def test_a_documented_status_still_parses(variant: ModuleType) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    reply = Reply(200, strategies.json_bytes(strategies.example_value("response")))
    result = _create(variant, "sync", reply, raise_on_unexpected_status=True)
    assert isinstance(result.parsed, models.AssistantObject)
