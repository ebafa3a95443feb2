"""Spec-derived bodies come from the loaded spec: every boundary it states, at any depth, follows an edit."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from contract_tests.api.document import SPEC_PATH
from contract_tests.api.text import LONG, astral, combining, text
from contract_tests.suite.bodies import UNKNOWN_FIELD, Body, BodyFactory
from tests import spec_facts as facts


def _bodies(spec: Path | str = SPEC_PATH) -> tuple[dict[str, Any], dict[str, Any]]:
    factory = facts.body_factory(spec)
    return _by_label(factory.valid()), _by_label(factory.invalid())


def _by_label(bodies: list[Body]) -> dict[str, Any]:
    return {body.label: body.value for body in bodies}


def test_limits_are_read_from_the_spec(tmp_path: Path) -> None:
    lengths = facts.with_keyword("maxLength")
    items = facts.with_keyword("maxItems")
    assert lengths and items, "the request has no top-level maxLength and maxItems to move"
    new = {
        prop.name: max(prop.schema.get("maxLength", prop.schema.get("maxItems", 2)) // 2, 1)
        for prop in lengths + items
    }

    def shrink(document: dict[str, Any]) -> None:
        for prop in lengths:
            facts.target(document, prop.pointer)["maxLength"] = new[prop.name]
        for prop in items:
            facts.target(document, prop.pointer)["maxItems"] = new[prop.name]

    valid, invalid = _bodies(facts.edited(tmp_path, shrink))
    for prop in lengths:
        limit = new[prop.name]
        assert len(valid[f"{prop.name} at maxLength ({limit})"][prop.name]) == limit
        assert len(invalid[f"{prop.name} over maxLength ({limit + 1})"][prop.name]) == limit + 1
    for prop in items:
        limit = new[prop.name]
        assert len(valid[f"{prop.name} at maxItems ({limit})"][prop.name]) == limit
        assert len(invalid[f"{prop.name} over maxItems ({limit + 1})"][prop.name]) == limit + 1


def test_each_required_field_gets_a_body_without_it(tmp_path: Path) -> None:
    optional = [prop for prop in facts.request_properties() if prop.name not in facts.required()]
    assert optional, "the request has no optional field to make required"
    newly = optional[0]

    def require(document: dict[str, Any]) -> None:
        facts.target(document, facts.request_pointer())["required"].append(newly.name)
        # Every example must stay valid (else the suite refuses the spec): each gets the new field.
        for example in facts.examples_of(document):
            example.setdefault(newly.name, facts.seed().values.example(newly.pointer))

    _, invalid = _bodies(facts.edited(tmp_path, require))
    for name in [*facts.required(), newly.name]:
        assert name not in invalid[f"the body without required {name!r}"]


def test_bodies_are_confirmed_against_the_spec(tmp_path: Path) -> None:
    operation = facts.seed()
    assert operation.request is not None
    factory = BodyFactory(operation.api, operation.op)
    valid, invalid = factory.valid(), factory.invalid()
    assert valid and invalid
    assert all(operation.request.is_valid(body.value) for body in valid)
    assert not any(operation.request.is_valid(body.value) for body in invalid)
    assert not factory.dropped, factory.dropped
    # A rule the spec drops yields no invalid body for it, rather than a false alarm.
    unknown = f"the body with an unknown field {UNKNOWN_FIELD!r}"
    assert unknown in _by_label(invalid)
    relaxed = facts.edited(
        tmp_path, lambda d: facts.target(d, facts.request_pointer()).pop("additionalProperties")
    )
    assert unknown not in _bodies(relaxed)[1]


def test_every_string_limit_gets_astral_and_combining_bodies() -> None:
    valid, invalid = _bodies()
    strings = [prop for prop in facts.with_keyword("maxLength") if "pattern" not in prop.schema]
    assert strings
    for prop in strings:
        limit = prop.schema["maxLength"]
        at_limit = valid[f"{prop.name} at maxLength ({limit}) in astral-plane characters"][prop.name]
        assert len(at_limit) == limit and len(at_limit.encode("utf-16-le")) // 2 > limit
        over = invalid[
            f"{prop.name} over maxLength ({limit + 1} code points, {limit} after NFC: a combining mark)"
        ]
        assert len(over[prop.name]) == limit + 1
        assert len(unicodedata.normalize("NFC", over[prop.name])) == limit


def test_every_non_nullable_site_gets_an_explicit_null() -> None:
    """Explicit null at every depth: each property of each kind of tool, each map value, each item."""
    factory = facts.body_factory()
    # Bodies equal to another are sent once: look for the value, whatever label it was kept under.
    sent = {json.dumps(body.value, sort_keys=True) for body in factory.invalid()}
    checked = 0
    for site in factory.sites():
        types = factory.values.types(site.pointer)
        if site.steps and "null" not in types and site.steps[-1].kind not in ("key", "branch"):
            assert json.dumps(factory.embed(site, lambda _: None), sort_keys=True) in sent, site.where
            checked += 1
    assert checked > len(facts.request_properties()), "no site below the top level was checked"


def test_every_kind_of_item_gets_bodies_of_its_own(tmp_path: Path) -> None:
    """A new kind (a oneOf branch no example shows) is sent, valid and with each of its rules broken."""
    tools, kinds = facts.kinds()
    items = facts.seed().values.child(tools.pointer, "items")
    assert items is not None
    discriminator = facts.seed().values.discriminator(items)
    tag = discriminator[0] if discriminator else "type"
    new_kind = next(name for name in ("file_search", "x_new_kind") if name not in {kind for kind, _ in kinds})
    new_schema = {
        "type": "object",
        "description": "A tool kind no example shows.",
        "required": [tag, "limits"],
        "properties": {
            tag: {"type": "string", "enum": [new_kind], "description": "Its kind."},
            "limits": {
                "type": "object",
                "description": "One of each limit.",
                "properties": {
                    "label": {"type": "string", "minLength": 2, "maxLength": 9, "description": "A label."},
                    "code": {"type": "string", "pattern": "^[a-z]+$", "description": "A code."},
                    "count": {"type": "integer", "minimum": 1, "maximum": 10, "description": "A count."},
                    "ratio": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "exclusiveMaximum": 1,
                        "description": "A ratio.",
                    },
                    "tags": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 1,
                        "maxItems": 3,
                        "description": "Tags.",
                    },
                    "mode": {"enum": ["fast", "slow"], "description": "A mode."},
                    "fixed": {"const": 3, "description": "A constant."},
                },
            },
        },
    }

    def add_kind(document: dict[str, Any]) -> None:
        union = facts.target(document, items)
        union.setdefault("oneOf", []).append(new_schema)
        if "discriminator" in union:
            union["discriminator"].pop("mapping", None)

    valid, invalid = _bodies(facts.edited(tmp_path, add_kind))
    where = f"{tools.name}[0].limits.{{}} (in {tools.name}[0] of type {new_kind})"
    assert any(tool.get(tag) == new_kind for tool in valid[f"{tools.name}[0] of type {new_kind}"][tools.name])
    expected_valid = [
        "label at maxLength (9)",
        "label at minLength (2)",
        "count at maximum (10): 10",
        "count at minimum (1): 1",
        "ratio at exclusiveMaximum (1): 0.99",
        "ratio at exclusiveMinimum (0): 0.01",
        "tags at maxItems (3)",
        "tags at minItems (1)",
        'mode = "slow" (an enum value)',
        "fixed = its const 3",
    ]
    expected_invalid = [
        "label over maxLength (10)",
        "label under minLength (1)",
        'code not matching its pattern ("has space")',
        'code not matching its pattern ("a\\n")',
        "count above maximum (10): 11",
        "count below minimum (1): 0",
        "ratio above exclusiveMaximum (1): 1",
        "ratio below exclusiveMinimum (0): 0",
        "tags over maxItems (4)",
        "tags under minItems (0)",
        "mode not one of its enum values",
        "fixed other than its const 3",
        "count of the wrong JSON type (number: 1.5)",
        "label null (not nullable)",
    ]
    for what in expected_valid:
        field, _, rest = what.partition(" ")
        assert f"{where.format(field)} {rest}" in valid, what
    for what in expected_invalid:
        field, _, rest = what.partition(" ")
        assert f"{where.format(field)} {rest}" in invalid, what
    assert f"{tools.name}[0] of type {new_kind} without required 'limits'" in invalid


def test_text_has_exact_length_in_code_points() -> None:
    for length in (0, 1, 7, 256, LONG + 1, 256_000):
        assert len(text(length)) == length and len(astral(length)) == length
    assert not text(64).isascii() and all(ord(char) <= 0xFFFF for char in text(64))
    assert (
        len(astral(64).encode("utf-16-le")) // 2 > 64
        and len(astral(LONG + 64).encode("utf-16-le")) // 2 > LONG + 64
    )
    assert len(combining(5)) == 5 and len(unicodedata.normalize("NFC", combining(5))) == 4
    assert len(json.dumps(text(256_000))) < 300_000  # stays under common proxy body limits
    assert len(json.dumps(astral(256_000))) < 600_000


def test_bodies_the_validator_disagrees_with_are_counted(tmp_path: Path) -> None:
    maps = [prop for prop in facts.with_keyword("maxProperties") if "propertyNames" in prop.schema]
    if not maps:
        pytest.skip("the request has no map with maxProperties and propertyNames")
    prop = maps[0]

    def keys_lowercase(document: dict[str, Any]) -> None:
        facts.target(document, prop.pointer)["propertyNames"]["pattern"] = "^[a-z]+$"

    factory = facts.body_factory(facts.edited(tmp_path, keys_lowercase))
    factory.valid()
    assert (
        f"{prop.name} at maxProperties ({prop.schema['maxProperties']}), longest keys and values"
        in factory.dropped
    )
