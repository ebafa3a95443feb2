"""The body of a success response, built from the request and the response schema alone.

Nothing here names a field. Every property of the response schema that the request also has comes
back as sent (where the response schema allows the value sent), or as the request schema's default
when the request left it out; the properties the request cannot set are the server's: a property the
spec marks `x-unique: true` (and a resource's id) gets a value no earlier response had, one of
`format: unixtime` the current Unix time in seconds, any other the schema's default or example
(contract_tests.api.values).
"""

from __future__ import annotations

import copy
import itertools
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from contract_tests.api.document import UNIQUE, UNIXTIME, NotInlinable, SpecError, inline_refs, node_at
from contract_tests.api.model import Api, Operation
from contract_tests.api.values import NO_VALUE, Values

# Keywords that say nothing about which values a schema allows.
_ANNOTATIONS = frozenset({"description", "title", "examples", "example", "deprecated", "default"})
_DATA = frozenset({"enum", "const"})
_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


@dataclass(frozen=True)
class Field:
    name: str
    pointer: str  # of its schema in the response
    required: bool
    reflects: bool  # the request has a property of that name
    checked: bool  # a sent value is validated against the response's schema before it is reflected
    default: Any  # the request's default when valid in the response, else NO_VALUE
    assigned: bool  # the server's own (unique or a time): never taken from the request
    assign: Callable[[], Any]  # the server's own value


class SuccessBody:
    """Builds the success body of one operation."""

    def __init__(self, api: Api, op: Operation, unique: Iterable[str] = ()) -> None:
        values = api.values
        self.values = values
        self.pointer = op.success.schema_pointer
        self.fields: list[Field] = []
        if self.pointer is None:
            return
        schema = values.schema(self.pointer)
        if "properties" not in schema:
            return
        request_pointer = op.body.schema_pointer if op.body is not None else None
        request_properties = values.properties(request_pointer) if request_pointer else {}
        defaults = api.defaults(op)
        required = set(schema.get("required", []))
        counter = itertools.count(1)
        for name, pointer in values.properties(self.pointer).items():
            default = defaults.get(name, NO_VALUE)
            sent_pointer = request_properties.get(name)
            field_schema = values.schema(pointer)
            assigned = field_schema.get(UNIQUE) is True or name in unique
            self.fields.append(
                Field(
                    name=name,
                    pointer=pointer,
                    required=name in required,
                    reflects=sent_pointer is not None,
                    checked=sent_pointer is None or not _same(api.document, sent_pointer, pointer),
                    default=default if values.is_valid(pointer, default) else NO_VALUE,
                    assigned=assigned,
                    assign=self._assigner(pointer, counter, unique=assigned),
                )
            )

    def __call__(self, request: Any, keep: dict[str, Any] | None = None) -> Any:
        """The body for `request`; `keep` gives the values of fields the request does not set (a replaced
        resource keeps its id and creation time)."""
        if self.pointer is None:
            return None
        if not self.fields:
            return self.values.example(self.pointer)
        sent = request if isinstance(request, dict) else {}
        kept = keep or {}
        body: dict[str, Any] = {}
        for field in self.fields:
            value = sent.get(field.name, NO_VALUE) if field.reflects else NO_VALUE
            if field.name in kept and (field.assigned or value is NO_VALUE):
                body[field.name] = copy.deepcopy(kept[field.name])
            elif value is not NO_VALUE and (not field.checked or self.values.is_valid(field.pointer, value)):
                body[field.name] = value
            elif value is NO_VALUE and field.default is not NO_VALUE:
                body[field.name] = copy.deepcopy(field.default)
            elif field.required:
                body[field.name] = field.assign()
        return body

    def _assigner(self, pointer: str, counter: itertools.count[int], *, unique: bool) -> Callable[[], Any]:
        schema = self.values.schema(pointer)
        example = self.values.example(pointer)
        if unique:
            return lambda: self._unique(pointer, example, next(counter))
        if schema.get("format") == UNIXTIME:
            as_text = isinstance(example, str)
            return lambda: str(int(time.time())) if as_text else int(time.time())
        return lambda: copy.deepcopy(example)

    def _unique(self, pointer: str, example: Any, number: int) -> Any:
        """A value no other response had: the example's prefix (`asst_`) and random hex, or a count."""
        if isinstance(example, int | float) and not isinstance(example, bool):
            candidates: list[Any] = [int(example) + number, number]
        else:
            text = str(example)
            prefix = text[: max(text.rfind("_"), text.rfind("-")) + 1]
            token = secrets.token_hex(12)
            candidates = [prefix + token, token, f"{text}{number}"]
        for candidate in candidates:
            if self.values.is_valid(pointer, candidate):
                return candidate
        return example


def _same(document: dict[str, Any], left: str, right: str) -> bool:
    """Whether two schemas allow the same values (identical but for annotations), so that a value valid
    in the request needs no second validation to be reflected."""
    try:
        return bool(
            _assertions(inline_refs(document, node_at(document, left)))
            == _assertions(inline_refs(document, node_at(document, right)))
        )
    except (NotInlinable, SpecError):  # validate then: it is only slower
        return False


def _assertions(node: Any) -> Any:
    """A schema without its annotations (keywords only: a property named `description` stays)."""
    if isinstance(node, list):
        return [_assertions(item) for item in node]
    if not isinstance(node, dict):
        return node
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if key in _ANNOTATIONS:
            continue
        if key in _DATA:
            kept[key] = value
        elif key in _MAPS and isinstance(value, dict):
            kept[key] = {name: _assertions(schema) for name, schema in value.items()}
        else:
            kept[key] = _assertions(value)
    return kept


def filled(values: Values, pointer: str | None, given: dict[str, Any]) -> Any:
    """A body of the schema at `pointer` with the `given` properties, the others required filled from
    their schemas (a delete's confirmation, a list's envelope)."""
    if pointer is None:
        return None
    schema = values.schema(pointer)
    if "object" not in values.types(pointer):
        return values.example(pointer)
    body: dict[str, Any] = {}
    properties = values.properties(pointer)
    for name in schema.get("required", []):
        if name in given:
            continue
        where = properties.get(name)
        if where is None:
            continue
        body[name] = _confirming(values, where)
    body.update(given)
    return body


def _confirming(values: Values, pointer: str) -> Any:
    """A required value the server states: a boolean with nothing to say otherwise is `true` (a delete
    confirms it deleted); anything else its example."""
    example = values.example(pointer)
    schema = values.schema(pointer)
    if (
        example is False
        and values.types(pointer) == ("boolean",)
        and not {"const", "enum", "default", "examples", "example"} & schema.keys()
    ):
        return True
    return example
