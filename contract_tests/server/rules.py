"""What the server enforces, read from the spec at start-up: change the spec and the server follows.

For every operation of the spec this gathers its parameters with their schemas, whether it needs the
API key, a validator of its request body with the body's content type and the defaults of optional
fields, and where its success response's schema is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.protocols import Validator

from contract_tests.spec import SpecError, deref, escape_pointer, inlined_validator, node_at

# OpenAPI 3.1 (4.8.12.1): header parameters of these names are ignored; security schemes, request
# bodies and responses say them.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The operation the API's statement (the seed) is about: the one the suite checks in depth.
SEED_OPERATION_ID = "createAssistant"
ValidatorFactory = Callable[[str, dict[str, Any]], Validator]  # (pointer, document)


@dataclass(frozen=True)
class ParameterRule:
    """A parameter of the operation (`location`: path, query or header) and a validator of its value."""

    name: str
    location: str
    required: bool
    validator: jsonschema.Validator
    schema_pointer: str
    types: tuple[str, ...]  # the JSON types its schema allows, to read a path or query value as


@dataclass(frozen=True)
class OperationRules:
    operation_id: str
    path: str
    method: str  # upper case
    pointer: str  # of the operation object in the document
    parameters: tuple[ParameterRule, ...]
    secured: bool  # a bearer API key is required
    content_type: str | None  # of the request body; None: the operation takes no body
    body: jsonschema.Validator | None
    body_required: bool
    request_pointer: str | None  # of the request body's schema
    defaults: dict[str, Any]  # of the request body's optional fields
    success_status: int
    success_pointer: str | None  # of the success body's JSON schema; None: no body
    documents_not_found: bool  # 404 is documented, by number or by `default`

    @property
    def headers(self) -> tuple[ParameterRule, ...]:
        return tuple(rule for rule in self.parameters if rule.location == "header")

    @property
    def path_parameters(self) -> tuple[ParameterRule, ...]:
        return tuple(rule for rule in self.parameters if rule.location == "path")

    @property
    def label(self) -> str:
        return f"{self.operation_id} ({self.method} {self.path})"


def follow(document: dict[str, Any], pointer: str) -> str:
    """Where the node at `pointer` ends up after its chain of local `$ref`s (SpecError if nowhere)."""
    seen = set()
    node = node_at(document, pointer)
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        if not node["$ref"].startswith("#/") or node["$ref"] in seen:
            raise SpecError(f"cannot resolve $ref {node['$ref']!r} at {pointer}: only local, acyclic ones")
        seen.add(node["$ref"])
        pointer = node["$ref"][1:]
        node = node_at(document, pointer)
    return pointer


def all_operations(
    document: dict[str, Any], validator: ValidatorFactory = inlined_validator
) -> list[OperationRules]:
    """The rules of every operation of the spec, in the document's order."""
    found = []
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if isinstance(item.get(method), dict):
                pointer = f"/paths/{escape_pointer(path)}/{method}"
                found.append(_rules(document, path, method, pointer, validator))
    return found


def operation_rules(
    document: dict[str, Any], operation_id: str, validator: ValidatorFactory = inlined_validator
) -> OperationRules:
    """The rules of the operation named `operation_id`, or SpecError when the spec lacks it."""
    for rules in all_operations(document, validator):
        if rules.operation_id == operation_id:
            return rules
    raise SpecError(f"the spec has no operation {operation_id!r}")


def _parameters(
    document: dict[str, Any], pointer: str, validator: ValidatorFactory
) -> tuple[ParameterRule, ...]:
    """The operation's parameters and its path item's, the operation's winning (OpenAPI 3.1, 4.8.10)."""
    item_pointer = pointer.rsplit("/", 1)[0]
    found: dict[tuple[str, str], ParameterRule] = {}
    for owner in (item_pointer, pointer):
        for index in range(len(node_at(document, owner).get("parameters", []))):
            where = follow(document, f"{owner}/parameters/{index}")
            parameter = node_at(document, where)
            if "schema" not in parameter or parameter.get("in") not in ("path", "query", "header"):
                continue  # cookies and `content` parameters are not enforced
            if parameter["in"] == "header" and parameter["name"].lower() in _IGNORED_HEADERS:
                continue
            schema_pointer = f"{where}/schema"
            found[(parameter["name"].lower(), parameter["in"])] = ParameterRule(
                name=parameter["name"],
                location=parameter["in"],
                required=bool(parameter.get("required")) or parameter["in"] == "path",
                validator=validator(schema_pointer, document),
                schema_pointer=schema_pointer,
                types=_types(deref(document, parameter["schema"])),
            )
    return tuple(found.values())


def _types(schema: Any) -> tuple[str, ...]:
    declared = schema.get("type", "string") if isinstance(schema, dict) else "string"
    return (declared,) if isinstance(declared, str) else tuple(declared)


def _secured(document: dict[str, Any], operation: dict[str, Any]) -> bool:
    """Whether every security requirement of the operation asks for a scheme (`{}` makes it optional)."""
    requirements = operation.get("security", document.get("security", []))
    return bool(requirements) and all(requirement for requirement in requirements)


def _rules(
    document: dict[str, Any], path: str, method: str, pointer: str, validator: ValidatorFactory
) -> OperationRules:
    operation = node_at(document, pointer)
    operation_id = operation.get("operationId") or f"{method.upper()} {path}"
    content_type = body = request_pointer = None
    defaults: dict[str, Any] = {}
    body_required = False
    if "requestBody" in operation:
        body_pointer = follow(document, f"{pointer}/requestBody")
        request_body = node_at(document, body_pointer)
        content = request_body.get("content", {})
        # The JSON media type is the one enforced and tested; others (multipart, say) are not.
        content_type = json_media(content)
        if content_type is None or "schema" not in content[content_type]:
            content_type = None
        else:
            request_pointer = f"{body_pointer}/content/{escape_pointer(content_type)}/schema"
            body = validator(request_pointer, document)
        body_required = bool(request_body.get("required")) and content_type is not None
        body_schema = deref(document, content[content_type].get("schema", {})) if content_type else {}
        defaults = {
            name: prop["default"]
            for name, prop in body_schema.get("properties", {}).items()
            if isinstance(prop, dict) and "default" in prop
        }
    responses = operation.get("responses", {})
    success = sorted(code for code in responses if str(code).startswith("2") and str(code).isdigit())
    if not success:
        raise SpecError(f"{operation_id}: the operation documents no 2xx response")
    success_pointer = json_schema(document, f"{pointer}/responses/{success[0]}")
    return OperationRules(
        operation_id=operation_id,
        path=path,
        method=method.upper(),
        pointer=pointer,
        parameters=_parameters(document, pointer, validator),
        secured=_secured(document, operation),
        content_type=content_type,
        body=body,
        body_required=body_required,
        request_pointer=request_pointer,
        defaults=defaults,
        success_status=int(success[0]),
        success_pointer=success_pointer,
        documents_not_found="404" in responses or "default" in responses,
    )


def undocumented_errors(document: dict[str, Any], rules: OperationRules) -> dict[int, str]:
    """The error statuses the project's rules give on this operation (each with why) that its
    responses document neither by number, nor by range (`4XX`), nor by `default`."""
    demanded: dict[int, str] = {}
    if rules.secured:
        demanded[401] = "a missing or wrong key"
    checked = any(_can_be_invalid(document, rule) for rule in rules.parameters)
    invalid = [what for what, present in (("parameter", checked), ("body", rules.content_type)) if present]
    if invalid:
        demanded[400] = "an invalid " + " or ".join(invalid)
    if rules.content_type:
        demanded[415] = "a body of another content type"
        demanded[413] = "a body over the size limit"
    if rules.path_parameters:
        demanded[404] = "a resource the server has not got"
    documented = {str(code).upper() for code in node_at(document, rules.pointer).get("responses", {})}
    if "DEFAULT" in documented:
        return {}
    return {
        status: why
        for status, why in sorted(demanded.items())
        if str(status) not in documented and f"{str(status)[0]}XX" not in documented
    }


def _can_be_invalid(document: dict[str, Any], rule: ParameterRule) -> bool:
    """Whether some request breaks the parameter: one that may be left out, or any value but text."""
    if rule.location != "path":
        return True  # a header or query value can always be sent wrong, or left out
    schema = deref(document, node_at(document, rule.schema_pointer))
    annotations = {"type", "description", "title", "example", "examples", "deprecated"}
    return rule.types != ("string",) or bool(set(schema) - annotations)


def media_type(content_type: str | None) -> str:
    """`application/json` of `Application/JSON; charset=utf-8`."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def json_media(content: dict[str, Any]) -> str | None:
    """The first JSON media type (`application/json`, `application/problem+json`...) of a content map."""
    for name in content:
        kind = media_type(name)
        if kind == "application/json" or kind.endswith("+json"):
            return str(name)
    return None


def json_schema(document: dict[str, Any], response_pointer: str) -> str | None:
    """The pointer of a response's JSON schema, or None when it has no JSON body."""
    pointer = follow(document, response_pointer)
    content = node_at(document, pointer).get("content", {})
    media = json_media(content)
    if media is None or "schema" not in content[media]:
        return None
    return follow(document, f"{pointer}/content/{escape_pointer(media)}/schema")


def error_schemas(document: dict[str, Any], rules: OperationRules) -> dict[str, str | None]:
    """The operation's error statuses ("400", "4XX", "default") -> the pointers of their JSON schemas."""
    responses = node_at(document, rules.pointer).get("responses", {})
    return {
        str(status): json_schema(document, f"{rules.pointer}/responses/{escape_pointer(str(status))}")
        for status in responses
        if not str(status).startswith("2")
    }


def parameter_value(raw: str, rule: ParameterRule) -> Any:
    """A parameter's text (path, query or header) as the JSON value its schema types it (`5` for an
    integer, `true` for a boolean); as it is when it reads as no such value."""
    for kind, parse in (("integer", int), ("number", float)):
        if kind in rule.types:
            try:
                return parse(raw)
            except ValueError:
                pass
    if "boolean" in rule.types and raw in ("true", "false"):
        return raw == "true"
    return raw
