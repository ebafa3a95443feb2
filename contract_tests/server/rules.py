"""What the server enforces, read from the spec at start-up: change the spec and the server follows.

For the one operation the server implements, this gathers its required header parameters with their
schemas, a validator of its request body, the body's content type and the defaults of optional fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonschema

from contract_tests.spec import SpecError, deref, escape_pointer, inlined_validator, node_at


@dataclass(frozen=True)
class HeaderRule:
    """A header parameter of the operation and a validator of its value."""

    name: str
    required: bool
    validator: jsonschema.Validator


@dataclass(frozen=True)
class OperationRules:
    path: str
    method: str
    headers: tuple[HeaderRule, ...]
    content_type: str
    body: jsonschema.Validator
    defaults: dict[str, Any]


def _follow(document: dict[str, Any], pointer: str) -> tuple[Any, str]:
    """The node at `pointer` after its chain of local `$ref`s, and the pointer where it is."""
    node = node_at(document, pointer)
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        if not node["$ref"].startswith("#/"):
            raise SpecError(f"{pointer}: only local $refs are supported")
        pointer = node["$ref"][1:]
        node = node_at(document, pointer)
    return node, pointer


def operation_rules(document: dict[str, Any], operation_id: str) -> OperationRules:
    """The rules of the operation named `operation_id`, or SpecError when the spec lacks it."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                pointer = f"/paths/{escape_pointer(path)}/{method}"
                return _rules(document, path, method, operation, pointer)
    raise SpecError(f"the spec has no operation {operation_id!r}")


def _rules(
    document: dict[str, Any], path: str, method: str, operation: dict[str, Any], pointer: str
) -> OperationRules:
    headers = []
    for index in range(len(operation.get("parameters", []))):
        parameter, where = _follow(document, f"{pointer}/parameters/{index}")
        if parameter.get("in") != "header":
            continue
        headers.append(
            HeaderRule(
                name=parameter["name"],
                required=bool(parameter.get("required")),
                validator=inlined_validator(f"{where}/schema", document),
            )
        )
    if "requestBody" not in operation:
        raise SpecError(f"{pointer}: the operation has no request body")
    request_body, body_pointer = _follow(document, f"{pointer}/requestBody")
    content = request_body.get("content", {})
    if len(content) != 1:
        raise SpecError(f"{pointer}: expected exactly one request content type")
    content_type = next(iter(content))
    schema_pointer = f"{body_pointer}/content/{escape_pointer(content_type)}/schema"
    body_schema = deref(document, content[content_type]["schema"])
    defaults = {
        name: prop["default"] for name, prop in body_schema.get("properties", {}).items() if "default" in prop
    }
    return OperationRules(
        path=path,
        method=method.upper(),
        headers=tuple(headers),
        content_type=content_type,
        body=inlined_validator(schema_pointer, document),
        defaults=defaults,
    )
