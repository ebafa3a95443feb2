"""The resources of an API: what is created can be retrieved, changed, listed and deleted.

A resource is a collection path and an item path below it whose one new segment is a path parameter,
the resource's id (`/v1/assistants` and `/v1/assistants/{assistant_id}`). It is found

- from the spec's links, where declared: a link of an operation's success response that gives an
  operation's path parameter a value from the response body (`assistant_id: $response.body#/id`) makes
  the first a create (or another operation on the item) and names where the id is in its body;
- else by REST convention: a POST to a collection path returns an object, and an operation exists on
  the collection path plus one parameter segment; the id is the response property named as that
  parameter, else `id`, else the one property the spec marks `x-unique`.

What each operation does to it follows from its method: on the collection, POST creates and GET lists;
on the item, GET retrieves, PATCH and POST change the fields sent and keep the others (merge), PUT
replaces, DELETE deletes. An operation's `x-update: merge` or `x-update: replace` says otherwise.

Lists are paged by the spec's cursor parameters, found by the names REST APIs give them: a page size
(`limit`, `page_size`, `per_page`...), a cursor after an item's id (`after`, `starting_after`, `cursor`...)
and before one (`before`, `ending_before`), and an order (`order`, `sort`... with `asc` and `desc`). A
list body is the array itself, or an object holding the items in an array property (the one whose items
are the resource's schema); its boolean property (`has_more`) says whether more pages follow.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any

from contract_tests.api.document import UNIQUE, SpecError, escape_pointer, node_at
from contract_tests.api.model import Api, Operation, Parameter

UPDATE_EXTENSION = "x-update"
_LIMIT_NAMES = ("limit", "page_size", "pageSize", "per_page", "perPage", "max_results", "maxResults", "size")
_AFTER_NAMES = ("after", "starting_after", "startingAfter", "cursor", "page_token", "pageToken", "next")
_BEFORE_NAMES = ("before", "ending_before", "endingBefore")
_TOKEN_NAMES = frozenset({"cursor", "page_token", "pageToken", "next"})  # opaque: they name no object
_ORDER_NAMES = ("order", "sort", "sort_order", "sortOrder", "direction")
_MORE_NAMES = ("has_more", "hasMore", "more")


class Role(enum.Enum):
    CREATE = "create"
    LIST = "list"
    RETRIEVE = "retrieve"
    UPDATE = "update"  # the fields sent change, the others keep their values
    REPLACE = "replace"  # the request is the new resource
    DELETE = "delete"
    ACTION = "action"  # on an object, below its item path (`/files/{file_id}/content`, `.../cancel`)


@dataclass(frozen=True)
class Paging:
    """How a list operation pages: its parameters (None where it has none) and the body's `has_more`."""

    limit: Parameter | None = None
    after: Parameter | None = None
    before: Parameter | None = None
    order: Parameter | None = None
    has_more: str | None = None  # JSON pointer into a list body
    first: str | None = None  # where a list body names its first item's id (`first_id`), if it does
    last: str | None = None

    @property
    def cursors(self) -> list[Parameter]:
        """The parameters that name an object to page from (`after`, `before`; not an opaque page token): a
        value valid by their schema that names no object is a request a server may refuse."""
        return [
            parameter
            for parameter in (self.after, self.before)
            if parameter is not None and parameter.name not in _TOKEN_NAMES
        ]


@dataclass(frozen=True, eq=False)
class Resource:
    """A kind of resource and the operations that act on it."""

    collection: str  # path, as the spec writes it
    item: str
    id_parameter: str  # the item path's own parameter
    id_pointer: str  # where a created (or retrieved) object holds its id: "/id"
    schema_pointer: str | None  # the object's schema
    roles: dict[Role, tuple[Operation, ...]]
    source: str  # "links" or "convention"
    items_pointer: str | None = None  # where a list body holds the items ("" for the body itself)
    paging: Paging = field(default_factory=Paging)
    parent: Resource | None = None  # for a collection below another resource's item (`/threads/{id}/runs`)

    @property
    def label(self) -> str:
        return self.collection

    def role_of(self, op: Operation) -> Role | None:
        for role, operations in self.roles.items():
            if op in operations:
                return role
        return None

    def first(self, role: Role) -> Operation | None:
        found = self.roles.get(role, ())
        return found[0] if found else None

    def all(self, role: Role) -> tuple[Operation, ...]:
        return self.roles.get(role, ())

    def id_of(self, body: Any) -> Any:
        """The id in an object of the resource, or None."""
        try:
            return node_at(body, self.id_pointer) if isinstance(body, dict) else None
        except SpecError:
            return None

    def items_of(self, body: Any) -> list[Any] | None:
        """The items of a list body, or None when it holds none where the spec says."""
        if self.items_pointer is None:
            return None
        try:
            items = node_at(body, self.items_pointer) if self.items_pointer else body
        except SpecError:
            return None
        return items if isinstance(items, list) else None

    def has_more(self, body: Any) -> bool | None:
        if self.paging.has_more is None:
            return None
        try:
            value = node_at(body, self.paging.has_more)
        except SpecError:
            return None
        return value if isinstance(value, bool) else None


def _segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def _lone_parameter(segment: str) -> str | None:
    """`assistant_id` of the segment `{assistant_id}`; None for a segment that is not one parameter."""
    if segment.startswith("{") and segment.endswith("}") and segment.count("{") == 1:
        return segment[1:-1]
    return None


def _item_parameter(collection: str, item: str) -> str | None:
    """The parameter of `item` when it is `collection` plus one parameter segment."""
    outer, inner = _segments(collection), _segments(item)
    if len(inner) != len(outer) + 1 or inner[:-1] != outer:
        return None
    return _lone_parameter(inner[-1])


def _role(op: Operation, on_item: bool) -> Role | None:
    declared = op.extensions.get(UPDATE_EXTENSION)
    if on_item and op.method in ("PATCH", "POST", "PUT") and declared in ("merge", "replace"):
        return Role.UPDATE if declared == "merge" else Role.REPLACE
    if not on_item:
        return {"POST": Role.CREATE, "GET": Role.LIST}.get(op.method)
    return {
        "GET": Role.RETRIEVE,
        "PATCH": Role.UPDATE,
        "POST": Role.UPDATE,
        "PUT": Role.REPLACE,
        "DELETE": Role.DELETE,
    }.get(op.method)


def _id_pointer(api: Api, op: Operation, parameter: str) -> str | None:
    """By convention: the success body's property named as the parameter, else `id`, else the `x-unique`
    one."""
    pointer = op.success.schema_pointer
    if pointer is None or "object" not in api.values.types(pointer):
        return None
    properties = api.values.properties(pointer)
    for name in (parameter, "id"):
        if name in properties:
            return f"/{escape_pointer(name)}"
    unique = [name for name, where in properties.items() if api.values.schema(where).get(UNIQUE) is True]
    return f"/{escape_pointer(unique[0])}" if len(unique) == 1 else None


def _linked(api: Api) -> dict[tuple[str, str], tuple[str, str]]:
    """(collection, item) -> (id parameter, id pointer), from the links of POSTs to collections."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    by_id = {op.operation_id: op for op in api.operations}
    for op in api.operations:
        for response in op.responses:
            if not response.status.startswith("2"):
                continue
            for link in response.links:
                target = by_id.get(link.operation_id)
                if target is None:
                    continue
                for name, expression in link.parameters.items():
                    if not expression.startswith("$response.body#"):
                        continue
                    pointer = expression.split("#", 1)[1]
                    if op.method == "POST" and _item_parameter(op.path, target.path) == name:
                        found.setdefault((op.path, target.path), (name, pointer))
    return found


def _items_pointer(api: Api, list_op: Operation, schema: str | None, id_pointer: str) -> str | None:
    pointer = list_op.success.schema_pointer
    if pointer is None:
        return None
    values = api.values
    if "array" in values.types(pointer) and "object" not in values.types(pointer):
        return ""
    candidates: list[tuple[int, str]] = []
    id_name = id_pointer.split("/")[1] if id_pointer.count("/") == 1 else None
    for name, where in values.properties(pointer).items():
        items = values.child(where, "items")
        if items is None or "array" not in values.types(where):
            continue
        target = list(values.chain(items))[-1]
        if schema is not None and target == list(values.chain(schema))[-1]:
            candidates.append((0, name))
        elif id_name is not None and id_name in values.properties(items):
            candidates.append((1, name))
        else:
            candidates.append((2, name))
    if not candidates:
        return None
    return f"/{escape_pointer(min(candidates)[1])}"


def _paging(api: Api, list_op: Operation, items_pointer: str | None) -> Paging:
    def named(names: tuple[str, ...], *, kind: str | None = None) -> Parameter | None:
        for name in names:
            for parameter in list_op.query:
                if parameter.name == name and (kind is None or kind in parameter.types):
                    return parameter
        return None

    order = named(_ORDER_NAMES)
    if order is not None and order.schema_pointer is not None:
        enum = api.values.schema(order.schema_pointer).get("enum") or []
        if not {"asc", "desc"} <= {str(value).lower() for value in enum}:
            order = None
    has_more = None
    pointer = list_op.success.schema_pointer
    if pointer is not None and items_pointer:
        booleans = [
            name
            for name, where in api.values.properties(pointer).items()
            if api.values.types(where) == ("boolean",)
        ]
        preferred = [name for name in _MORE_NAMES if name in booleans]
        chosen = preferred[0] if preferred else (booleans[0] if len(booleans) == 1 else None)
        has_more = f"/{escape_pointer(chosen)}" if chosen else None
    ends: dict[str, str | None] = {"first": None, "last": None}
    if pointer is not None and items_pointer:
        for name, where in api.values.properties(pointer).items():
            for end, found in ends.items():
                if end in name.lower() and "string" in api.values.types(where) and found is None:
                    ends[end] = f"/{escape_pointer(name)}"
    return Paging(
        first=ends["first"],
        last=ends["last"],
        limit=named(_LIMIT_NAMES, kind="integer"),
        after=named(_AFTER_NAMES),
        before=named(_BEFORE_NAMES),
        order=order,
        has_more=has_more,
    )


def find_resources(api: Api) -> tuple[Resource, ...]:
    """Every resource of the API (see the module's docstring)."""
    by_path: dict[str, list[Operation]] = {}
    for op in api.operations:
        by_path.setdefault(op.path, []).append(op)
    linked = _linked(api)
    found: list[Resource] = []
    for item, item_ops in by_path.items():
        segments = _segments(item)
        if not segments or _lone_parameter(segments[-1]) is None:
            continue
        collection = "/" + "/".join(segments[:-1]) if segments[:-1] else "/"
        collection_ops = by_path.get(collection, [])
        parameter = _item_parameter(collection, item)
        if parameter is None:
            continue
        roles: dict[Role, list[Operation]] = {}
        for op in collection_ops:
            role = _role(op, on_item=False)
            if role is not None:
                roles.setdefault(role, []).append(op)
        for op in item_ops:
            role = _role(op, on_item=True)
            if role is not None:
                roles.setdefault(role, []).append(op)
        if not roles.get(Role.CREATE) and not roles.get(Role.RETRIEVE):
            continue
        source = "convention"
        creates = roles.get(Role.CREATE, [])
        if (collection, item) in linked:
            parameter, id_pointer = linked[(collection, item)]
            source = "links"
        else:
            shown_by = creates[0] if creates else roles[Role.RETRIEVE][0]
            found_pointer = _id_pointer(api, shown_by, parameter)
            if found_pointer is None:
                continue
            id_pointer = found_pointer
        schema_op = creates[0] if creates else roles[Role.RETRIEVE][0]
        schema = schema_op.success.schema_pointer
        lists = roles.get(Role.LIST, [])
        items_pointer = _items_pointer(api, lists[0], schema, id_pointer) if lists else None
        found.append(
            Resource(
                collection=collection,
                item=item,
                id_parameter=parameter,
                id_pointer=id_pointer,
                schema_pointer=schema,
                roles={role: tuple(ops) for role, ops in roles.items()},
                source=source,
                items_pointer=items_pointer,
                paging=_paging(api, lists[0], items_pointer) if lists else Paging(),
            )
        )
    return tuple(_with_parents(_with_actions(found, api.operations)))


def _with_actions(resources: list[Resource], operations: tuple[Operation, ...]) -> list[Resource]:
    """Each operation on a path below an object's item path by literal segments only (a download of a
    file's content, a cancel), and of no other resource, as an action on that object."""
    taken = {id(op) for resource in resources for ops in resource.roles.values() for op in ops}
    collections = {resource.collection for resource in resources}
    actions: dict[int, list[Operation]] = {}
    for op in operations:
        if id(op) in taken or op.path in collections:
            continue
        below = [
            resource
            for resource in resources
            if op.path.startswith(resource.item + "/")
            and all(_lone_parameter(part) is None for part in _segments(op.path[len(resource.item) :]))
        ]
        if below:
            owner = max(below, key=lambda resource: len(resource.item))
            actions.setdefault(id(owner), []).append(op)
    return [
        dataclasses.replace(resource, roles={**resource.roles, Role.ACTION: tuple(actions[id(resource)])})
        if id(resource) in actions
        else resource
        for resource in resources
    ]


def _with_parents(resources: list[Resource]) -> list[Resource]:
    """Each resource whose collection lies below another's item (`/threads/{thread_id}/runs`), with it:
    the parent as it is in the result (its own parent set), at any depth, so that a resource's parent is
    the very object the API lists."""
    by_item = {resource.item: resource for resource in resources}
    linked: dict[str, Resource] = {}

    def link(resource: Resource) -> Resource:
        if resource.item in linked:
            return linked[resource.item]
        segments = _segments(resource.collection)
        parent = None
        for end in range(len(segments), 0, -1):
            prefix = "/" + "/".join(segments[:end])
            if prefix in by_item and by_item[prefix] is not resource:
                parent = link(by_item[prefix])
                break
        linked[resource.item] = resource if parent is None else dataclasses.replace(resource, parent=parent)
        return linked[resource.item]

    return [link(resource) for resource in resources]
