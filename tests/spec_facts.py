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

import yaml

from contract_tests.api.document import SPEC_PATH, load_spec, node_at
from contract_tests.suite.operation import Operation, load_operation
from contract_tests.api.values import Values, json_types


def seed(spec_path: Path | str = SPEC_PATH) -> Operation:
    """The seed's operation (createAssistant) of the spec."""
    return load_operation(str(spec_path))


def request_pointer(op: Operation | None = None) -> str:
    op = op or seed()
    assert op.request_schema_pointer is not None, f"{op.operation_id} has no JSON request body"
    return op.request_schema_pointer


def response_pointer(op: Operation | None = None) -> str:
    op = op or seed()
    assert op.assistant_schema_pointer is not None, f"{op.operation_id} has no JSON success body"
    return op.assistant_schema_pointer


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
    assert op.rules.request_pointer is not None
    return op.rules.request_pointer.rsplit("/", 1)[0]


def deep(value: Any) -> Any:
    return copy.deepcopy(value)
