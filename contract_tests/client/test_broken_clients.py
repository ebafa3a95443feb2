"""The client properties have teeth: each deliberately broken client below makes one of them fail.

Each test breaks one piece of the generated client with monkeypatch (never by editing generated/),
runs the property that guards it and expects the counterexample's assertion error.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from assistants_v1_client import client as client_module
from assistants_v1_client import errors
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.models import (
    AssistantObject,
    CreateAssistantRequest,
    ErrorResponse,
    assistant_object,
    error,
)

from contract_tests.client import properties, strategies
from contract_tests.client.calls import BASE_URL

REQUIRED_HEADERS = strategies.seed().required_headers()


def test_a_request_without_the_beta_header_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    stock = create_assistant._get_kwargs

    def without_beta_header(**kwargs: Any) -> dict[str, Any]:
        request = stock(**kwargs)
        request["headers"] = {k: v for k, v in request["headers"].items() if k not in REQUIRED_HEADERS}
        return request

    monkeypatch.setattr(create_assistant, "_get_kwargs", without_beta_header)
    monkeypatch.setattr(client_module, "CONSTANT_HEADERS", {})
    with pytest.raises(AssertionError, match=next(iter(REQUIRED_HEADERS))):
        properties.requests_follow_the_contract("sync", properties.FIRST_FAILURE)


def test_a_request_model_that_drops_optional_fields_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    stock = CreateAssistantRequest.to_dict
    required = set(strategies.seed().request_schema.get("required", []))

    def without_optional(self: CreateAssistantRequest) -> dict[str, Any]:
        return {k: v for k, v in stock(self).items() if k in required}

    monkeypatch.setattr(CreateAssistantRequest, "to_dict", without_optional)
    with pytest.raises(AssertionError, match="does not serialise back to its input"):
        properties.requests_follow_the_contract("async", properties.FIRST_FAILURE)


def test_an_assistant_model_that_drops_unknown_fields_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    stock = AssistantObject.from_dict.__func__  # type: ignore[attr-defined]

    def forgetful(cls: type[AssistantObject], src_dict: dict[str, Any]) -> AssistantObject:
        assistant: AssistantObject = stock(cls, src_dict)
        assistant.additional_properties = {}
        return assistant

    monkeypatch.setattr(AssistantObject, "from_dict", classmethod(forgetful))
    with pytest.raises(AssertionError, match="does not serialise back to the body"):
        properties.assistants_parse_losslessly("sync", run=properties.FIRST_FAILURE)


def test_an_error_model_that_loses_a_field_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    stock = ErrorResponse.to_dict
    envelope = strategies.error_envelope()

    def forgetful(self: ErrorResponse) -> dict[str, Any]:
        body = stock(self)
        inner = body[envelope] if envelope else body
        inner.update({name: "(lost)" for name in inner})
        return body

    monkeypatch.setattr(ErrorResponse, "to_dict", forgetful)
    with pytest.raises(AssertionError, match="does not serialise back to the body"):
        properties.error_bodies_parse_with_their_status("async", properties.FIRST_FAILURE)


def test_a_client_that_returns_none_for_a_bad_body_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    stock = create_assistant._parse_response

    def silent(**kwargs: Any) -> Any:
        try:
            return stock(**kwargs)
        except errors.UnexpectedBody:
            return None

    monkeypatch.setattr(create_assistant, "_parse_response", silent)
    with pytest.raises(AssertionError, match=r"no errors\.UnexpectedBody"):
        properties.unparsable_bodies_raise_with_status_and_body("sync", properties.FIRST_FAILURE)


def test_a_client_that_posts_elsewhere_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = strategies.seed().path[:-1]  # one character short
    monkeypatch.setattr(create_assistant, "_URL", httpx.URL(elsewhere))
    with pytest.raises(AssertionError, match=rf"(?m)sent to {re.escape(BASE_URL + elsewhere)}$"):
        properties.requests_follow_the_contract("sync", properties.FIRST_FAILURE)


def test_a_client_that_trusts_the_types_of_fields_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # The stock generator's models cast scalars instead of checking them: a string field given a
    # number came back as a model holding a number.
    for module in (assistant_object, error):
        for check in ("json_str", "json_int", "json_float", "json_list"):
            if hasattr(module, check):
                monkeypatch.setattr(module, check, lambda value: value)
    with pytest.raises(AssertionError, match=r"no errors\.UnexpectedBody"):
        properties.unparsable_bodies_raise_with_status_and_body("async", properties.FIRST_FAILURE)


def test_a_client_that_drops_headers_its_httpx_client_lacks_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def drop_always(kwargs: dict[str, Any], preset: httpx.Headers) -> None:
        kwargs.pop("headers", None)

    monkeypatch.setattr(create_assistant, "drop_preset_headers", drop_always)
    with pytest.raises(AssertionError, match=next(iter(REQUIRED_HEADERS))):
        properties.own_httpx_client_gets_the_beta_header("sync")
