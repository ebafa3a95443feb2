"""A Specmatic finding is about the changes at the place its scenario and breadcrumb name: never about a
change elsewhere, and a finding no change explains is a row of its own."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from contract_tests.compat import compare as compare_module
from contract_tests.compat.compare import SpecText, compare
from contract_tests.compat.diff import diff
from contract_tests.compat.locate import match
from contract_tests.compat.rules import Impact
from contract_tests.compat.specmatic import Finding

SCHEMAS = "/components/schemas"


def _older() -> dict[str, Any]:
    """A create operation whose request takes tools (a union of A and B) and whose response lists things."""
    ok = {"description": "OK"}
    return {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": f"#{SCHEMAS}/Thing"}}},
                    },
                    "responses": {
                        "200": {
                            **ok,
                            "content": {"application/json": {"schema": {"$ref": f"#{SCHEMAS}/ThingList"}}},
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "meta": {"$ref": f"#{SCHEMAS}/Meta"},
                        "tools": {
                            "type": "array",
                            "items": {"oneOf": [{"$ref": f"#{SCHEMAS}/A"}, {"$ref": f"#{SCHEMAS}/B"}]},
                        },
                    },
                },
                "ThingList": {
                    "type": "object",
                    "properties": {"data": {"type": "array", "items": {"$ref": f"#{SCHEMAS}/Thing"}}},
                },
                "Meta": {"type": "object", "properties": {"y": {"type": "string"}}},
                "A": {
                    "type": "object",
                    "required": ["type", "function"],
                    "properties": {"type": {"enum": ["a"]}, "function": {"$ref": f"#{SCHEMAS}/F"}},
                },
                "B": {"type": "object", "required": ["type"], "properties": {"type": {"enum": ["b"]}}},
                "F": {"type": "object", "properties": {"x": {"type": "string"}}},
            }
        },
    }


def _newer() -> dict[str, Any]:
    """B left out of the tools, `name` nullable, a field added inside F and inside Meta."""
    document = copy.deepcopy(_older())
    schemas = document["components"]["schemas"]
    schemas["Thing"]["properties"]["tools"]["items"]["oneOf"] = [{"$ref": f"#{SCHEMAS}/A"}]
    schemas["Thing"]["properties"]["name"]["type"] = ["string", "null"]
    schemas["F"]["properties"]["z"] = {"type": "string"}
    schemas["Meta"]["properties"]["w"] = {"type": "string"}
    return document


def _finding(breadcrumb: str, rule: str = "R1001", status: str = "200") -> Finding:
    return Finding(rule, "", breadcrumb, None, None, "what Specmatic says", ("/things", "post", status))


def _matched(finding: Finding) -> tuple[set[str], str | None]:
    older, newer = _older(), _newer()
    changes = diff(older, newer)
    found = match(finding, changes, range(len(changes)), (older, newer))
    return {changes[index].pointer for index in found.changes}, found.place


def test_a_finding_in_a_branch_is_about_the_union_not_about_what_the_branch_holds() -> None:
    # The old B tool fails branch A for want of `function`: the union changed, not F (nor F's field z).
    finding = _finding("REQUEST.BODY.tools[0] (when A object).function", rule="R2001")
    assert _matched(finding)[0] == {f"{SCHEMAS}/Thing/properties/tools/items/oneOf"}


def test_a_finding_at_a_field_is_about_the_change_there() -> None:
    assert _matched(_finding("REQUEST.BODY.name")) == (
        {f"{SCHEMAS}/Thing/properties/name/type"},
        f"{SCHEMAS}/Thing/properties/name",
    )


def test_a_response_breadcrumb_leaves_out_the_array_items() -> None:
    assert _matched(_finding("RESPONSE.BODY.data.name"))[0] == {f"{SCHEMAS}/Thing/properties/name/type"}


def test_a_property_missing_is_not_about_a_change_inside_it() -> None:
    # R2001 at `meta`: the field meta itself did not change (Meta gained a field): nothing explains it.
    changes, place = _matched(_finding("REQUEST.BODY.meta", rule="R2001"))
    assert (changes, place) == (set(), f"{SCHEMAS}/Thing/properties/meta")
    # A type finding there is about what changed inside it.
    assert _matched(_finding("REQUEST.BODY.meta"))[0] == {f"{SCHEMAS}/Meta/properties/w"}


def test_a_branch_named_by_position() -> None:
    older = _older()
    older["components"]["schemas"]["Thing"]["properties"]["tools"]["items"]["oneOf"][1] = {
        "type": "object",
        "properties": {"type": {"enum": ["b"]}},
    }
    newer = copy.deepcopy(older)
    newer["components"]["schemas"]["Thing"]["properties"]["tools"]["items"]["oneOf"][1]["properties"]["type"][
        "enum"
    ] = ["b", "c"]
    changes = diff(older, newer)
    found = match(
        _finding("REQUEST.BODY.tools[0] (when object 2).type"), changes, range(len(changes)), (older, newer)
    )
    assert [changes[index].pointer for index in found.changes] == [
        f"{SCHEMAS}/Thing/properties/tools/items/oneOf/1/properties/type/enum"
    ]


def test_a_finding_no_change_explains_is_a_row_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    stray = _finding("REQUEST.BODY.meta", rule="R2001")
    monkeypatch.setattr(compare_module, "check_pairs", lambda pairs: [[stray], []])
    comparison = compare(SpecText(yaml.safe_dump(_older()), "old"), SpecText(yaml.safe_dump(_newer()), "new"))
    own = [row for row in comparison.rows if row.change.startswith("Specmatic finding")]
    assert [(row.pointer, row.impacts) for row in own] == [
        (f"{SCHEMAS}/Thing/properties/meta", frozenset({Impact.CLIENTS}))
    ]
    others = [row for row in comparison.rows if row not in own]
    assert not any(reason.startswith("Specmatic") for row in others for reason in row.reasons)


def _union_of_an_enum(*extra: dict[str, Any]) -> dict[str, Any]:
    """`Thing.format`: a union of a string enum (inline, first) and the referred branches given."""
    document = _older()
    document["components"]["schemas"]["Thing"]["properties"]["format"] = {
        "oneOf": [{"type": "string", "enum": ["none", "auto"]}, *extra]
    }
    return document


def test_a_branch_kept_is_not_held_by_the_branches_added_beside_it() -> None:
    older = _union_of_an_enum()
    newer = _union_of_an_enum({"$ref": f"#{SCHEMAS}/A"})
    newer["components"]["schemas"]["Thing"]["properties"]["format"]["oneOf"][0]["enum"] = ["auto"]
    changes = diff(older, newer)
    on_the_first = match(
        _finding("REQUEST.BODY.format (when object 1)"), changes, range(len(changes)), (older, newer)
    )
    assert [changes[index].pointer for index in on_the_first.changes] == [
        f"{SCHEMAS}/Thing/properties/format/oneOf/0/enum"
    ]
    on_the_new = match(
        _finding("REQUEST.BODY.format (when A object)"), changes, range(len(changes)), (older, newer)
    )
    assert [changes[index].pointer for index in on_the_new.changes] == [
        f"{SCHEMAS}/Thing/properties/format/oneOf"
    ]


def test_the_items_of_an_array_branch() -> None:
    # `content` is a string or an array of parts: `content[0]` is an item of the array branch.
    older = _older()
    older["components"]["schemas"]["Thing"]["properties"]["content"] = {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"$ref": f"#{SCHEMAS}/A"}}]
    }
    newer = copy.deepcopy(older)
    newer["components"]["schemas"]["Thing"]["properties"]["content"]["oneOf"][1]["items"] = {
        "$ref": f"#{SCHEMAS}/B"
    }
    changes = diff(older, newer)
    finding = _finding("REQUEST.BODY.content[0] (when A object).function", rule="R2001")
    found = match(finding, changes, range(len(changes)), (older, newer))
    assert [changes[index].pointer for index in found.changes] == [
        f"{SCHEMAS}/Thing/properties/content/oneOf/1/items/$ref"
    ]
