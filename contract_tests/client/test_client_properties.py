"""The generated client speaks the contract of spec/openapi.yaml for every input the spec allows,
on its sync and its async path (each property runs properties.EXAMPLES examples, plus explicit
examples at the spec's limits)."""

from __future__ import annotations

import pytest

from contract_tests.client import properties, strategies
from contract_tests.client.calls import MODES, Mode
from contract_tests.spec import schema_validator


@pytest.mark.parametrize("mode", MODES)
def test_requests_follow_the_contract(mode: Mode) -> None:
    properties.requests_follow_the_contract(mode)


@pytest.mark.parametrize("mode", MODES)
def test_assistants_parse_losslessly(mode: Mode) -> None:
    properties.assistants_parse_losslessly(mode)


@pytest.mark.parametrize("tool_kind", sorted(strategies.tool_kinds()))
def test_assistants_with_every_tool_kind_parse_losslessly(tool_kind: str) -> None:
    properties.assistants_parse_losslessly("sync", tool_kind, properties.PER_TOOL_KIND_SETTINGS)


@pytest.mark.parametrize("mode", MODES)
def test_error_bodies_parse_with_their_status(mode: Mode) -> None:
    properties.error_bodies_parse_with_their_status(mode)


@pytest.mark.parametrize("mode", MODES)
def test_unparsable_bodies_raise_with_status_and_body(mode: Mode) -> None:
    properties.unparsable_bodies_raise_with_status_and_body(mode)


@pytest.mark.parametrize(
    ("kind", "schema_name"), [("request", "CreateAssistantRequest"), ("response", "AssistantObject")]
)
def test_the_bodies_at_the_limits_are_valid(kind: str, schema_name: str) -> None:
    body = strategies.filled_to_the_limits(strategies.example_value(kind), schema_name)
    schema_validator(schema_name).validate(body)
    assert len(body["tools"]) == strategies.component_schema(schema_name)["properties"]["tools"]["maxItems"]


@pytest.mark.parametrize("mode", MODES)
def test_an_own_httpx_client_gets_the_beta_header(mode: Mode) -> None:
    properties.own_httpx_client_gets_the_beta_header(mode)
