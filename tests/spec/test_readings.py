"""The model reads a spec as JSON Schema and OpenAPI 3.1 read it, in the shapes real specs take
(tests/fixtures/readings.yaml, and small documents built here)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import yaml

from contract_tests.api.document import REPO_ROOT
from contract_tests.api.media import Part, encode_multipart
from contract_tests.api.model import Api, load_api
from contract_tests.api.values import LARGEST_SIZE, Values
from contract_tests.rules.exchange import Sent
from contract_tests.rules.requests import body_violations, request_value
from contract_tests.suite.state import unknown_id

READINGS = REPO_ROOT / "tests" / "fixtures" / "readings.yaml"


def _api(document: dict[str, Any], tmp_path: Path) -> Api:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return load_api(path)


def test_a_ref_with_siblings_adds_to_what_it_refers_to() -> None:
    """OpenAPI 3.1: `{$ref: Base, properties: {...}, required: [...]}` has Base's properties and its own."""
    api = load_api(READINGS)
    op = api.operation("createThing")
    assert op.success.schema_pointer == "/components/schemas/Thing"
    assert set(api.values.properties(op.success.schema_pointer)) >= {"id", "object", "created_at", "pinned"}
    built = api.values.minimal(op.success.schema_pointer)
    assert {"id", "object", "created_at", "name", "pinned"} <= set(built)
    assert api.values.is_valid(op.success.schema_pointer, built)
    assert not api.untestable


def test_a_body_listed_in_two_media_types_is_read_in_either() -> None:
    api = load_api(READINGS)
    op = api.operation("createThing")
    assert op.body is not None and op.body.media_type == "application/json"
    form = op.body.as_sent("application/x-www-form-urlencoded; charset=utf-8")
    assert form.media_type == "application/x-www-form-urlencoded" and form.kind == "form"
    url, form_type = "http://h/v1/things", [("content-type", "application/x-www-form-urlencoded")]
    as_form = Sent("POST", url, form_type, b"name=a")
    assert body_violations(api, op, as_form) == []
    assert request_value(api, op, as_form) == {"name": "a"}
    too_long = Sent("POST", url, form_type, b"name=" + b"a" * 65)
    assert [found.where for found in body_violations(api, op, too_long)] == ["/name"]
    unlisted = Sent("POST", url, [("content-type", "text/plain")], b"name=a")
    (refused,) = body_violations(api, op, unlisted)
    assert "application/json" in refused.message and "application/x-www-form-urlencoded" in refused.message


def test_a_part_of_all_of_may_be_the_whole_value(tmp_path: Path) -> None:
    """`allOf: [{$ref: a oneOf of a string enum and an object}, {description}]`: the string is a value."""
    document = {
        "components": {
            "schemas": {
                "Choice": {
                    "oneOf": [
                        {"type": "string", "enum": ["auto", "none"]},
                        {"type": "object", "properties": {"kind": {"type": "string"}}, "required": ["kind"]},
                    ]
                },
                "Wrapped": {"allOf": [{"$ref": "#/components/schemas/Choice"}, {"description": "said"}]},
            }
        }
    }
    values = Values(document)
    built = values.minimal("/components/schemas/Wrapped")
    assert values.is_valid("/components/schemas/Wrapped", built)
    assert built in ("auto", "none") or isinstance(built, dict)


def test_the_largest_value_of_lists_in_lists_stays_small() -> None:
    """Twelve levels of lists of lists, none bounded: filled to their size only a few levels deep."""
    schema: dict[str, Any] = {"type": "string", "maxLength": 4}
    for _ in range(12):
        schema = {"type": "array", "items": schema}
    values = Values({"components": {"schemas": {"Deep": schema}}})
    largest = values.largest("/components/schemas/Deep")
    assert values.is_valid("/components/schemas/Deep", largest)
    assert len(json.dumps(largest)) < 10_000


def test_the_largest_value_weighs_what_a_server_takes() -> None:
    """Bounded lists of bounded lists (60 of 60 of 60 texts of 60): filled to their maxItems, thirteen
    million characters; filled less deep instead, within LARGEST_SIZE."""
    schema: dict[str, Any] = {"type": "string", "maxLength": 60}
    for _ in range(3):
        schema = {"type": "array", "maxItems": 60, "items": schema}
    values = Values({"components": {"schemas": {"Wide": schema}}})
    largest = values.largest("/components/schemas/Wide")
    assert values.is_valid("/components/schemas/Wide", largest)
    assert len(largest) == 60, "the outer list is still filled"
    assert len(json.dumps(largest, ensure_ascii=False)) <= 2 * LARGEST_SIZE


def test_the_largest_value_of_a_tree_of_optional_branches_is_its_example() -> None:
    """A node with two optional children of its own type: filled to MAX_DEPTH, 8,192 nodes of 1,000
    characters; no list to fill less, so the schema's example instead."""
    node = {
        "type": "object",
        "example": {"text": "leaf"},
        "properties": {
            "text": {"type": "string", "maxLength": 1000},
            "left": {"$ref": "#/components/schemas/Node"},
            "right": {"$ref": "#/components/schemas/Node"},
        },
    }
    values = Values({"components": {"schemas": {"Node": node}}})
    assert values.largest("/components/schemas/Node") == {"text": "leaf"}


def test_a_ref_with_only_annotations_and_extensions_beside_it_is_its_target(tmp_path: Path) -> None:
    """`{$ref: Thing, description, x-anything}`: nothing beside the `$ref` constrains; the body's schema is
    Thing's (its name, its pointer in messages)."""
    document = yaml.safe_load(READINGS.read_text(encoding="utf-8"))
    content = document["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"]
    content["schema"] = {"$ref": "#/components/schemas/CreateThing", "description": "A thing.", "x-order": 1}
    op = _api(document, tmp_path).operation("createThing")
    assert op.body is not None and op.body.schema_pointer == "/components/schemas/CreateThing"


def test_required_beside_a_ref_adds_to_its_targets_required(tmp_path: Path) -> None:
    """3.1: `{$ref: Base (required: [id]), required: [name]}` requires both, as `allOf` would; a value
    built for it has both."""
    document = yaml.safe_load(READINGS.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    schemas["Base"]["required"] = ["id", "object", "created_at"]
    schemas["Thing"]["required"] = ["name", "pinned"]
    api = _api(document, tmp_path)
    pointer = "/components/schemas/Thing"
    assert set(api.values.schema(pointer)["required"]) == {"id", "object", "created_at", "name", "pinned"}
    built = api.values.minimal(pointer)
    assert {"id", "created_at", "name", "pinned"} <= set(built) and api.values.is_valid(pointer, built)
    assert not api.untestable


def test_a_made_up_id_keeps_the_ids_pattern_and_format(tmp_path: Path) -> None:
    """An id no server gave must still be valid by the path parameter's schema (else a 400 for its form,
    not a 404 for its absence, is the right answer): a strict pattern's, a UUID's."""
    document = yaml.safe_load(READINGS.read_text(encoding="utf-8"))
    parameter = document["paths"]["/things/{thing_id}"]["parameters"][0]
    for number, schema in enumerate(
        (
            {
                "type": "string",
                "pattern": "^thing_[a-z0-9]{24}$",
                "example": "thing_abc123abc123abc123abc123",
            },
            {"type": "string", "format": "uuid", "pattern": "^[0-9a-f-]{36}$"},
            {"type": "string", "format": "uuid"},
        )
    ):
        parameter["schema"] = schema
        (tmp_path / str(number)).mkdir()
        api = _api(document, tmp_path / str(number))  # a spec of its own: a path is loaded once
        pointer = "/paths/~1things~1{thing_id}/parameters/0/schema"
        made_up = unknown_id(api, pointer)
        assert made_up is not None and api.values.is_valid(pointer, made_up), (schema, made_up)
        assert made_up != schema.get("example")
        if schema.get("format") == "uuid":
            assert str(uuid.UUID(made_up)) == made_up


def test_a_multipart_body_is_the_same_bytes_every_time() -> None:
    """A failure's reproduction sends the bytes the run sent: the boundary comes from the parts."""
    parts = [Part("purpose", "assistants"), Part("file", b"contract-\x00bytes", "a.txt", "text/plain")]
    first, second = encode_multipart(parts), encode_multipart(list(parts))
    assert first == second
    boundary = first[1].split("boundary=", 1)[1]
    assert boundary.encode() not in b"contract-\x00bytes"
    assert encode_multipart([Part("purpose", "other")])[1] != first[1]
