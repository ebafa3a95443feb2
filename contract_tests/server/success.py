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
import hashlib
import itertools
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contract_tests.api import prose
from contract_tests.api.document import (
    UNIQUE,
    NotInlinable,
    SpecError,
    deref,
    escape_pointer,
    inline_refs,
    node_at,
)
from contract_tests.api.media import BINARY, EVENTS, JSON, TEXT
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
    upload: str | None = None  # "size" or "filename": taken from the file the request uploaded
    results: str | None = None  # a required array the operation exists to return: its items' schema
    from_path: bool = False  # named as a path parameter (a message's `thread_id`): the path's value
    nullable: bool = False  # the server's own value may be null (a `completed_at` not yet reached)


# Bytes a server answers with where the spec says only "binary" (speech, an image): a fixed preamble and
# the request's own digest, so that two requests get different, reproducible content.
_BINARY_SIZE = 2048
STREAMED_EVENTS = 3  # events of a stream answered where the client asked for one
LIVELY_DEPTH = 8  # how deep a server-built value is made usable (non-empty text, one result)


class SuccessBody:
    """Builds the success body of one operation, in the kind of body it answers with."""

    def __init__(
        self, api: Api, op: Operation, unique: Iterable[str] = (), pointer: str | None = None
    ) -> None:
        values = api.values
        self.api = api
        self.op = op
        self.values = values
        success = op.success
        self.kind = success.kind if pointer is None else JSON
        self.pointer = pointer or (
            success.schema_pointer if self.kind == JSON else success.other_schema_pointer
        )
        self.fields: list[Field] = []
        self.shown: dict[str, Any] = {}
        self.undeclared: list[str] = []  # required, but not among the properties (a flaw of the spec)
        self._stream: SuccessBody | None = None
        if success.stream_schema_pointer is not None and pointer is None:
            self._stream = SuccessBody(api, op, unique, pointer=success.stream_schema_pointer)
        if self.pointer is None or self.kind not in (JSON, EVENTS):
            return
        schema = values.schema(self.pointer)
        if "properties" not in schema:
            return
        request_pointer = op.body.schema_pointer if op.body is not None else None
        request_properties = values.properties(request_pointer) if request_pointer else {}
        defaults = api.defaults(op)
        required = set(schema.get("required", []))
        self.undeclared = [name for name in required if name not in values.properties(self.pointer)]
        counter = itertools.count(1)
        role = api.role(op)
        resource = role is not None
        # The object's own id is the server's, never a path's value (a path naming the parent by the
        # same name is the parent's).
        own_id = role[0].id_pointer[1:] if role is not None and role[0].id_pointer.count("/") == 1 else None
        # The response's own example, where the spec gives one: the server's fields take its values.
        shown = documented_example(api, op) if pointer is None else NO_VALUE
        self.shown = shown if isinstance(shown, dict) else {}
        for name, where in values.properties(self.pointer).items():
            default = defaults.get(name, NO_VALUE)
            sent_pointer = request_properties.get(name)
            field_schema = values.schema(where)
            types = values.types(where)
            identifier = not resource and "string" in types and prose.is_identifier(field_schema)
            assigned = field_schema.get(UNIQUE) is True or name in unique or identifier
            items = values.child(where, "items")
            self.fields.append(
                Field(
                    name=name,
                    pointer=where,
                    required=name in required,
                    reflects=sent_pointer is not None,
                    checked=sent_pointer is None or not _same(api.document, sent_pointer, where),
                    default=default if values.is_valid(where, default) else NO_VALUE,
                    assigned=assigned,
                    assign=self._assigner(where, counter, unique=assigned),
                    upload=prose.upload_fact(field_schema, types) if sent_pointer is None else None,
                    results=items if types == ("array",) and items is not None and not resource else None,
                    from_path=name in {parameter.name for parameter in op.path_parameters}
                    and not assigned
                    and name != own_id,
                    nullable="null" in types and values.is_valid(where, None),
                )
            )

    def __call__(
        self,
        request: Any,
        keep: dict[str, Any] | None = None,
        uploads: Sequence[Any] = (),
        path: dict[str, str] | None = None,
    ) -> Any:
        """The body for `request`; `keep` gives the values of fields the request does not set (a replaced
        resource keeps its id and creation time); `uploads`, the files it sent (an upload's answer names
        its file's name and size); `path`, its path parameters (a field of the same name is theirs)."""
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
            elif (
                field.upload is not None and uploads and self._from_upload(field, uploads[0]) is not NO_VALUE
            ):
                body[field.name] = self._from_upload(field, uploads[0])
            elif field.from_path and path and self.values.is_valid(field.pointer, path.get(field.name)):
                body[field.name] = path[field.name]
            elif field.required and field.nullable and not field.assigned and not field.results:
                body[field.name] = None  # what the server has not got yet (a time not reached, no error)
            elif field.required:
                own = self._results(field) if field.results else field.assign()
                body[field.name] = self._lively(field.pointer, own, field.name)
        for name in self.undeclared:
            body.setdefault(name, undeclared(self.values, self.pointer))
        return body

    def _lively(self, pointer: str, value: Any, name: str) -> Any:
        """A value of the server's own as a client can use it: text where the schema alone gives an empty
        string (the property's name, as Prism answers "string"), one item in a required array the schema
        alone leaves empty; kept only where the schema still allows it."""
        changed = self._livelier(pointer, copy.deepcopy(value), name, 0)
        return changed if self.values.is_valid(pointer, changed) else value

    def _livelier(self, pointer: str, value: Any, name: str, depth: int) -> Any:
        if depth > LIVELY_DEPTH:
            return value
        values = self.values
        if value == "" and "string" in values.types(pointer):
            text = name.replace("_", " ").strip() or "text"
            return text if values.is_valid(pointer, text) else value
        if isinstance(value, list):
            items = values.child(pointer, "items")
            return [self._livelier(items, item, name, depth + 1) for item in value] if items else value
        if isinstance(value, dict):
            properties = values.properties(pointer)
            required = set(values.schema(pointer).get("required", []))
            for key, item in list(value.items()):
                where = properties.get(key)
                if where is None:
                    continue
                items = values.child(where, "items")
                filled = [values.example(items)] if item == [] and key in required and items else item
                value[key] = self._livelier(where, filled, key, depth + 1)
        return value

    def payload(self, call: Any) -> Any:
        """The answer to `call` in the operation's kind of body: JSON, bytes, text, or (for a stream) the
        list of its events' values."""
        if call.stream:
            source = self._stream or self
            return [source(call.body, uploads=call.uploads, path=call.path) for _ in range(STREAMED_EVENTS)]
        if self.kind == BINARY:
            return binary_content(call)
        if self.kind == TEXT:
            example = self.values.example(self.pointer) if self.pointer is not None else None
            return example if isinstance(example, str) and example else "text"
        return self(call.body, uploads=call.uploads, path=call.path)

    def _from_upload(self, field: Field, upload: Any) -> Any:
        value = len(upload.content) if field.upload == "size" else upload.filename
        return value if self.values.is_valid(field.pointer, value) else NO_VALUE

    def _results(self, field: Field) -> Any:
        """A required array of what the operation exists to return (a completion's `choices`): one item,
        where an empty one is what the schema alone would give."""
        value = field.assign()
        if value or field.results is None:
            return value
        one = [self.values.example(field.results)]
        return one if self.values.is_valid(field.pointer, one) else value

    def _assigner(self, pointer: str, counter: itertools.count[int], *, unique: bool) -> Callable[[], Any]:
        schema = self.values.schema(pointer)
        example = self.values.example(pointer)
        name = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        if name in self.shown and self.values.is_valid(pointer, self.shown[name]):
            example = self.shown[name]
        if unique:
            return lambda: self._unique(pointer, example, next(counter))
        unit = prose.timestamp_unit(schema, self.values.types(pointer))
        if unit is not None:
            scale = 1000 if unit == "ms" else 1
            as_text = isinstance(example, str)
            return lambda: str(int(time.time() * scale)) if as_text else int(time.time() * scale)
        if schema.get("format") == "date-time" and "string" in self.values.types(pointer):
            # A time the server sets is its clock's (a list sorted by it must show the order made).
            def now() -> Any:
                said = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
                return said if self.values.is_valid(pointer, said) else copy.deepcopy(example)

            return now
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


def documented_example(api: Api, op: Operation) -> Any:
    """The success response's own example (`example`, else the first of `examples`) if its schema allows
    it, else NO_VALUE."""
    success = op.success
    if success.media_type is None or success.schema_pointer is None:
        return NO_VALUE
    media = node_at(api.document, f"{success.pointer}/content/{escape_pointer(success.media_type)}")
    candidates = [media["example"]] if "example" in media else []
    for example in (media.get("examples") or {}).values():
        value = deref(api.document, example)
        if isinstance(value, dict) and "value" in value:
            candidates.append(value["value"])
    for candidate in candidates:
        if api.values.is_valid(success.schema_pointer, candidate):
            return candidate
    return NO_VALUE


def binary_content(call: Any) -> bytes:
    """Bytes for a binary answer the spec says nothing more of: what the request uploaded, if it did;
    else bytes drawn from the request itself (reproducible, different for each request)."""
    if call.uploads:
        return bytes(call.uploads[0].content)
    seed = hashlib.sha256(repr((call.path, sorted(call.query.items()), call.body)).encode()).digest()
    return (b"contract-reference-binary\n" + seed * (_BINARY_SIZE // len(seed) + 1))[:_BINARY_SIZE]


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
        body[name] = _confirming(values, where) if where is not None else undeclared(values, pointer)
    body.update(given)
    return body


def undeclared(values: Values, pointer: str) -> Any:
    """A value for a property a schema requires but never declares (a flaw published specs have): of its
    `additionalProperties` schema where it has one, else null, which any schema of nothing allows."""
    extra = values.child(pointer, "additionalProperties")
    if extra is not None:
        try:
            return values.example(extra)
        except SpecError:
            return None
    return None


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
