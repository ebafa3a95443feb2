"""Boundary and invalid bodies come from the loaded spec: change a limit and the cases follow it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from contract_tests.spec import SPEC_PATH, load_spec
from contract_tests.suite.bodies import Body, BodyFactory, text
from contract_tests.suite.operation import load_operation


def _bodies(tmp_path: Path, edit: Any = None) -> tuple[list[Body], list[Body]]:
    document = load_spec(SPEC_PATH)
    if edit is not None:
        edit(document["components"]["schemas"])
    path = tmp_path / f"openapi-{len(list(tmp_path.iterdir()))}.yaml"  # load_operation caches by path
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    factory = BodyFactory(load_operation(str(path)))
    return factory.valid(), factory.invalid()


def _by_label(bodies: list[Body]) -> dict[str, Any]:
    return {body.label: body.value for body in bodies}


def test_limits_are_read_from_the_spec(tmp_path: Path) -> None:
    def shrink(schemas: dict[str, Any]) -> None:
        schemas["CreateAssistantRequest"]["properties"]["tools"]["maxItems"] = 5
        schemas["CreateAssistantRequest"]["properties"]["name"]["maxLength"] = 20
        schemas["Metadata"]["maxProperties"] = 3

    valid, invalid = map(_by_label, _bodies(tmp_path, shrink))
    assert len(valid["tools at maxItems (5)"]["tools"]) == 5
    assert len(invalid["tools over maxItems (6)"]["tools"]) == 6
    assert len(valid["name at maxLength (20)"]["name"]) == 20
    assert len(invalid["name over maxLength (21)"]["name"]) == 21
    assert len(valid["metadata at maxProperties (3), longest keys and values"]["metadata"]) == 3
    assert len(invalid["metadata over maxProperties (4)"]["metadata"]) == 4


def test_each_required_field_gets_a_body_without_it(tmp_path: Path) -> None:
    def require_description(schemas: dict[str, Any]) -> None:
        schemas["CreateAssistantRequest"]["required"].append("description")

    # Every example must stay valid (else the suite refuses the spec): each gets the new required field.
    document = load_spec(SPEC_PATH)
    require_description(document["components"]["schemas"])
    content = document["paths"]["/v1/assistants"]["post"]["requestBody"]["content"]["application/json"]
    for example in content["examples"].values():
        example["value"].setdefault("description", "Helps.")
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    invalid = BodyFactory(load_operation(str(path))).invalid()
    missing = _by_label(invalid)
    for name in ("model", "name", "instructions", "tools", "description"):
        assert name not in missing[f"required {name} missing"]


def test_bodies_are_confirmed_against_the_spec(tmp_path: Path) -> None:
    operation = load_operation(str(SPEC_PATH))
    valid, invalid = _bodies(tmp_path)
    assert valid and invalid
    assert all(operation.request.is_valid(body.value) for body in valid)
    assert not any(operation.request.is_valid(body.value) for body in invalid)
    # A rule the spec drops yields no invalid body for it, rather than a false alarm.
    _, relaxed = _bodies(
        tmp_path, lambda schemas: schemas["CreateAssistantRequest"].pop("additionalProperties")
    )
    assert "an unknown top-level field" in _by_label(invalid)
    assert "an unknown top-level field" not in _by_label(relaxed)


def test_text_has_exact_length_in_characters() -> None:
    for length in (0, 1, 7, 256, 256_000):
        assert len(text(length)) == length
    assert not text(64).isascii() and not text(256_000).isascii()
    assert len(json.dumps(text(256_000))) < 300_000  # stays under common proxy body limits


def test_bodies_the_validator_disagrees_with_are_counted(tmp_path: Path) -> None:
    def keys_lowercase(schemas: dict[str, Any]) -> None:
        schemas["Metadata"]["propertyNames"]["pattern"] = "^[a-z]+$"

    document = load_spec(SPEC_PATH)
    keys_lowercase(document["components"]["schemas"])
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    factory = BodyFactory(load_operation(str(path)))
    factory.valid()
    assert "metadata at maxProperties (16), longest keys and values" in factory.dropped
