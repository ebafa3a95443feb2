"""What the server enforces, read from the spec at start-up: change the spec and the server follows.

For the one operation the server implements, this gathers its required header parameters with their
schemas, a validator of its request body, the body's content type and the defaults of optional fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonschema

from contract_tests.server.inline import inlined_validator
from contract_tests.spec import SpecError


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


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Follow one local $ref, returning the target and its JSON pointer."""
    ref = node.get("$ref")
    if ref is None:
        return node, None
    if not isinstance(ref, str) or not ref.startswith("#/"):
        raise SpecError(f"only local $refs are supported, got {ref!r}")
    target: Any = document
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target, ref[1:]


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def operation_rules(document: dict[str, Any], operation_id: str) -> OperationRules:
    """The rules of the operation named `operation_id`, or SpecError when the spec lacks it."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                pointer = f"/paths/{_escape(path)}/{method}"
                return _rules(document, path, method, operation, pointer)
    raise SpecError(f"the spec has no operation {operation_id!r}")


def _rules(
    document: dict[str, Any], path: str, method: str, operation: dict[str, Any], pointer: str
) -> OperationRules:
    headers = []
    for index, raw in enumerate(operation.get("parameters", [])):
        parameter, ref_pointer = _resolve(document, raw)
        if parameter.get("in") != "header":
            continue
        where = ref_pointer or f"{pointer}/parameters/{index}"
        headers.append(
            HeaderRule(
                name=parameter["name"],
                required=bool(parameter.get("required")),
                validator=inlined_validator(f"{where}/schema", document),
            )
        )
    request_body, body_pointer = _resolve(document, operation.get("requestBody", {}))
    content = request_body.get("content", {})
    if len(content) != 1:
        raise SpecError(f"{pointer}: expected exactly one request content type")
    content_type = next(iter(content))
    body_pointer = body_pointer or f"{pointer}/requestBody"
    schema_pointer = f"{body_pointer}/content/{_escape(content_type)}/schema"
    body_schema, _ = _resolve(document, content[content_type]["schema"])
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
