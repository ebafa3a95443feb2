"""What the tests need to know of the spec, found in the loaded document by name and by schema keyword.

Tests take every value from here (a limit, a required field, a property with a pattern, the tool
kinds), never from a literal: a team edits the spec and runs `make test`, which must still pass for
any edit that keeps the API's statement true. An edit that takes away what a test needs makes it fail
naming what the spec lacks, not with a KeyError.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from contract_tests.api.document import SPEC_PATH, load_spec, node_at
from contract_tests.api.faults import Fault
from contract_tests.api.model import Api, load_api
from contract_tests.api.model import Operation as ModelOperation
from contract_tests.api.parameters import text_of
from contract_tests.api.values import Values, json_types


class Operation:
    """An operation of the spec as the tests read it (from the model: contract_tests.api)."""

    def __init__(self, api: Api, op: ModelOperation) -> None:
        self.api, self.op = api, op
        self.values: Values = api.values
        self.document = api.document
        self.operation_id, self.path, self.method, self.label = op.operation_id, op.path, op.method, op.label
        self.pointer = op.pointer
        self.success_status = op.success_status
        self.request_schema_pointer = op.body.schema_pointer if op.body is not None else None
        self.assistant_schema_pointer = op.success.schema_pointer
        self.content_type = op.body.media_type if op.body is not None else None
        self.examples = api.examples(op)
        self.defaults = api.defaults(op)
        error = op.response_for(400) or op.response_for(op.statuses(Fault.INVALID).answer)
        self.error_schema_pointer = error.schema_pointer if error is not None else None

    @property
    def request(self) -> jsonschema.Validator | None:
        return self.values.validator(self.request_schema_pointer) if self.request_schema_pointer else None

    @property
    def assistant(self) -> jsonschema.Validator | None:
        pointer = self.assistant_schema_pointer
        return self.values.validator(pointer) if pointer else None

    @property
    def error(self) -> jsonschema.Validator:
        """The validator of the error body the operation documents for an invalid request."""
        assert self.error_schema_pointer is not None, f"{self.operation_id} documents no error schema"
        return self.values.validator(self.error_schema_pointer)

    @property
    def request_schema(self) -> dict[str, Any]:
        return self.values.schema(self.request_schema_pointer) if self.request_schema_pointer else {}

    def required_headers(self) -> dict[str, str]:
        return {
            parameter.name: text_of(self.api.parameter_example(parameter))
            for parameter in self.op.headers
            if parameter.required
        }


def seed_operation(api: Api) -> ModelOperation:
    """The seed's operation: the first POST of a collection (no path parameter) that takes a JSON body."""
    for op in api.operations:
        if op.method == "POST" and not op.path_parameters and op.body is not None:
            return op
    raise AssertionError("the spec has no POST of a collection with a JSON body (the seed's operation)")


def seed(spec_path: Path | str = SPEC_PATH) -> Operation:
    """The seed's operation of the spec."""
    api = load_api(spec_path)
    return Operation(api, seed_operation(api))


def request_pointer(op: Operation | None = None) -> str:
    op = op or seed()
    assert op.request_schema_pointer is not None, f"{op.operation_id} has no JSON request body"
    return str(op.request_schema_pointer)


def response_pointer(op: Operation | None = None) -> str:
    op = op or seed()
    assert op.assistant_schema_pointer is not None, f"{op.operation_id} has no JSON success body"
    return str(op.assistant_schema_pointer)


@dataclass(frozen=True)
class Prop:
    name: str
    pointer: str  # of its schema
    schema: dict[str, Any]  # its keywords, `$ref`s followed


def properties(pointer: str, op: Operation | None = None) -> list[Prop]:
    values = (op or seed()).values
    return [Prop(name, where, values.schema(where)) for name, where in values.properties(pointer).items()]


def request_properties(op: Operation | None = None) -> list[Prop]:
    return properties(request_pointer(op), op)


def with_keyword(keyword: str, op: Operation | None = None) -> list[Prop]:
    """The request's top-level properties that have `keyword` (e.g. maxLength)."""
    return [prop for prop in request_properties(op) if keyword in prop.schema]


def first_with(keyword: str, *, kind: str | None = None, op: Operation | None = None) -> Prop:
    found = [prop for prop in with_keyword(keyword, op) if kind is None or kind in json_types(prop.schema)]
    assert found, f"the request schema has no top-level {kind or ''} property with {keyword}"
    return found[0]


def required(op: Operation | None = None) -> list[str]:
    names: list[str] = (op or seed()).values.schema(request_pointer(op)).get("required", [])
    return names


def kinds(op: Operation | None = None) -> tuple[Prop, list[tuple[str, str]]]:
    """The request's list whose items are told apart by kind (the tools), and its (kind, pointer)s."""
    op = op or seed()
    for prop in request_properties(op):
        items = op.values.child(prop.pointer, "items")
        if items is not None and op.values.branches(items):
            return prop, op.values.branches(items)
    raise AssertionError("the request has no list of items of several kinds (oneOf)")


def sites(op: Operation | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, keywords) of every schema below the request's root, depth first."""
    op = op or seed()
    values = op.values
    seen: set[str] = set()

    def walk(pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
        target = list(values.chain(pointer))[-1]
        if target in seen:
            return
        seen.add(target)
        yield pointer, values.schema(pointer)
        for child in values.properties(pointer).values():
            yield from walk(child)
        for keyword in ("items", "additionalProperties"):
            found = values.child(pointer, keyword)
            if found is not None and isinstance(node_at(op.document, found), dict):
                yield from walk(found)
        for _, branch in values.branches(pointer):
            yield from walk(branch)

    yield from walk(request_pointer(op))


# --- edited copies of the spec -------------------------------------------------------------------------


def edited(tmp_path: Path, edit: Callable[[dict[str, Any]], None], name: str | None = None) -> Path:
    """A copy of the spec with `edit` made to its parsed document, written as YAML; the edit must change
    something (an edit that silently does nothing proves nothing)."""
    document = load_spec(SPEC_PATH)
    before = json.dumps(document, sort_keys=True)
    edit(document)
    assert json.dumps(document, sort_keys=True) != before, "the edit changed nothing in the spec"
    path = tmp_path / (name or f"openapi-{len(list(tmp_path.glob('openapi-*.yaml')))}.yaml")
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def at(document: dict[str, Any], pointer: str) -> Any:
    """The node of an edited document at a pointer (the same pointer as in the loaded spec)."""
    return node_at(document, pointer)


def target(document: dict[str, Any], pointer: str) -> dict[str, Any]:
    """The schema node where the keywords at `pointer` live (its `$ref` chain followed)."""
    values = Values(document)
    node: dict[str, Any] = node_at(document, list(values.chain(pointer))[-1])
    return node


def examples_of(document: dict[str, Any], op: Operation | None = None) -> list[dict[str, Any]]:
    """The request examples of the seed's operation in `document` (to keep them valid after an edit)."""
    op = op or seed()
    content = node_at(document, request_pointer_in_document(op))
    found = [example["value"] for example in content.get("examples", {}).values() if "value" in example]
    return found


def request_pointer_in_document(op: Operation) -> str:
    """The pointer of the seed operation's request media type object (its examples live there)."""
    from contract_tests.api.document import escape_pointer  # noqa: PLC0415

    assert op.op.body is not None
    return f"{op.pointer}/requestBody/content/{escape_pointer(op.op.body.media_type)}"


def deep(value: Any) -> Any:
    return copy.deepcopy(value)


def body_factory(spec_path: Path | str = SPEC_PATH) -> Any:
    """The suite's spec-derived bodies of the seed's operation of the spec at `spec_path`."""
    from contract_tests.suite.bodies import BodyFactory  # noqa: PLC0415

    op = seed(spec_path)
    return BodyFactory(op.api, op.op)
