"""The project's own rules on single changes, without Specmatic: the cases the fixtures do not reach."""

from __future__ import annotations

from typing import Any

from contract_tests.compat.diff import ABSENT, Change
from contract_tests.compat.document import REQUEST, RESPONSE
from contract_tests.compat.rules import Context, Impact, classify, closed_request_schema, limit

FIELD = "/components/schemas/Thing/properties/size"


def context(
    *used_in: str, older: dict[str, Any] | None = None, newer: dict[str, Any] | None = None
) -> Context:
    return Context(frozenset(used_in), older or {}, newer or {})


def test_a_new_minimum_narrows_a_request() -> None:
    assert limit(Change(f"{FIELD}/minLength", ABSENT, 1), context(REQUEST)) == {Impact.CLIENTS}


def test_a_lower_minimum_widens_a_request() -> None:
    assert limit(Change(f"{FIELD}/minimum", 5, 0), context(REQUEST)) == {Impact.SERVERS}


def test_a_removed_maximum_widens_a_response() -> None:
    assert limit(Change(f"{FIELD}/maximum", 10, ABSENT), context(RESPONSE)) == {Impact.CLIENTS}


def test_a_tighter_limit_on_a_shared_schema_breaks_both() -> None:
    assert limit(Change(f"{FIELD}/maxItems", 10, 5), context(REQUEST, RESPONSE)) == {
        Impact.CLIENTS,
        Impact.SERVERS,
    }


def test_a_property_named_like_a_keyword_is_no_limit() -> None:
    change = Change("/components/schemas/Thing/properties/maxLength", {}, ABSENT, field_required=False)
    assert limit(change, context(REQUEST)) == set()


def test_removing_a_field_of_an_open_request_schema_breaks_no_one() -> None:
    schemas = {"components": {"schemas": {"Thing": {"type": "object"}}}}
    change = Change(FIELD, {"type": "integer"}, ABSENT, field_required=False)
    assert closed_request_schema(change, context(REQUEST, older=schemas, newer=schemas)) == set()


def test_documentation_is_compatible_whatever_else_applies() -> None:
    verdict = classify(Change(f"{FIELD}/description", "a", "b"), context(REQUEST), [], [])
    assert verdict.impacts == frozenset()
    assert verdict.reasons == ("documentation only",)
