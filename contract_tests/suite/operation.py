"""What the spec says about each operation under test, read at run time from the spec document."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from contract_tests.server.rules import (
    SEED_OPERATION_ID,
    OperationRules,
    ParameterRule,
    all_operations,
    follow,
    json_schema,
)
from contract_tests.spec import SPEC_PATH, SpecError, deref, escape_pointer, load_spec, node_at, validator_for
from contract_tests.values import Values

PATH_PROBE = "contract-probe-id"  # a path parameter's value where its schema allows any string
# Kept for callers that name the seed's operation.
OPERATION_ID = SEED_OPERATION_ID


@dataclass(frozen=True)
class Operation:
    """One operation's rules and validators; every value comes from the spec document."""

    document: dict[str, Any]
    values: Values
    rules: OperationRules
    operation_id: str
    path: str
    method: str
    content_type: str | None
    headers: tuple[ParameterRule, ...]
    defaults: dict[str, Any]
    success_status: int
    request_schema_pointer: str | None
    assistant_schema_pointer: str | None  # the success body's schema
    request: jsonschema.Validator | None
    assistant: jsonschema.Validator | None
    error: jsonschema.Validator
    error_schema_pointer: str  # the error body's schema (the first documented 4xx's, else `default`'s)
    responses: dict[str, str | None]  # documented status (or "default") -> its JSON schema's pointer
    examples: dict[str, Any]

    @property
    def label(self) -> str:
        return self.rules.label

    @property
    def is_seed(self) -> bool:
        """The operation the API's statement is about, which the suite's own deep checks judge."""
        return self.operation_id == SEED_OPERATION_ID

    def resolve(self, node: Any) -> Any:
        """Follow `$ref`s into the spec until a schema that is not a reference."""
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and not node["$ref"].startswith("#"):
            # validator_for names the spec by a URI (`urn:...#/...`): the pointer after `#` is local.
            node = {"$ref": "#" + node["$ref"].partition("#")[2]}
        return deref(self.document, node)

    @property
    def request_schema(self) -> dict[str, Any]:
        if self.request_schema_pointer is None:
            return {}
        return self.values.schema(self.request_schema_pointer)

    @property
    def assistant_schema(self) -> dict[str, Any]:
        if self.assistant_schema_pointer is None:
            return {}
        return self.values.schema(self.assistant_schema_pointer)

    def required_headers(self) -> dict[str, str]:
        """A valid value of every required header: its `default`, else its example or first `enum` value."""
        values = {}
        for rule in self.headers:
            if not rule.required:
                continue
            value = self.values.example(rule.schema_pointer)
            # A header carries text: a typed value as it is written (`5`, `true`).
            values[rule.name] = value if isinstance(value, str) else json.dumps(value)
        return values

    def path_values(self) -> dict[str, Any]:
        """A valid value of every path parameter (from its schema's examples, else the simplest that is
        not empty: an empty segment is another path)."""
        found = {}
        for rule in self.rules.path_parameters:
            value = self.values.example(rule.schema_pointer)
            if value == "" and rule.validator.is_valid(PATH_PROBE):
                value = PATH_PROBE
            found[rule.name] = value
        return found

    def url_path(self) -> str:
        """The operation's path with its parameters filled in."""
        path = self.path
        for name, value in self.path_values().items():
            path = path.replace("{" + name + "}", str(value))
        return path

    def example_body(self) -> Any:
        """The spec's first request example, else a value built from the request schema."""
        if self.examples:
            return next(iter(self.examples.values()))
        if self.request_schema_pointer is None:
            return None
        return self.values.example(self.request_schema_pointer)


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


def _response_schemas(document: dict[str, Any], pointer: str) -> dict[str, str | None]:
    return {
        str(status): json_schema(document, f"{pointer}/responses/{escape_pointer(str(status))}")
        for status in node_at(document, pointer).get("responses", {})
    }


def _operation(document: dict[str, Any], values: Values, rules: OperationRules) -> Operation:
    responses = _response_schemas(document, rules.pointer)
    errors = [status for status in sorted(responses) if status.startswith("4") and responses[status]]
    error_status = errors[0] if errors else "default"
    if responses.get(error_status) is None:
        raise SpecError(f"{rules.operation_id} documents no 4xx (or default) response with a JSON schema")
    examples: dict[str, Any] = {}
    request = None
    request_pointer = None
    if rules.request_pointer is not None:
        request_pointer = follow(document, rules.request_pointer)
        content_pointer = rules.request_pointer.rsplit("/", 1)[0]
        raw_examples = node_at(document, content_pointer).get("examples", {})
        examples = {name: deref(document, example).get("value") for name, example in raw_examples.items()}
        if "example" in node_at(document, content_pointer):
            examples.setdefault("example", node_at(document, content_pointer)["example"])
        request = validator_for(request_pointer, document)
        for name, value in examples.items():
            # Spec-derived bodies start from the examples: an invalid one would mislabel valid cases.
            error = best_match(request.iter_errors(value))
            if error is not None:
                where = "/".join(str(part) for part in error.absolute_path) or "(root)"
                raise SpecError(
                    f"{rules.operation_id}: the request example {name!r} is invalid against its own schema"
                    f" (at {where}: {error.message[:200]})"
                )
    success_pointer = responses.get(str(rules.success_status))
    return Operation(
        document=document,
        values=values,
        rules=rules,
        operation_id=rules.operation_id,
        path=rules.path,
        method=rules.method,
        content_type=rules.content_type,
        headers=rules.headers,
        defaults=rules.defaults,
        success_status=rules.success_status,
        request_schema_pointer=request_pointer,
        assistant_schema_pointer=success_pointer,
        request=request,
        assistant=validator_for(success_pointer, document) if success_pointer else None,
        error=validator_for(responses[error_status] or "", document),
        error_schema_pointer=responses[error_status] or "",
        responses=responses,
        examples=examples,
    )


@functools.cache
def load_operations(spec_path: str = str(SPEC_PATH)) -> tuple[Operation, ...]:
    """Every operation of the spec at `spec_path`, the seed's first; SpecError when one cannot be used."""
    document = load_spec(spec_path)
    _check_refs(document, document)
    values = Values(document)
    operations = [_operation(document, values, rules) for rules in all_operations(document, validator_for)]
    seed = [operation for operation in operations if operation.is_seed]
    if not seed:
        raise SpecError(f"the spec has no operation {SEED_OPERATION_ID!r}")
    if seed[0].request is None:
        raise SpecError(f"{SEED_OPERATION_ID}: the operation has no JSON request body")
    return (seed[0], *(operation for operation in operations if not operation.is_seed))


def load_operation(spec_path: str = str(SPEC_PATH)) -> Operation:
    """The seed's operation, `createAssistant`, of the spec at `spec_path`."""
    return load_operations(spec_path)[0]
