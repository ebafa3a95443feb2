"""What the spec says about the one operation under test, read at run time from spec/openapi.yaml."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from contract_tests.server.rules import HeaderRule, operation_rules
from contract_tests.spec import SPEC_PATH, SpecError, load_spec, validator_for

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
    request: jsonschema.Validator
    assistant: jsonschema.Validator
    error: jsonschema.Validator
    examples: dict[str, Any]

    def resolve(self, node: Any) -> Any:
        """Follow local `$ref`s until a schema that is not a reference."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            target: Any = self.document
            # Any document prefix (`urn:...#/...`) names the same spec: keep the pointer after `#/`.
            for part in node["$ref"].partition("#/")[2].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    @property
    def request_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = self.resolve({"$ref": f"#{self.request_schema_pointer}"})
        return schema

    def required_headers(self) -> dict[str, str]:
        """A valid value of every required header: its `default`, else its first `enum` value."""
        values = {}
        for rule in self.headers:
            schema = rule.validator.schema
            parameter = self.resolve(schema)
            value = parameter.get("default", (parameter.get("enum") or [None])[0])
            if rule.required and isinstance(value, str):
                values[rule.name] = value
        return values


def _response_schema_name(document: dict[str, Any], responses: dict[str, Any], status: str) -> str:
    response = responses[status]
    while "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    ref: str = response["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


@functools.cache
def load_operation(spec_path: str = str(SPEC_PATH)) -> Operation:
    """The operation `createAssistant` of the spec at `spec_path`; SpecError when it is not there."""
    document = load_spec(spec_path)
    rules = operation_rules(document, OPERATION_ID)
    operation = document["paths"][rules.path][rules.method.lower()]
    responses = operation.get("responses", {})
    success = sorted(code for code in responses if code.startswith("2"))
    errors = [code for code in responses if code.startswith("4")]
    if not success or not errors:
        raise SpecError(f"{OPERATION_ID} documents no 2xx or no 4xx response")
    body = operation["requestBody"]["content"][rules.content_type]
    pointer = body["schema"]["$ref"].removeprefix("#")
    examples = {name: example["value"] for name, example in body.get("examples", {}).items()}
    if not examples:
        raise SpecError(f"{OPERATION_ID}: the request body needs at least one example to build cases from")
    request = validator_for(pointer, document)
    for name, value in examples.items():
        # Every case is built from the examples: an invalid one would turn valid cases into invalid ones.
        error = best_match(request.iter_errors(value))
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "(root)"
            raise SpecError(
                f"{OPERATION_ID}: the request example {name!r} is invalid against its own schema"
                f" (at {where}: {error.message[:200]})"
            )
    assistant_name = _response_schema_name(document, responses, success[0])
    error_name = _response_schema_name(document, responses, errors[0])
    return Operation(
        document=document,
        path=rules.path,
        method=rules.method,
        content_type=rules.content_type,
        headers=rules.headers,
        defaults=rules.defaults,
        success_status=int(success[0]),
        request_schema_pointer=pointer,
        request=request,
        assistant=validator_for(f"/components/schemas/{assistant_name}", document),
        error=validator_for(f"/components/schemas/{error_name}", document),
        examples=examples,
    )
