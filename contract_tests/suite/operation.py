"""What the spec says about the one operation under test, read at run time from spec/openapi.yaml."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from contract_tests.server.rules import HeaderRule, operation_rules
from contract_tests.spec import (
    SPEC_PATH,
    SpecError,
    deref,
    escape_pointer,
    load_spec,
    node_at,
    validator_for,
)

OPERATION_ID = "createAssistant"


@dataclass(frozen=True)
class Operation:
    """The operation's rules and validators; every value comes from the spec document."""

    document: dict[str, Any]
    path: str
    method: str
    content_type: str
    headers: tuple[HeaderRule, ...]
    defaults: dict[str, Any]
    success_status: int
    request_schema_pointer: str
    assistant_schema_pointer: str
    request: jsonschema.Validator
    assistant: jsonschema.Validator
    error: jsonschema.Validator
    examples: dict[str, Any]

    def resolve(self, node: Any) -> Any:
        """Follow `$ref`s into the spec until a schema that is not a reference."""
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and not node["$ref"].startswith("#"):
            # validator_for names the spec by a URI (`urn:...#/...`): the pointer after `#` is local.
            node = {"$ref": "#" + node["$ref"].partition("#")[2]}
        return deref(self.document, node)

    @property
    def request_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = node_at(self.document, self.request_schema_pointer)
        return schema

    @property
    def assistant_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = node_at(self.document, self.assistant_schema_pointer)
        return schema

    def required_headers(self) -> dict[str, str]:
        """A valid value of every required header: its `default`, else its first `enum` value."""
        values = {}
        for rule in self.headers:
            parameter = self.resolve(rule.validator.schema)
            value = parameter.get("default", (parameter.get("enum") or [None])[0])
            if rule.required and isinstance(value, str):
                values[rule.name] = value
        return values


def _follow(document: dict[str, Any], pointer: str) -> str:
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


def _check_refs(document: dict[str, Any], node: Any, where: str = "") -> None:
    """SpecError naming the first local `$ref` that points to nothing (a typo such as `Eror`)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            try:
                node_at(document, ref[1:])
            except SpecError:
                raise SpecError(f"the spec's $ref {ref!r} at {where or '/'} points to nothing") from None
        for key, value in node.items():
            _check_refs(document, value, f"{where}/{escape_pointer(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_refs(document, value, f"{where}/{index}")


def _json_schema_pointer(document: dict[str, Any], response_pointer: str, status: str) -> str:
    """The schema of a response's JSON body, inline or a `$ref`, as a pointer to where it is."""
    pointer = _follow(document, response_pointer)
    content = node_at(document, pointer).get("content", {})
    if "application/json" not in content or "schema" not in content["application/json"]:
        raise SpecError(f"{OPERATION_ID}: the {status} response has no application/json schema")
    return _follow(document, f"{pointer}/content/application~1json/schema")


@functools.cache
def load_operation(spec_path: str = str(SPEC_PATH)) -> Operation:
    """The operation `createAssistant` of the spec at `spec_path`; SpecError when it cannot be used."""
    document = load_spec(spec_path)
    _check_refs(document, document)
    rules = operation_rules(document, OPERATION_ID)
    pointer = f"/paths/{escape_pointer(rules.path)}/{rules.method.lower()}"
    operation = node_at(document, pointer)
    responses = operation.get("responses", {})
    success = sorted(code for code in responses if code.startswith("2"))
    errors = sorted(code for code in responses if code.startswith("4"))
    if not success or not errors:
        raise SpecError(f"{OPERATION_ID} documents no 2xx or no 4xx response")
    body_pointer = _follow(document, f"{pointer}/requestBody")
    content_pointer = f"{body_pointer}/content/{escape_pointer(rules.content_type)}"
    request_pointer = _follow(document, f"{content_pointer}/schema")
    raw_examples = node_at(document, content_pointer).get("examples", {})
    examples = {name: deref(document, example).get("value") for name, example in raw_examples.items()}
    if not examples:
        raise SpecError(f"{OPERATION_ID}: the request body needs at least one example to build cases from")
    request = validator_for(request_pointer, document)
    for name, value in examples.items():
        # Every case is built from the examples: an invalid one would turn valid cases into invalid ones.
        error = best_match(request.iter_errors(value))
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "(root)"
            raise SpecError(
                f"{OPERATION_ID}: the request example {name!r} is invalid against its own schema"
                f" (at {where}: {error.message[:200]})"
            )
    assistant_pointer = _json_schema_pointer(document, f"{pointer}/responses/{success[0]}", success[0])
    error_pointer = _json_schema_pointer(document, f"{pointer}/responses/{errors[0]}", errors[0])
    return Operation(
        document=document,
        path=rules.path,
        method=rules.method,
        content_type=rules.content_type,
        headers=rules.headers,
        defaults=rules.defaults,
        success_status=int(success[0]),
        request_schema_pointer=request_pointer,
        assistant_schema_pointer=assistant_pointer,
        request=request,
        assistant=validator_for(assistant_pointer, document),
        error=validator_for(error_pointer, document),
        examples=examples,
    )
