"""The broken servers: each is the reference server with one defect, and the check that must catch it.

Every defect is stated in the spec's terms, not its field names ("accepts strings longer than their
maxLength", "drops the fields the request cannot set", "forgets what it created"), and found in the
loaded spec's model when a server is built, so that the gallery keeps its teeth when the spec is edited.

The gallery does not import the reference server: `build` takes the factory of the app it breaks
(`create_app(api_key=, spec_path=, validator=, wrap_store=)`), which its callers pass in.
"""

from __future__ import annotations

import atexit
import copy
import json
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jsonschema
import yaml
from jsonschema import ValidationError

from contract_tests.api import prose
from contract_tests.api.document import SPEC_PATH, UNIQUE, UNIXTIME, load_spec, node_at
from contract_tests.api.model import Api, Operation, build_api, load_api
from contract_tests.api.resources import Role
from contract_tests.api.validators import SpecValidator, inlined_validator
from contract_tests.api.values import json_types
from contract_tests.gallery.faults import Action, FaultyFront
from contract_tests.gallery.mounted import update_refused_under_a_prefix
from contract_tests.gallery.rewrite import EditReply, EditRequest, Reply, Request, Rewrite, acted_on

ServerFactory = Callable[..., Any]  # the reference server's create_app
AppFactory = Callable[[ServerFactory, str, Path], Any]  # (base, API key, spec) -> an app
SpecRequest = Callable[[Path], EditRequest]  # an edit made for the spec at a path
SpecReply = Callable[[Path], EditReply]


def _always(api: Api) -> bool:
    return True


@dataclass(frozen=True)
class BrokenServer:
    defect: str
    caught_by: str  # the check of the suite that must fail
    factory: AppFactory
    # Whether the spec has what the defect breaks (a retrieve, for a server that forgets what it made).
    applies: Callable[[Api], bool] = field(default=_always)

    def build(self, base: ServerFactory, api_key: str, spec: Path | str = SPEC_PATH) -> Any:
        """The server, for the spec at `spec`, broken from the app `base` builds."""
        return self.factory(base, api_key, Path(spec))


def _same(edit: Any) -> Callable[[Path], Any]:
    """An edit that does not depend on the spec."""
    return lambda spec: edit


def wrapped(*, request: SpecRequest | None = None, reply: SpecReply | None = None) -> AppFactory:
    """The reference server behind a request and/or reply edit."""
    return lambda base, api_key, spec: Rewrite(
        base(api_key=api_key, spec_path=spec),
        request=request(spec) if request else None,
        reply=reply(spec) if reply else None,
    )


# --- what the spec says, found by keyword ----------------------------------------------------------------


def request_nodes(api: Api, roots: list[str] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, node) of every schema reachable from the request bodies' (or `roots`), each once."""
    values = api.values
    seen: set[str] = set()
    stack = list(roots) if roots is not None else [op.body.schema_pointer for op in api.operations if op.body]
    while stack:
        pointer = list(values.chain(stack.pop()))[-1]
        node = node_at(api.document, pointer)
        if pointer in seen or not isinstance(node, dict):
            continue
        seen.add(pointer)
        yield pointer, node
        stack += list(values.properties(pointer).values())
        for keyword in ("items", "additionalProperties", "propertyNames"):
            child = values.child(pointer, keyword)
            if child is not None:
                stack.append(child)
        stack += [branch for _, branch in values.branches(pointer)]


def response_fields(api: Api, op: Operation) -> dict[str, dict[str, Any]]:
    """The success body's property name -> its keywords."""
    pointer = op.success.schema_pointer
    if pointer is None:
        return {}
    return {name: api.values.schema(where) for name, where in api.values.properties(pointer).items()}


def request_fields(api: Api, op: Operation) -> set[str]:
    """What a request can set in the object `op` answers with: its own body's fields, or for an operation
    without a body (a retrieve, a list) its resource's create's."""
    if op.body is not None:
        return set(api.values.properties(op.body.schema_pointer))
    role = api.role(op)
    create = role[0].first(Role.CREATE) if role is not None else None
    if create is not None and create.body is not None:
        return set(api.values.properties(create.body.schema_pointer))
    return set()


_scratch: list[Path] = []


def relaxed(edit: Callable[[Api], None]) -> AppFactory:
    """The reference server built from an edited copy of the spec: it enforces one rule less."""

    def build(base: ServerFactory, api_key: str, spec: Path) -> Any:
        api = build_api(copy.deepcopy(load_spec(spec)), spec)
        edit(api)  # on the document as 3.1 reads it (a 3.0 spec's is a copy): written as 3.1
        return base(api_key=api_key, spec_path=written(api.document))

    return build


def written(document: dict[str, Any]) -> Path:
    """A document (as 3.1 reads it) written to a file of the gallery's own, removed at exit."""
    if not _scratch:
        _scratch.append(Path(tempfile.mkdtemp(prefix="contract-gallery-")))
        atexit.register(shutil.rmtree, _scratch[0], True)
    path = _scratch[0] / f"spec-{len(list(_scratch[0].iterdir()))}.yaml"
    path.write_text(yaml.safe_dump({**document, "openapi": "3.1.0"}), encoding="utf-8")
    return path


def _drop_everywhere(keyword: str) -> Callable[[Api], None]:
    def edit(api: Api) -> None:
        for _, node in request_nodes(api):
            node.pop(keyword, None)

    return edit


def _roots(api: Api) -> list[dict[str, Any]]:
    return [
        node_at(api.document, list(api.values.chain(op.body.schema_pointer))[-1])
        for op in api.operations
        if op.body is not None
    ]


def _no_required(api: Api) -> None:
    for node in _roots(api):
        node.pop("required", None)


def _open_body(api: Api) -> None:
    for node in _roots(api):
        node.pop("additionalProperties", None)


def _nested_nulls(api: Api) -> None:
    """Every property below the bodies' own (inside each tool, the function definition) also takes
    null, as a server with Optional[...] fields does."""
    roots = [
        list(api.values.chain(op.body.schema_pointer))[-1] for op in api.operations if op.body is not None
    ]
    top = {
        list(api.values.chain(where))[-1] for root in roots for where in api.values.properties(root).values()
    }
    for pointer, node in list(request_nodes(api)):
        if pointer in roots or (pointer in top and "properties" not in node):
            continue
        for name, prop in list(node.get("properties", {}).items()):
            if not isinstance(prop, dict):
                continue
            node["properties"][name] = {"anyOf": [prop, {"type": "null"}], "description": "or null"}


def _updates_unchecked(api: Api) -> None:
    """The update operations' own bodies: no length limit, any field (their root schema only)."""
    for op in api.operations:
        role = api.role(op)
        if op.body is None or role is None or role[1] is not Role.UPDATE:
            continue
        root = node_at(api.document, list(api.values.chain(op.body.schema_pointer))[-1])
        root.pop("additionalProperties", None)
        for prop in root.get("properties", {}).values():
            if isinstance(prop, dict):
                prop.pop("maxLength", None)


def _parameters_unbounded(api: Api) -> None:
    """Query parameters accept any number: their `minimum` and `maximum` are gone."""
    for op in api.operations:
        for parameter in op.query:
            if parameter.schema_pointer is not None:
                node = node_at(api.document, parameter.schema_pointer)
                for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                    node.pop(keyword, None)


def _counting(length: Callable[[str], int]) -> Any:
    """Request validators whose `minLength`/`maxLength` count with `length` instead of code points."""

    def max_length(validator: Any, limit: int, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if isinstance(instance, str) and length(instance) > limit:
            yield ValidationError(f"{instance[:20]!r}... is longer than {limit}")

    def min_length(validator: Any, limit: int, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if isinstance(instance, str) and length(instance) < limit:
            yield ValidationError(f"{instance[:20]!r}... is shorter than {limit}")

    cls = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        SpecValidator, {"maxLength": max_length, "minLength": min_length}
    )
    return lambda pointer, document: inlined_validator(pointer, document, cls)


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _nfc_code_points(text: str) -> int:
    return len(unicodedata.normalize("NFC", text))


def counting(length: Callable[[str], int]) -> AppFactory:
    return lambda base, api_key, spec: base(api_key=api_key, spec_path=spec, validator=_counting(length))


# --- edits of requests and replies -------------------------------------------------------------------------


def _operation(api: Api, request: Request) -> Operation | None:
    found = api.match(request.method, request.path)
    return found[0] if found is not None else None


def edit_success(change: Callable[[dict[str, Any], Api, Operation], None]) -> SpecReply:
    """Change the object of each success response (a created assistant, a retrieved one)."""

    def for_spec(spec: Path) -> EditReply:
        api = load_api(spec)

        def edit(request: Request, reply: Reply) -> Reply:
            op = _operation(api, request)
            if op is not None and 200 <= reply.status < 300 and reply.body:
                body = json.loads(reply.body)
                if isinstance(body, dict):
                    change(body, api, op)
                    reply.body = json.dumps(body).encode()
            return reply

        return edit

    return for_spec


def edit_errors(change: Callable[[dict[str, Any]], Any]) -> EditReply:
    """Replace the body of each error response."""

    def edit(request: Request, reply: Reply) -> Reply:
        if reply.status >= 400 and reply.body:
            reply.body = json.dumps(change(json.loads(reply.body))).encode()
        return reply

    return edit


Test = Callable[[str, dict[str, Any], Api, Operation], bool]


def _set_fields(test: Test, value: Callable[[Any], Any]) -> Callable[[dict[str, Any], Api, Operation], None]:
    def change(body: dict[str, Any], api: Api, op: Operation) -> None:
        for name, schema in response_fields(api, op).items():
            if name in body and test(name, schema, api, op):
                body[name] = value(body[name])

    return change


def _drop_assigned(body: dict[str, Any], api: Api, op: Operation) -> None:
    """Drops every required field the request cannot set (the server's own: id, created_at...)."""
    if op.body is None:
        return
    required = api.values.schema(op.success.schema_pointer or "").get("required", [])
    for name in required:
        if name not in request_fields(api, op):
            body.pop(name, None)


def _numbers(name: str, schema: dict[str, Any], api: Api, op: Operation) -> bool:
    return set(json_types(schema)) <= {"integer", "number"}


def _strings(name: str, schema: dict[str, Any], api: Api, op: Operation) -> bool:
    return "string" in json_types(schema) and name in request_fields(api, op) and op.body is not None


def _lists(name: str, schema: dict[str, Any], api: Api, op: Operation) -> bool:
    return "array" in json_types(schema) and name in request_fields(api, op) and op.body is not None


def _maps(name: str, schema: dict[str, Any], api: Api, op: Operation) -> bool:
    return (
        isinstance(schema.get("additionalProperties"), dict)
        and name in request_fields(api, op)
        and op.body is not None
    )


def _marked(keyword: str, value: Any) -> Test:
    return lambda name, schema, api, op: schema.get(keyword) == value


def _retrieved_lists(name: str, schema: dict[str, Any], api: Api, op: Operation) -> bool:
    role = api.role(op)
    return role is not None and role[1] is Role.RETRIEVE and "array" in json_types(schema)


def with_valid_headers(spec: Path) -> EditRequest:
    """Every required header of the spec set to a valid value, whatever was sent."""
    api = load_api(spec)
    headers = {
        parameter.name.lower(): api.parameter_example(parameter)
        for op in api.operations
        for parameter in op.headers
        if parameter.required
    }

    def edit(request: Request) -> Request:
        request.headers.update({name: str(value) for name, value in headers.items()})
        return request

    return edit


def _with_key(api_key: str) -> EditRequest:
    """Every request reaches the server as if it carried the right key."""

    def edit(request: Request) -> Request:
        request.headers["authorization"] = f"Bearer {api_key}"
        return request

    return edit


def _status(status: Callable[[int], int]) -> EditReply:
    def edit(request: Request, reply: Reply) -> Reply:
        if 200 <= reply.status < 300:
            reply.status = status(reply.status)
        return reply

    return edit


def _content_type(value: str) -> EditReply:
    def edit(request: Request, reply: Reply) -> Reply:
        if 200 <= reply.status < 300:
            reply.headers["content-type"] = value
        return reply

    return edit


def _not_json(request: Request, reply: Reply) -> Reply:
    if 200 <= reply.status < 300:
        reply.body = b"assistant created"
    return reply


def _loose_key(matches: Callable[[str, str], bool]) -> AppFactory:
    """A key check that accepts a token `matches(token, key)` says is close enough."""

    def build(base: ServerFactory, api_key: str, spec: Path) -> Any:
        def edit(request: Request) -> Request:
            token = request.headers.get("authorization", "").partition(" ")[2]
            if token and matches(token, api_key):
                request.headers["authorization"] = f"Bearer {api_key}"
            return request

        return Rewrite(base(api_key=api_key, spec_path=spec), request=edit)

    return build


def _echo_key(request: Request, reply: Reply) -> Reply:
    reply.headers["x-debug-authorization"] = request.headers.get("authorization", "")
    return reply


def _accept_text_plain(request: Request) -> Request:
    if request.headers.get("content-type", "").startswith("text/plain"):
        request.headers["content-type"] = "application/json"
    return request


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


def _crash_on_non_ascii(request: Request) -> Request | Reply:
    try:
        body = json.loads(request.body)
    except ValueError:
        return request
    if any(not text.isascii() for text in _strings_in(body)):
        error = {"message": "internal error", "type": "server_error", "param": None, "code": None}
        return Reply(500, {"content-type": "application/json"}, json.dumps({"error": error}).encode())
    return request


def _accept_non_json_constants(request: Request) -> Request:
    # Plain json.loads reads NaN and Infinity, which are not JSON: the body then passes as valid.
    try:
        value = json.loads(request.body, parse_constant=lambda _: 0)
    except ValueError:
        return request
    request.body = json.dumps(value).encode()
    return request


def _answer_undefined_methods(spec: Path) -> EditRequest:
    api = load_api(spec)

    def edit(request: Request) -> Request | Reply:
        defined = {op.method for op in api.operations if api.match(op.method, request.path) is not None}
        # GET may list what a path holds though the spec does not say: see other_methods_rejected.
        if request.method not in defined and request.method != "GET":
            return Reply(200, {"content-type": "application/json"}, b"[]")
        return request

    return edit


def _front(decide: Callable[[bytes], Action]) -> AppFactory:
    return lambda base, api_key, spec: FaultyFront(
        base(api_key=api_key, spec_path=spec), lambda head, body: decide(body)
    )


def _drop_astral(body: bytes) -> Action:
    """Closes the connection, without a response, on a body with a character outside the BMP (as a
    server storing text in a 3-byte UTF-8 column, MySQL's `utf8`, crashes)."""
    try:
        value = json.loads(body)
    except ValueError:
        return "forward"
    return (
        "drop" if any(max(map(ord, text), default=0) > 0xFFFF for text in _strings_in(value)) else "forward"
    )


def _hang_on_bad_json(body: bytes) -> Action:
    """Never answers a body that is not JSON (a parser waiting for the rest of it)."""
    if not body.strip():
        return "forward"  # no body (a GET, a DELETE), or an empty one: answered
    try:
        json.loads(body)
    except ValueError:
        return "hang"
    return "forward"


# --- the input slips of other stacks ----------------------------------------------------------------------


def _fields_ignoring_case(spec: Path) -> EditRequest:
    """Reads a body's fields ignoring case, as Go's encoding/json does into a struct (`MODEL` is `model`)."""
    api = load_api(spec)

    def edit(request: Request) -> Request:
        found = api.match(request.method, request.path)
        if found is None or found[0].body is None:
            return request
        known = {name.lower(): name for name in api.values.properties(found[0].body.schema_pointer)}
        try:
            body = json.loads(request.body)
        except ValueError:
            return request
        if isinstance(body, dict):
            body = {known.get(key.lower(), key): value for key, value in body.items()}
            request.body = json.dumps(body).encode()
        return request

    return edit


def _trailing_data_dropped(request: Request) -> Request:
    """Reads the first JSON value of a body and ignores the rest (Go's json.Decoder.Decode)."""
    try:
        text = request.body.decode("utf-8")
        value, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return request
    if text[end:].strip():
        request.body = json.dumps(value).encode()
    return request


def _bytes_replaced(request: Request) -> Request:
    """Reads a body that is not UTF-8 with U+FFFD for each bad byte, as Go's encoding/json does."""
    try:
        request.body.decode("utf-8")
    except UnicodeDecodeError:
        request.body = request.body.decode("utf-8", "replace").encode("utf-8")
    return request


def _bare_key(api_key: str) -> EditRequest:
    """Takes the key with or without its `Bearer` word (`strings.TrimPrefix(header, "Bearer ")`)."""

    def edit(request: Request) -> Request:
        if request.headers.get("authorization", "").strip() == api_key:
            request.headers["authorization"] = f"Bearer {api_key}"
        return request

    return edit


class _FirstValues(dict[str, Any]):
    """An object read with the first value of each name; `twice` holds the last of those given again."""

    twice: dict[str, Any]

    @classmethod
    def of(cls, items: list[tuple[str, Any]]) -> _FirstValues:
        found = cls()
        found.twice = {}
        for name, value in items:
            if name in found:
                found.twice[name] = value
            else:
                found[name] = value
        return found


def _first_checked_last_kept() -> tuple[EditRequest, EditReply]:
    """Checks a field given twice by its first value and keeps its last, as a validating front and an
    application that parse JSON differently do."""
    kept: dict[int, dict[str, Any]] = {}

    def request_edit(request: Request) -> Request:
        try:
            value = json.loads(request.body, object_pairs_hook=_FirstValues.of)
        except ValueError:
            return request
        if isinstance(value, _FirstValues) and value.twice:
            kept[id(request)] = value.twice
            request.body = json.dumps(value).encode()
        return request

    def reply_edit(request: Request, reply: Reply) -> Reply:
        last = kept.pop(id(request), None)
        if last and 200 <= reply.status < 300:
            body = json.loads(reply.body)
            if isinstance(body, dict):
                body.update({name: value for name, value in last.items() if name in body})
                reply.body = json.dumps(body).encode()
        return reply

    return request_edit, reply_edit


def _duplicates_split(base: ServerFactory, api_key: str, spec: Path) -> Any:
    request_edit, reply_edit = _first_checked_last_kept()
    return Rewrite(base(api_key=api_key, spec_path=spec), request=request_edit, reply=reply_edit)


# --- resources kept wrong ------------------------------------------------------------------------------


class StoreWrapper:
    """A store (the reference server's) passed through: a gallery server overrides what it does otherwise
    (a defect, or a habit of its own). The gallery wraps the store, it does not import it."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def put(self, collection: str, key: str, value: Any) -> None:
        self.store.put(collection, key, value)

    def get(self, collection: str, key: str) -> Any:
        return self.store.get(collection, key)

    def delete(self, collection: str, key: str) -> bool:
        return bool(self.store.delete(collection, key))

    def items(self, collection: str) -> list[tuple[str, Any]]:
        return list(self.store.items(collection))


class _Forgets(StoreWrapper):
    """Keeps nothing: every object it created is unknown to it at once."""

    def get(self, collection: str, key: str) -> Any:
        return None


class _KeepsDeleted(StoreWrapper):
    """Answers a delete as done, and keeps the object."""

    def delete(self, collection: str, key: str) -> bool:
        return self.store.get(collection, key) is not None


class _WritesOnce(StoreWrapper):
    """Stores what is created, never what is changed after."""

    def put(self, collection: str, key: str, value: Any) -> None:
        if self.store.get(collection, key) is None:
            self.store.put(collection, key, value)


class _ListsDeleted(StoreWrapper):
    """Forgets a deleted object for a retrieve, but still lists it."""

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.deleted: dict[tuple[str, str], Any] = {}

    def delete(self, collection: str, key: str) -> bool:
        found = self.store.get(collection, key)
        if found is not None:
            self.deleted[(collection, key)] = found
        return bool(self.store.delete(collection, key))

    def items(self, collection: str) -> list[tuple[str, Any]]:
        kept = list(self.store.items(collection))
        return kept + [(key, value) for (owner, key), value in self.deleted.items() if owner == collection]


def store_defect(wrapper: type[StoreWrapper]) -> AppFactory:
    return lambda base, api_key, spec: base(api_key=api_key, spec_path=spec, wrap_store=wrapper)


def _update_ignores_body(spec: Path) -> EditRequest:
    """An update is answered as if it changed nothing (its body is dropped before the server reads it)."""
    api = load_api(spec)

    def edit(request: Request) -> Request:
        acted = acted_on(api, request)
        if acted is not None and acted.role is Role.UPDATE:
            request.body = b"{}"
            request.headers["content-length"] = "2"
        return request

    return edit


def _cursors_ignored(spec: Path) -> EditRequest:
    """A list is answered from its first item whatever cursor it names (the cursor is dropped)."""
    api = load_api(spec)

    def edit(request: Request) -> Request:
        acted = acted_on(api, request)
        if acted is not None and acted.role is Role.LIST:
            cursors = {parameter.name for parameter in acted.resource.paging.cursors}
            kept = parse_qsl(request.query, keep_blank_values=True)
            request.query = urlencode([(name, value) for name, value in kept if name not in cursors])
        return request

    return edit


def _after_ignores_order(spec: Path) -> EditRequest:
    """A page after a cursor is read in creation order whatever `order` asks (the cursor's query written
    for ascending ids only): walked newest first, the pages go back and forth."""
    api = load_api(spec)

    def edit(request: Request) -> Request:
        acted = acted_on(api, request)
        paging = acted.resource.paging if acted is not None else None
        if acted is None or acted.role is not Role.LIST or paging is None or paging.order is None:
            return request
        kept = parse_qsl(request.query, keep_blank_values=True)
        if paging.after is not None and any(name == paging.after.name for name, _ in kept):
            request.query = urlencode(
                [(name, "asc" if name == paging.order.name else value) for name, value in kept]
            )
        return request

    return edit


def _has_more_never(spec: Path) -> EditReply:
    """`has_more` is always false: a client that trusts it stops after the first page."""
    api = load_api(spec)

    def edit(request: Request, reply: Reply) -> Reply:
        acted = acted_on(api, request)
        more = acted.resource.paging.has_more if acted is not None else None
        if acted is None or acted.role is not Role.LIST or more is None or not 200 <= reply.status < 300:
            return reply
        body = json.loads(reply.body)
        if isinstance(body, dict):
            body[more.lstrip("/")] = False
            reply.body = json.dumps(body).encode()
        return reply

    return edit


class _SameSecondSkipped:
    """Pages by creation time with `>` (keyset paging without the id to break ties): a page after an
    object leaves out the objects created in the same second as it."""

    def __init__(self, spec: Path) -> None:
        self.api = load_api(spec)
        self.times: dict[str, Any] = {}

    def _time_field(self, pointer: str | None) -> str | None:
        if pointer is None:
            return None
        for name, where in self.api.values.properties(pointer).items():
            schema = self.api.values.schema(where)
            if schema.get("format") == UNIXTIME or prose.timestamp_unit(schema, json_types(schema)) == "s":
                return name
        return None

    def __call__(self, request: Request, reply: Reply) -> Reply:
        acted = acted_on(self.api, request)
        if acted is None or not 200 <= reply.status < 300 or not reply.body:
            return reply
        resource = acted.resource
        field_name = self._time_field(resource.schema_pointer)
        body = json.loads(reply.body)
        if field_name is None:
            return reply
        if acted.role is Role.CREATE and isinstance(body, dict):
            self.times[str(resource.id_of(body))] = body.get(field_name)
        after = resource.paging.after
        cursor = dict(parse_qsl(request.query)).get(after.name) if after is not None else None
        items = resource.items_of(body) if acted.role is Role.LIST else None
        if cursor in self.times and items is not None:
            kept = [
                item
                for item in items
                if not isinstance(item, dict) or item.get(field_name) != self.times[cursor]
            ]
            items[:] = kept
            reply.body = json.dumps(body).encode()
        return reply


def _walkable(api: Api) -> bool:
    return any(
        resource.first(Role.CREATE) is not None
        and resource.first(Role.LIST) is not None
        and resource.paging.limit is not None
        and resource.paging.after is not None
        for resource in api.resources
    )


def _has_cursors(api: Api) -> bool:
    return any(
        resource.first(Role.CREATE) is not None
        and resource.first(Role.LIST) is not None
        and resource.paging.cursors
        for resource in api.resources
    )


def _server_error_for_unknown_ids(spec: Path) -> EditReply:
    api = load_api(spec)

    def edit(request: Request, reply: Reply) -> Reply:
        found = api.match(request.method, request.path)
        if found is not None and found[1] and reply.status == 404:
            error = {"message": "internal error", "type": "server_error", "param": None, "code": None}
            return Reply(500, {"content-type": "application/json"}, json.dumps({"error": error}).encode())
        return reply

    return edit


def _has(role: Role, *others: Role) -> Callable[[Api], bool]:
    """A spec with a resource that has a create and each of these operations."""
    return lambda api: any(
        resource.first(Role.CREATE) is not None and all(resource.first(kind) for kind in (role, *others))
        for resource in api.resources
    )


def _has_bounded_query(api: Api) -> bool:
    return any(
        parameter.schema_pointer is not None
        and {"minimum", "maximum"} & api.values.schema(parameter.schema_pointer).keys()
        for op in api.operations
        for parameter in op.query
    )


GALLERY: dict[str, BrokenServer] = {
    "missing_response_field": BrokenServer(
        "a created assistant lacks the required fields the request cannot set (`id`, `created_at`...)",
        "response_schema_conformance",
        wrapped(reply=edit_success(_drop_assigned)),
    ),
    "wrong_field_type": BrokenServer(
        "the assistant's number fields are strings",
        "response_schema_conformance",
        wrapped(reply=edit_success(_set_fields(_numbers, str))),
    ),
    "wrong_status_code": BrokenServer(
        "a created assistant comes with another 2xx than the documented one",
        "valid_request_accepted",
        wrapped(reply=_same(_status(lambda status: 201 if status != 201 else 200))),
    ),
    "wrong_content_type": BrokenServer(
        "a created assistant is sent as text/plain",
        "content_type_conformance",
        wrapped(reply=_same(_content_type("text/plain"))),
    ),
    "body_not_json": BrokenServer(
        "a created assistant's body is not JSON",
        "response_schema_conformance",
        wrapped(reply=_same(_not_json)),
    ),
    "accepts_too_many_items": BrokenServer(
        "accepts lists longer than their `maxItems` (tools, on this spec)",
        "invalid_body_rejected",
        relaxed(_drop_everywhere("maxItems")),
    ),
    "accepts_long_strings": BrokenServer(
        "accepts strings longer than their `maxLength` (a name, on this spec)",
        "invalid_body_rejected",
        relaxed(_drop_everywhere("maxLength")),
    ),
    "accepts_unknown_fields": BrokenServer(
        "accepts fields the request schema does not define",
        "invalid_body_rejected",
        relaxed(_open_body),
    ),
    "accepts_bad_patterns": BrokenServer(
        "accepts strings outside their `pattern` (a function name with a space)",
        "invalid_body_rejected",
        relaxed(_drop_everywhere("pattern")),
    ),
    "accepts_too_many_properties": BrokenServer(
        "accepts maps with more pairs than their `maxProperties` (metadata, on this spec)",
        "invalid_body_rejected",
        relaxed(_drop_everywhere("maxProperties")),
    ),
    "accepts_missing_required": BrokenServer(
        "accepts a request without its required fields",
        "invalid_body_rejected",
        relaxed(_no_required),
    ),
    "accepts_nested_nulls": BrokenServer(
        "accepts null for every property inside the body's objects (a tool's, the function's)",
        "invalid_body_rejected",
        relaxed(_nested_nulls),
    ),
    "counts_utf16_units": BrokenServer(
        "counts string lengths in UTF-16 code units (JavaScript's `.length`), not code points",
        "valid_request_accepted",
        counting(_utf16_units),
    ),
    "normalizes_before_counting": BrokenServer(
        "counts string lengths after NFC normalization, not as sent",
        "invalid_body_rejected",
        counting(_nfc_code_points),
    ),
    "conflict_on_valid": BrokenServer(
        "answers 409 to every valid request",
        "positive_data_acceptance",
        wrapped(reply=_same(_status(lambda _: 409))),
    ),
    "api_key_not_checked": BrokenServer(
        "accepts any API key, or none",
        "api_key_required",
        lambda base, api_key, spec: Rewrite(
            base(api_key=api_key, spec_path=spec), request=_with_key(api_key)
        ),
    ),
    "beta_header_not_checked": BrokenServer(
        "accepts a missing or wrong OpenAI-Beta header (any required header)",
        "invalid_parameter_rejected",
        wrapped(request=with_valid_headers),
        applies=lambda api: any(parameter.required for op in api.operations for parameter in op.headers),
    ),
    "accepts_text_plain": BrokenServer(
        "accepts a JSON body sent as text/plain",
        "malformed_body_rejected",
        wrapped(request=_same(_accept_text_plain)),
    ),
    "server_error_on_unicode": BrokenServer(
        "answers 500 to a valid request with non-ASCII text",
        "not_a_server_error",
        wrapped(request=_same(_crash_on_non_ascii)),
    ),
    "wrong_error_shape": BrokenServer(
        'error bodies are `{"message": ...}`, not the error object',
        "response_schema_conformance",
        wrapped(reply=_same(edit_errors(lambda body: {"message": body["error"]["message"]}))),
    ),
    "strings_truncated": BrokenServer(
        "stores only the first 100 characters of each string the request sets",
        "response_reflects_request",
        wrapped(
            reply=edit_success(
                _set_fields(_strings, lambda text: text[:100] if isinstance(text, str) else text)
            )
        ),
    ),
    "lists_dropped": BrokenServer(
        "returns the assistant with its lists (tools, file ids) empty",
        "response_reflects_request",
        wrapped(reply=edit_success(_set_fields(_lists, lambda _: []))),
    ),
    "maps_dropped": BrokenServer(
        "returns the assistant with its maps (metadata) empty",
        "response_reflects_request",
        wrapped(reply=edit_success(_set_fields(_maps, lambda _: {}))),
    ),
    "time_in_milliseconds": BrokenServer(
        "`format: unixtime` fields (`created_at`) in milliseconds",
        "server_fields_plausible",
        wrapped(reply=edit_success(_set_fields(_marked("format", UNIXTIME), lambda seconds: seconds * 1000))),
    ),
    "same_id_every_time": BrokenServer(
        "every assistant gets the same `x-unique` values (`id`)",
        "server_fields_plausible",
        wrapped(reply=edit_success(_set_fields(_marked(UNIQUE, True), lambda value: "asst_0000"))),
    ),
    "key_prefix_accepted": BrokenServer(
        "accepts any proper prefix of the API key (a compare cut at the shorter length)",
        "api_key_required",
        _loose_key(lambda token, key: key.startswith(token)),
    ),
    "key_case_insensitive": BrokenServer(
        "compares API keys ignoring case",
        "api_key_required",
        _loose_key(lambda token, key: token.lower() == key.lower()),
    ),
    "echoes_api_key": BrokenServer(
        "echoes the Authorization header in a response header",
        "api_key_not_echoed",
        wrapped(reply=_same(_echo_key)),
    ),
    "accepts_nan": BrokenServer(
        "parses bodies with plain json.loads, accepting NaN and Infinity",
        "malformed_body_rejected",
        wrapped(request=_same(_accept_non_json_constants)),
    ),
    "other_methods_answered": BrokenServer(
        "answers the methods a path does not define (PUT, PATCH, DELETE) with 200",
        "other_methods_rejected",
        wrapped(request=_answer_undefined_methods),
    ),
    "drops_connection": BrokenServer(
        "closes the connection without a response on a body with an astral-plane character",
        "server_answers_every_request",
        _front(_drop_astral),
    ),
    "hangs_on_malformed_json": BrokenServer(
        "never answers a body that is not JSON",
        "server_answers_every_request",
        _front(_hang_on_bad_json),
    ),
    # The input slips of other stacks' code.
    "fields_ignoring_case": BrokenServer(
        "reads a body's field names ignoring case (Go's encoding/json: `MODEL` is taken as `model`)",
        "invalid_body_rejected",
        wrapped(request=_fields_ignoring_case),
    ),
    "trailing_data_ignored": BrokenServer(
        "reads the first JSON value of a body and ignores what follows it (`{...} garbage`)",
        "malformed_body_rejected",
        wrapped(request=_same(_trailing_data_dropped)),
    ),
    "bad_bytes_replaced": BrokenServer(
        "reads a body that is not UTF-8 with U+FFFD for each bad byte (a Latin-1 byte in a string)",
        "malformed_body_rejected",
        wrapped(request=_same(_bytes_replaced)),
    ),
    "bare_key_accepted": BrokenServer(
        "takes the key with or without its `Bearer` word (`strings.TrimPrefix`)",
        "api_key_required",
        lambda base, api_key, spec: Rewrite(
            base(api_key=api_key, spec_path=spec), request=_bare_key(api_key)
        ),
    ),
    "first_checked_last_kept": BrokenServer(
        "checks a field given twice by its first value and keeps its last",
        "duplicate_keys_consistent",
        _duplicates_split,
    ),
    # Resources kept wrong: on a spec with a resource (a create and a retrieve, update, delete or list).
    "forgets_created": BrokenServer(
        "answers 404 to every retrieve of what it has just created",
        "ensure_resource_availability",
        store_defect(_Forgets),
        applies=_has(Role.RETRIEVE),
    ),
    "retrieve_drops_lists": BrokenServer(
        "returns a kept object on retrieve with its lists (tools) empty",
        "read_after_write",
        wrapped(reply=edit_success(_set_fields(_retrieved_lists, lambda _: []))),
        applies=_has(Role.RETRIEVE),
    ),
    "delete_keeps": BrokenServer(
        "answers a delete as done and keeps the object retrievable",
        "use_after_free",
        store_defect(_KeepsDeleted),
        applies=_has(Role.DELETE, Role.RETRIEVE),
    ),
    "update_ignored": BrokenServer(
        "answers an update with the object unchanged",
        "response_reflects_request",
        wrapped(request=_update_ignores_body),
        applies=_has(Role.UPDATE),
    ),
    "update_not_stored": BrokenServer(
        "answers an update with the change, but never stores it",
        "read_after_write",
        store_defect(_WritesOnce),
        applies=_has(Role.UPDATE, Role.RETRIEVE),
    ),
    "update_refused_under_a_prefix": BrokenServer(
        "served under /api (judged at --base-url .../api), refuses every update as an invalid body",
        "valid_request_accepted",
        update_refused_under_a_prefix,
        applies=_has(Role.UPDATE),
    ),
    "update_unchecked": BrokenServer(
        "accepts any string length and unknown fields in an update's body",
        "invalid_body_rejected",
        relaxed(_updates_unchecked),
        applies=_has(Role.UPDATE),
    ),
    "lists_deleted": BrokenServer(
        "still lists what it deleted",
        "list_shows_resources",
        store_defect(_ListsDeleted),
        applies=_has(Role.DELETE, Role.LIST),
    ),
    "cursors_ignored": BrokenServer(
        "answers a list from its first item whatever object its cursor (`after`, `before`) names",
        "list_shows_resources",
        wrapped(request=_cursors_ignored),
        applies=_has_cursors,
    ),
    "after_ignores_order": BrokenServer(
        "pages after a cursor in creation order whatever `order` asks (newest first, pages repeat objects)",
        "list_pages_consistent",
        wrapped(request=_after_ignores_order),
        applies=lambda api: _walkable(api) and any(r.paging.order is not None for r in api.resources),
    ),
    "has_more_never": BrokenServer(
        "answers `has_more: false` on every page, though more follow",
        "list_pages_consistent",
        wrapped(reply=_has_more_never),
        applies=lambda api: _walkable(api) and any(r.paging.has_more is not None for r in api.resources),
    ),
    "same_second_skipped": BrokenServer(
        "pages by creation time alone: a page after an object leaves out those created in the same second",
        "list_pages_consistent",
        wrapped(reply=_SameSecondSkipped),
        applies=_walkable,
    ),
    "server_error_for_unknown_ids": BrokenServer(
        "answers 500 to a request naming an id it has not got",
        "unknown_id_not_found",
        wrapped(reply=_server_error_for_unknown_ids),
        applies=_has(Role.RETRIEVE),
    ),
    "query_limits_unchecked": BrokenServer(
        "accepts query parameters outside their `minimum` and `maximum` (a page size of 0 or 1000)",
        "invalid_parameter_rejected",
        relaxed(_parameters_unbounded),
        applies=_has_bounded_query,
    ),
}
