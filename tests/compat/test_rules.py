"""The project's own rules on single changes, without Specmatic: the cases the fixtures do not reach."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.compat.diff import ABSENT, Change, diff
from contract_tests.compat.document import REQUEST, RESPONSE
from contract_tests.compat.rules import (
    SAME_SCHEMA,
    Context,
    Impact,
    classify,
    closed_request_schema,
    limit,
    operation_added_or_removed,
    required_field,
    union_branches,
)
from contract_tests.compat.specmatic import Finding

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


def test_an_operation_added_breaks_servers_and_one_removed_breaks_clients() -> None:
    operation = {"responses": {"200": {"description": "OK"}}}
    added = Change("/paths/~1things/get", ABSENT, operation)
    removed = Change("/paths/~1things", {"get": operation, "post": operation}, ABSENT)
    assert operation_added_or_removed(added, context()) == {Impact.SERVERS}
    assert operation_added_or_removed(removed, context()) == {Impact.CLIENTS}
    assert operation_added_or_removed(Change("/paths/~1things/get/summary", ABSENT, "x"), context()) == set()


TOOLS = "/components/schemas/Thing/properties/tools/items/oneOf"
SCHEMAS = {"components": {"schemas": {"A": {"enum": ["a"]}, "B": {"enum": ["b"]}, "C": {"enum": ["c"]}}}}


def _branches(*names: str) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/schemas/{name}"} for name in names]


@pytest.mark.parametrize(
    ("used_in", "added", "removed"),
    [
        # A branch added widens the union; one removed narrows it. In a request, narrower breaks
        # clients and wider servers; in a response the reverse; in both, both.
        ((REQUEST,), {Impact.SERVERS}, {Impact.CLIENTS}),
        ((RESPONSE,), {Impact.CLIENTS}, {Impact.SERVERS}),
        ((REQUEST, RESPONSE), {Impact.CLIENTS, Impact.SERVERS}, {Impact.CLIENTS, Impact.SERVERS}),
        ((), set(), set()),  # a schema no operation reaches
    ],
)
def test_a_branch_is_judged_by_its_direction_wherever_the_union_is(
    used_in: tuple[str, ...], added: set[Impact], removed: set[Impact]
) -> None:
    where = context(*used_in, older=SCHEMAS, newer=SCHEMAS)
    more = Change(TOOLS, _branches("A", "B"), _branches("A", "B", "C"), added=(2,))
    fewer = Change(TOOLS, _branches("A", "B"), _branches("A"), removed=(1,))
    assert union_branches(more, where) == added
    assert union_branches(fewer, where) == removed


def test_a_branch_renamed_is_no_branch_added_or_removed() -> None:
    newer = {"components": {"schemas": {**SCHEMAS["components"]["schemas"], "Bee": {"enum": ["b"]}}}}
    renamed = Change(TOOLS, _branches("A", "B"), _branches("A", "Bee"), added=(1,), removed=(1,))
    assert union_branches(renamed, context(REQUEST, RESPONSE, older=SCHEMAS, newer=newer)) == set()


def test_a_part_added_to_an_all_of_narrows() -> None:
    parts = Change("/components/schemas/Thing/allOf", _branches("A"), _branches("A", "B"), added=(1,))
    assert union_branches(parts, context(REQUEST, older=SCHEMAS, newer=SCHEMAS)) == {Impact.CLIENTS}


def test_specmatic_does_not_decide_a_union_its_direction_does() -> None:
    # A branch added to a union of responses breaks clients only, whatever Specmatic found new -> old.
    more = Change(TOOLS, _branches("A", "B"), _branches("A", "B", "C"), added=(2,))
    finding = Finding("-", "", "RESPONSE.BODY.tools", None, None, "Type (C) does not exist")
    verdict = classify(more, context(RESPONSE, older=SCHEMAS, newer=SCHEMAS), [], [finding])
    assert verdict.impacts == {Impact.CLIENTS}
    assert verdict.reasons[0].endswith("(overruled by the rule: branches of a union)")


def test_a_schema_written_another_way_is_compatible_whatever_specmatic_found() -> None:
    older = {"components": {"schemas": {"Thing": {"properties": {"format": {"type": "string"}}}}}}
    newer = {
        "components": {
            "schemas": {
                "Thing": {"properties": {"format": {"$ref": "#/components/schemas/Format"}}},
                "Format": {"type": "string", "description": "The format."},
            }
        }
    }
    (change,) = diff(older, newer)
    assert (
        change.same_meaning
        and change.summary() == "now a $ref to Format, the same schema, with new schema Format"
    )
    finding = Finding("R1002", "Value mismatch", "REQUEST.BODY.format", None, None, "content type")
    verdict = classify(change, context(REQUEST, older=older, newer=newer), [finding], [])
    assert verdict.impacts == frozenset()
    assert verdict.reasons[0] == SAME_SCHEMA and verdict.reasons[1].endswith("(overruled)")


def test_a_field_only_named_in_required_and_gone_from_a_response_breaks_clients() -> None:
    # The schema promised the field (by `required` alone, no property of that name); now it does not.
    older = {"components": {"schemas": {"Thing": {"type": "object", "required": ["size"], "properties": {}}}}}
    newer = {"components": {"schemas": {"Thing": {"type": "object", "properties": {}}}}}
    (change,) = diff(older, newer)
    assert (change.pointer, change.summary()) == (FIELD, "field removed")
    assert required_field(change, context(RESPONSE, older=older, newer=newer)) == {Impact.CLIENTS}
    assert required_field(change, context(REQUEST, older=older, newer=newer)) == {Impact.SERVERS}


def test_a_field_made_required_narrows() -> None:
    schemas = {"components": {"schemas": {"Thing": {"type": "object", "properties": {"size": {}}}}}}
    required = Change(FIELD, {}, {}, field_required=True)
    assert required_field(required, context(REQUEST, older=schemas, newer=schemas)) == {Impact.CLIENTS}
    assert required_field(required, context(RESPONSE, older=schemas, newer=schemas)) == {Impact.SERVERS}
    added_optional = Change(FIELD, ABSENT, {}, field_required=False)
    assert required_field(added_optional, context(REQUEST, RESPONSE, older=schemas, newer=schemas)) == set()
