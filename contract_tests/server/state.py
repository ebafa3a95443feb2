"""What each operation of a resource does to the store (contract_tests.api.resources finds them).

A create keeps the object it answers; a retrieve answers what is kept; an update changes the fields
sent and keeps the others (merge); a replace makes the request the new object, keeping what the server
assigned (the id, the creation time); a delete forgets it and answers the delete's confirmation; a list
pages through what is kept, in creation order (newest first for `order=desc`), by the spec's cursor and
size parameters. An id the store has not got is a 404.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract_tests.api.media import BINARY, JSON, TEXT
from contract_tests.api.model import Api, Operation
from contract_tests.api.parameters import ABSENT
from contract_tests.api.resources import Resource, Role
from contract_tests.server.reading import Upload
from contract_tests.server.store import Store
from contract_tests.server.success import SuccessBody, binary_content, filled

DEFAULT_PAGE = 20  # a list's page size where the spec gives its size parameter no default
SEEDED_OBJECTS = 3  # objects of a resource no request can create, there from the start


def _uploads(collection: str) -> str:
    """Where the files a collection's objects were created with are kept (not a path any request names)."""
    return f"{collection}\x1fuploads"


def _seeded(collection: str) -> str:
    return f"{collection}\x1fseeded"


class NotFound(Exception):
    """The request names a resource the store has not got."""


@dataclass(frozen=True)
class Call:
    """What an operation's answer depends on: the path parameters, the query values, the body's value
    (JSON, or what a form or an upload's parts mean), the files it uploaded, and whether the client asked
    for the answer as a stream of events."""

    path: dict[str, str]
    query: dict[str, Any]
    body: Any
    uploads: tuple[Upload, ...] = ()
    stream: bool = False


Answer = Callable[[Call], Any]


def _top_name(pointer: str) -> str | None:
    """`id` of the pointer `/id`; None for a deeper one."""
    parts = pointer.split("/")
    return parts[1].replace("~1", "/").replace("~0", "~") if len(parts) == 2 else None


class ResourceAnswers:
    """The answers of the operations of one resource, over a store."""

    def __init__(self, api: Api, resource: Resource, store: Store) -> None:
        self.api = api
        self.values = api.values
        self.resource = resource
        self.store = store
        self.id_name = _top_name(resource.id_pointer)

    def answer_for(self, op: Operation, role: Role, success: SuccessBody) -> Answer:
        handlers: dict[Role, Callable[[Operation, SuccessBody, Call], Any]] = {
            Role.CREATE: self.create,
            Role.RETRIEVE: self.retrieve,
            Role.UPDATE: self.update,
            Role.REPLACE: self.replace,
            Role.DELETE: self.delete,
            Role.LIST: self.list_page,
            Role.ACTION: self.action,
        }
        handler = handlers[role]
        return lambda call: handler(op, success, call)

    # --- where objects are kept ----------------------------------------------------------------------

    def collection(self, call: Call) -> str:
        """The collection path with its parameters filled in (a nested resource's parent id)."""
        path = self.resource.collection
        for name, value in call.path.items():
            path = path.replace("{" + name + "}", value)
        return path

    def _parent_exists(self, call: Call) -> None:
        parent = self.resource.parent
        if parent is None:
            return
        parent_call = Call({k: v for k, v in call.path.items() if k != self.resource.id_parameter}, {}, None)
        answers = ResourceAnswers(self.api, parent, self.store)
        if self.store.get(answers.collection(parent_call), call.path.get(parent.id_parameter, "")) is None:
            raise NotFound

    def _kept(self, call: Call) -> tuple[str, str, Any]:
        self._parent_exists(call)
        collection, key = self.collection(call), call.path.get(self.resource.id_parameter, "")
        self._seed(collection)
        found = self.store.get(collection, key)
        if found is None:
            raise NotFound
        return collection, key, found

    def _shaped(self, op: Operation, obj: Any) -> Any:
        """`obj` as the operation's success schema has it (the resource object, where they agree)."""
        pointer = op.success.schema_pointer
        if pointer is None or self.values.is_valid(pointer, obj):
            return copy.deepcopy(obj)
        properties = self.values.properties(pointer)
        given = {
            name: value
            for name, value in (obj.items() if isinstance(obj, dict) else [])
            if name in properties and self.values.is_valid(properties[name], value)
        }
        return filled(self.values, pointer, given)

    # --- the operations ------------------------------------------------------------------------------

    def create(self, op: Operation, success: SuccessBody, call: Call) -> Any:
        self._parent_exists(call)
        obj = success(call.body, uploads=call.uploads, path=call.path)
        key = self.resource.id_of(obj)
        if key is not None:
            self.store.put(self.collection(call), str(key), obj)
            if call.uploads:  # what a download of the object's content answers
                upload = call.uploads[0]
                kept = {"filename": upload.filename, "content": base64.b64encode(upload.content).decode()}
                self.store.put(_uploads(self.collection(call)), str(key), kept)
        return success.payload(call) if call.stream else obj

    def action(self, op: Operation, success: SuccessBody, call: Call) -> Any:
        """An operation on an object below its path: a download answers the bytes it was created with; one
        whose success is the object itself (a cancel) answers it; any other its own success body."""
        collection, key, found = self._kept(call)
        response = op.success
        if call.stream:
            return success.payload(call)
        if response.kind in (BINARY, TEXT) or (
            response.schema_pointer is not None and self.values.types(response.schema_pointer) == ("string",)
        ):
            kept = self.store.get(_uploads(collection), key)
            content = base64.b64decode(kept["content"]) if isinstance(kept, dict) else binary_content(call)
            if response.kind == JSON:
                return content.decode("utf-8", errors="replace")
            return content.decode("utf-8", errors="replace") if response.kind == TEXT else content
        if response.schema_pointer is not None and self._same_schema(response.schema_pointer):
            return self._shaped(op, found)
        return success.payload(call)

    def _same_schema(self, pointer: str) -> bool:
        schema = self.resource.schema_pointer
        return (
            schema is not None and list(self.values.chain(pointer))[-1] == list(self.values.chain(schema))[-1]
        )

    def _seed(self, collection: str) -> None:
        """Objects the API gives no way to create (models, a run's steps) are there from the start: a few,
        built from the spec (its examples where it has them), once per collection."""
        if self.resource.first(Role.CREATE) is not None or self.resource.schema_pointer is None:
            return
        marker = _seeded(collection)
        if self.store.get(marker, "seeded") is not None:
            return
        self.store.put(marker, "seeded", True)
        built = SuccessBody(self.api, self._shown_by(), unique=self._id_names())
        for _ in range(SEEDED_OBJECTS):
            obj = built(None)
            key = self.resource.id_of(obj)
            if key is not None:
                self.store.put(collection, str(key), obj)

    def _shown_by(self) -> Operation:
        shown = self.resource.first(Role.RETRIEVE) or self.resource.first(Role.LIST)
        assert shown is not None
        return shown

    def _id_names(self) -> set[str]:
        return {self.id_name} if self.id_name is not None else set()

    def retrieve(self, op: Operation, success: SuccessBody, call: Call) -> Any:
        return self._shaped(op, self._kept(call)[2])

    def update(self, op: Operation, success: SuccessBody, call: Call) -> Any:
        collection, key, found = self._kept(call)
        merged = dict(found) if isinstance(found, dict) else {}
        schema = self.resource.schema_pointer
        properties = self.values.properties(schema) if schema else {}
        for name, value in (call.body or {}).items() if isinstance(call.body, dict) else []:
            if name in properties and name != self.id_name and self.values.is_valid(properties[name], value):
                merged[name] = copy.deepcopy(value)
        self.store.put(collection, key, merged)
        return self._shaped(op, merged)

    def replace(self, op: Operation, success: SuccessBody, call: Call) -> Any:
        collection, key, found = self._kept(call)
        settable = set(self.values.properties(op.body.schema_pointer)) if op.body is not None else set()
        keep = {name: value for name, value in found.items() if name not in settable}
        new = success(call.body, keep=keep, path=call.path)
        self.store.put(collection, key, new)
        return new

    def delete(self, op: Operation, success: SuccessBody, call: Call) -> Any:
        collection, key, found = self._kept(call)
        self.store.delete(collection, key)
        pointer = op.success.schema_pointer
        given = {}
        if pointer is not None and isinstance(found, dict):
            # The object's id, where the answer names it; all of it where a delete answers the deleted
            # object itself. A field of another schema that shares a name (`object: "thing.deleted"`, not
            # the object's "thing") is the answer's own, from its schema.
            same = pointer == self.resource.schema_pointer
            for name, where in self.values.properties(pointer).items():
                kept = name in found and self.values.is_valid(where, found[name])
                if kept and (same or name == self.id_name):
                    given[name] = found[name]
        return filled(self.values, pointer, given)

    def list_page(self, op: Operation, success: SuccessBody, call: Call) -> Any:
        self._parent_exists(call)
        paging = self.resource.paging
        self._seed(self.collection(call))
        kept = self.store.items(self.collection(call))
        if self._value(paging.order, call) in ("desc", "DESC"):
            kept.reverse()
        keys = [key for key, _ in kept]
        start, end = 0, len(kept)
        after, before = self._value(paging.after, call), self._value(paging.before, call)
        if after is not None and str(after) in keys:
            start = keys.index(str(after)) + 1
        if before is not None and str(before) in keys:
            end = keys.index(str(before))
        size = self._value(paging.limit, call)
        if paging.limit is None:
            size = len(kept)  # a list the spec gives no page size pages nothing: it answers every object
        size = size if isinstance(size, int) and size > 0 else DEFAULT_PAGE
        page = [obj for _, obj in kept[start:end][:size]]
        more = start + len(page) < end
        return self._envelope(op, page, more)

    def _value(self, parameter: Any, call: Call) -> Any:
        """A paging parameter's value in the call, else its schema's default, else None."""
        if parameter is None:
            return None
        value = call.query.get(parameter.name, ABSENT)
        if value is not ABSENT:
            return value
        if parameter.schema_pointer is None:
            return None
        return self.values.schema(parameter.schema_pointer).get("default")

    def _envelope(self, op: Operation, page: list[Any], more: bool) -> Any:
        resource = self.resource
        pointer = op.success.schema_pointer
        items_pointer = resource.items_pointer
        if items_pointer is None or pointer is None:
            return filled(self.values, pointer, {})
        item_schema = self._item_schema(pointer, items_pointer)
        items = [self._fit(item_schema, obj) for obj in page]
        if items_pointer == "":
            return items
        given: dict[str, Any] = {}
        for where, value in (
            (items_pointer, items),
            (resource.paging.has_more, more),
            (resource.paging.first, resource.id_of(page[0]) if page else None),
            (resource.paging.last, resource.id_of(page[-1]) if page else None),
        ):
            name = _top_name(where) if where else None
            if name is not None:
                given[name] = value
        body = filled(self.values, pointer, given)
        properties = self.values.properties(pointer)
        # A first or last id the schema cannot carry as given (null where it must be text): its example.
        return {
            name: value
            if name not in properties or self.values.is_valid(properties[name], value)
            else self.values.example(properties[name])
            for name, value in body.items()
        }

    def _item_schema(self, pointer: str, items_pointer: str) -> str | None:
        if items_pointer == "":
            return self.values.child(pointer, "items")
        name = _top_name(items_pointer)
        where = self.values.properties(pointer).get(name or "")
        return self.values.child(where, "items") if where else None

    def _fit(self, pointer: str | None, obj: Any) -> Any:
        if pointer is None or self.values.is_valid(pointer, obj):
            return obj
        properties = self.values.properties(pointer)
        given = {
            name: value
            for name, value in (obj.items() if isinstance(obj, dict) else [])
            if name in properties and self.values.is_valid(properties[name], value)
        }
        return filled(self.values, pointer, given)
