"""What each operation of a resource does to the store (contract_tests.api.resources finds them).

A create keeps the object it answers; a retrieve answers what is kept; an update changes the fields
sent and keeps the others (merge); a replace makes the request the new object, keeping what the server
assigned (the id, the creation time); a delete forgets it and answers the delete's confirmation; a list
pages through what is kept, in creation order (newest first for `order=desc`), by the spec's cursor and
size parameters. An id the store has not got is a 404.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract_tests.api.model import Api, Operation
from contract_tests.api.parameters import ABSENT
from contract_tests.api.resources import Resource, Role
from contract_tests.server.store import Store
from contract_tests.server.success import SuccessBody, filled

DEFAULT_PAGE = 20  # a list's page size where the spec gives its size parameter no default


class NotFound(Exception):
    """The request names a resource the store has not got."""


@dataclass(frozen=True)
class Call:
    """What an operation's answer depends on: the path parameters, the query values and the JSON body."""

    path: dict[str, str]
    query: dict[str, Any]
    body: Any


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
        obj = success(call.body)
        key = self.resource.id_of(obj)
        if key is not None:
            self.store.put(self.collection(call), str(key), obj)
        return obj

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
        new = success(call.body, keep=keep)
        self.store.put(collection, key, new)
        return new

    def delete(self, op: Operation, success: SuccessBody, call: Call) -> Any:
        collection, key, found = self._kept(call)
        self.store.delete(collection, key)
        pointer = op.success.schema_pointer
        given = {}
        if (
            self.id_name is not None
            and pointer is not None
            and self.id_name in self.values.properties(pointer)
        ):
            given[self.id_name] = self.resource.id_of(found)
        return filled(self.values, pointer, given)

    def list_page(self, op: Operation, success: SuccessBody, call: Call) -> Any:
        self._parent_exists(call)
        paging = self.resource.paging
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
