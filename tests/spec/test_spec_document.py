"""spec/openapi.yaml is valid OpenAPI 3.1 and every example in it validates against its schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from contract_tests.api.document import SPEC_PATH, escape_pointer, load_spec, spec
from contract_tests.api.validators import validator_for


def test_spec_is_valid_openapi_3_1() -> None:
    document = spec()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_validator_rejects_a_broken_document() -> None:
    broken = load_spec(SPEC_PATH)
    broken["paths"]["/v1/assistants"]["post"]["responses"] = "none"
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def _examples(node: Any, pointer: str = "") -> Iterator[tuple[str, str, Any]]:
    """Yield (where, schema pointer, example) for every example in the document."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _examples(item, f"{pointer}/{index}")
        return
    if not isinstance(node, dict):
        return
    examples = node.get("examples")
    if "schema" in node and isinstance(examples, dict):  # a media type object
        for name, example in examples.items():
            yield f"{pointer}/examples/{name}", f"{pointer}/schema", example["value"]
    if "schema" in node and "example" in node:  # a parameter
        yield f"{pointer}/example", f"{pointer}/schema", node["example"]
    if isinstance(examples, list):  # a schema's own examples
        for index, example in enumerate(examples):
            yield f"{pointer}/examples/{index}", pointer, example
    for key, value in node.items():
        yield from _examples(value, f"{pointer}/{escape_pointer(key)}")


EXAMPLES = sorted(_examples(spec()), key=lambda item: item[0])


def test_the_spec_has_examples_of_every_kind() -> None:
    kinds = {where.split("/")[1] for where, _, _ in EXAMPLES}
    assert kinds == {"paths", "components"}
    assert len(EXAMPLES) >= 15


@pytest.mark.parametrize(("where", "schema_pointer", "example"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_example_validates_against_its_schema(where: str, schema_pointer: str, example: Any) -> None:
    errors = [error.message for error in validator_for(schema_pointer).iter_errors(example)]
    assert not errors, f"{where} does not validate against {schema_pointer}: {errors}"


def test_every_schema_and_property_has_a_description() -> None:
    missing = []
    for name, schema in spec()["components"]["schemas"].items():
        if "description" not in schema:
            missing.append(name)
        for prop, sub in schema.get("properties", {}).items():
            if "description" not in sub:
                missing.append(f"{name}.{prop}")
    assert not missing
