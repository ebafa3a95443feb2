"""What a flaw of a spec leaves untestable, and what Specmatic is shown of a document."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from contract_tests.api.document import SpecError, load_spec
from contract_tests.compat.shown import specmatic_text
from contract_tests.compat.testable import untestable, without


def _spec_with_a_second_operation() -> dict[str, Any]:
    """The project's spec with a second operation, whose request schema no value satisfies."""
    document = load_spec()
    schemas = document["components"]["schemas"]
    schemas["FlawedRequest"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["thread_id"],
        "properties": {"assistant_id": {"type": "string"}},
    }
    document["paths"]["/v1/flawed"] = {
        "post": {
            "operationId": "createFlawed",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlawedRequest"}}},
            },
            "responses": {"200": {"description": "OK"}},
        }
    }
    return document


def test_a_flaw_makes_only_the_operations_that_reach_it_untestable() -> None:
    found = untestable(_spec_with_a_second_operation(), "flawed.yaml")
    assert list(found) == ["/paths/~1v1~1flawed/post"]
    (operation,) = found.values()
    assert operation.label == "createFlawed (POST /v1/flawed)"
    assert operation.reason.startswith('/components/schemas/FlawedRequest/required/0: requires "thread_id"')
    assert operation.origin == "flawed.yaml"


def test_paths_that_are_not_an_object_are_one_line() -> None:
    document = load_spec()
    document["paths"] = list(document["paths"])
    with pytest.raises(SpecError, match=r"^x.yaml is not valid OpenAPI: /paths: .*is not of type 'object'$"):
        untestable(document, "x.yaml")


def test_the_untestable_operations_are_not_shown_to_specmatic() -> None:
    document = _spec_with_a_second_operation()
    shown = yaml.safe_load(specmatic_text(document, ("/paths/~1v1~1flawed/post",)))
    assert shown["paths"] == load_spec()["paths"]  # a path left with no operation goes too
    kept = copy.deepcopy(document)
    kept["paths"]["/v1/flawed"]["get"] = {"responses": {"200": {"description": "OK"}}}
    assert list(without(kept, ["/paths/~1v1~1flawed/post"])["paths"]["/v1/flawed"]) == ["get"]
    assert "post" in kept["paths"]["/v1/flawed"], "the document itself is left as it was"


def test_a_multipart_part_that_is_a_ref_to_a_scalar_is_shown_in_place() -> None:
    document: dict[str, Any] = {
        "openapi": "3.0.0",
        "paths": {
            "/files": {
                "post": {
                    "requestBody": {
                        "content": {
                            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/Upload"}}
                        }
                    },
                    "responses": {"200": {"description": "OK"}},
                }
            }
        },
        "components": {
            "schemas": {
                "Upload": {
                    "type": "object",
                    "properties": {
                        "format": {"$ref": "#/components/schemas/Format"},
                        "meta": {"$ref": "#/components/schemas/Meta"},
                    },
                },
                "Format": {"type": "string", "enum": ["json", "text"]},
                "Meta": {"type": "object"},
            }
        },
    }
    shown = yaml.safe_load(specmatic_text(document))
    properties = shown["components"]["schemas"]["Upload"]["properties"]
    assert properties["format"] == {"type": "string", "enum": ["json", "text"]}
    assert properties["meta"] == {"$ref": "#/components/schemas/Meta"}  # an object part is JSON either way
    assert document["components"]["schemas"]["Upload"]["properties"]["format"] == {
        "$ref": "#/components/schemas/Format"
    }
