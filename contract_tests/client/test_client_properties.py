"""The generated client speaks the contract of spec/openapi.yaml for every input the spec allows,
on its sync and its async path (each property runs properties.EXAMPLES examples, plus explicit
examples at the spec's limits)."""

from __future__ import annotations

import pytest

from contract_tests.api.validators import validator_for
from contract_tests.client import properties, strategies
from contract_tests.client.calls import MODES, Mode


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


@pytest.mark.parametrize("kind", ["request", "response"])
def test_the_bodies_at_the_limits_are_valid(kind: str) -> None:
    pointer = strategies.request_pointer() if kind == "request" else strategies.success_pointer()
    body = strategies.filled_to_the_limits(pointer)
    validator_for(pointer).validate(body)
    values = strategies.seed().values
    limited = 0
    for name, where in values.properties(pointer).items():
        schema = values.schema(where)
        for keyword in ("maxLength", "maxItems", "maxProperties"):
            if keyword in schema and "pattern" not in schema:
                assert len(body[name]) == schema[keyword], f"{name} is not at its {keyword}"
                limited += 1
    assert limited, "the schema states no limit to fill to"


@pytest.mark.parametrize("name", sorted(properties.defaulted_fields()))
@pytest.mark.parametrize("mode", MODES)
def test_unset_defaults_are_not_sent(mode: Mode, name: str) -> None:
    properties.unset_defaults_are_not_sent(mode, name, properties.PER_TOOL_KIND_SETTINGS)


@pytest.mark.parametrize("mode", MODES)
def test_an_own_httpx_client_gets_the_beta_header(mode: Mode) -> None:
    properties.own_httpx_client_gets_the_beta_header(mode)


@pytest.mark.parametrize("kind", sorted(strategies.request_kinds()))
@pytest.mark.parametrize("mode", MODES)
def test_requests_with_every_tool_kind_follow_the_contract(mode: Mode, kind: str) -> None:
    """Each kind of tool, built from its own schema (no example needed), goes out as the caller gave it."""
    properties.request_with_kind_follows_the_contract(mode, kind)
