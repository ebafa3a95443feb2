"""Broken servers of resources nested below others (a thread's messages), each the reference server with
one defect, and the check that must catch it: they apply to a spec with a resource below another that a
request can create (tests/fixtures/nested.yaml, OpenAI's threads and messages)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from contract_tests.api.model import Api, load_api
from contract_tests.api.resources import Resource, Role
from contract_tests.gallery.rewrite import EditReply, EditRequest, Reply, Request, Rewrite, acted_on
from contract_tests.gallery.servers import AppFactory, BrokenServer, ServerFactory, StoreWrapper, wrapped


def _nested(api: Api) -> bool:
    return any(
        resource.parent is not None
        and resource.first(Role.CREATE) is not None
        and resource.parent.first(Role.CREATE) is not None
        for resource in api.resources
    )


def _children(api: Api) -> list[Resource]:
    return [resource for resource in api.resources if resource.parent is not None]


def _segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def _siblings(collection: str, other: str) -> bool:
    """Whether two collection paths are the same template with other parents (`/t/A/m`, `/t/B/m`)."""
    mine, theirs = _segments(collection), _segments(other)
    return len(mine) == len(theirs) and mine[-1] == theirs[-1] and mine != theirs


class _AnyParentStore(StoreWrapper):
    """A store keyed by id alone, as a table without its parent's column in the key: an object is found
    under any parent, and a list shows every parent's children. `where` says which of the two it does."""

    def __init__(self, store: Any, where: str) -> None:
        super().__init__(store)
        self.where = where

    def get(self, collection: str, key: str) -> Any:
        found = self.store.get(collection, key)
        if found is not None or self.where != "get" or "\x1f" in collection:
            return found
        for other in getattr(self.store, "collections", lambda: [])():
            if _siblings(collection, other):
                found = self.store.get(other, key)
                if found is not None:
                    return found
        return None

    def items(self, collection: str) -> list[tuple[str, Any]]:
        found = list(self.store.items(collection))
        if self.where != "items" or "\x1f" in collection:
            return found
        for other in getattr(self.store, "collections", lambda: [])():
            if _siblings(collection, other):
                found += list(self.store.items(other))
        return found


class _Collections(StoreWrapper):
    """The reference server's store, telling which collections it holds (what a defect above reads)."""

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.known: list[str] = []

    def put(self, collection: str, key: str, value: Any) -> None:
        if collection not in self.known:
            self.known.append(collection)
        self.store.put(collection, key, value)

    def collections(self) -> list[str]:
        return list(self.known)


def _keyed_by_id(where: str) -> AppFactory:
    return lambda base, api_key, spec: base(
        api_key=api_key, spec_path=spec, wrap_store=lambda store: _AnyParentStore(_Collections(store), where)
    )


class _AnyParentExists(StoreWrapper):
    """Treats any parent id as a parent it holds (the parent's existence is never looked up): a child is
    created, found and listed under a parent id no object has."""

    def __init__(self, store: Any, parents: set[str]) -> None:
        super().__init__(store)
        self.parents = parents  # the parents' collection paths with their own ids left open

    def get(self, collection: str, key: str) -> Any:
        found = self.store.get(collection, key)
        if found is None and any(_same_shape(collection, parent) for parent in self.parents):
            return {}
        return found


def _same_shape(collection: str, template: str) -> bool:
    mine, theirs = _segments(collection), _segments(template)
    return len(mine) == len(theirs) and all(
        expected.startswith("{") or expected == actual for actual, expected in zip(mine, theirs, strict=True)
    )


def _any_parent_exists(base: ServerFactory, api_key: str, spec: Path) -> Any:
    api = load_api(spec)
    parents = {resource.parent.collection for resource in _children(api) if resource.parent is not None}
    return base(api_key=api_key, spec_path=spec, wrap_store=lambda store: _AnyParentExists(store, parents))


def _children_outlive_parents(base: ServerFactory, api_key: str, spec: Path) -> Any:
    """Deleting a parent leaves its children: asked for under the deleted parent, a child is still
    answered (what its create answered)."""
    api = load_api(spec)
    made: dict[str, bytes] = {}  # a child's path -> what its create answered
    deleted: set[str] = set()  # parents' item paths

    def request(edited: Request) -> Request | Reply:
        acted = acted_on(api, edited)
        if acted is not None and acted.resource.parent is not None and acted.role is Role.RETRIEVE:
            parent_path = "/".join(edited.path.split("/")[:-2])
            if parent_path in deleted and edited.path in made:
                return Reply(200, {"content-type": "application/json"}, made[edited.path])
        return edited

    def reply(edited: Request, answer: Reply) -> Reply:
        acted = acted_on(api, edited)
        if acted is None or not 200 <= answer.status < 300:
            return answer
        if acted.role is Role.CREATE and acted.resource.parent is not None:
            key = acted.resource.id_of(json.loads(answer.body))
            made[f"{edited.path}/{key}"] = answer.body
        if acted.role is Role.DELETE:
            deleted.add(edited.path)
        return answer

    return Rewrite(base(api_key=api_key, spec_path=spec), request=request, reply=reply)


def _cursor_of_another_parent(base: ServerFactory, api_key: str, spec: Path) -> Any:
    """Pages from an `after` cursor wherever the object it names is: a list given a child of another
    parent as its cursor answers that parent's children (one table for every parent, paged by id)."""
    api = load_api(spec)
    homes: dict[str, str] = {}  # a child's id -> the collection path it was created in

    def request(edited: Request) -> Request:
        acted = acted_on(api, edited)
        after = acted.resource.paging.after if acted is not None else None
        if acted is None or acted.role is not Role.LIST or after is None:
            return edited
        cursor = dict(parse_qsl(edited.query)).get(after.name)
        if cursor in homes:
            edited.path = homes[cursor]
        return edited

    def reply(edited: Request, answer: Reply) -> Reply:
        acted = acted_on(api, edited)
        if acted is not None and acted.role is Role.CREATE and 200 <= answer.status < 300 and answer.body:
            key = acted.resource.id_of(json.loads(answer.body))
            if key is not None:
                homes[str(key)] = edited.path
        return answer

    return Rewrite(base(api_key=api_key, spec_path=spec), request=request, reply=reply)


def _parent_field_elsewhere(spec: Path) -> EditReply:
    """A child's field named as its parent's id is another parent's (a denormalized column gone stale)."""
    api = load_api(spec)

    def edit(request: Request, reply: Reply) -> Reply:
        acted = acted_on(api, request)
        if acted is None or acted.role is not Role.CREATE or acted.resource.parent is None:
            return reply
        if not 200 <= reply.status < 300:
            return reply
        body, name = json.loads(reply.body), acted.resource.parent.id_parameter
        if isinstance(body, dict) and name in body:
            body[name] = f"{body[name]}-elsewhere"
            reply.body = json.dumps(body).encode()
        return reply

    return edit


def _delete_says_false(request: Request, reply: Reply) -> Reply:
    """A delete that succeeds answers its confirmation with `false` (a flag read before the delete)."""
    if request.method == "DELETE" and 200 <= reply.status < 300 and reply.body:
        body = json.loads(reply.body)
        if isinstance(body, dict):
            reply.body = json.dumps({k: False if v is True else v for k, v in body.items()}).encode()
    return reply


def _order_ignored(spec: Path) -> EditRequest:
    """A list's `order` is dropped: every list comes in the server's own default order."""
    api = load_api(spec)

    def edit(request: Request) -> Request:
        acted = acted_on(api, request)
        order = acted.resource.paging.order if acted is not None else None
        if acted is not None and acted.role is Role.LIST and order is not None:
            kept = parse_qsl(request.query, keep_blank_values=True)
            request.query = urlencode([(name, value) for name, value in kept if name != order.name])
        return request

    return edit


def _confirms(api: Api) -> bool:
    return any(
        resource.first(Role.DELETE) is not None
        and resource.first(Role.DELETE).success.schema_pointer is not None  # type: ignore[union-attr]
        for resource in api.resources
    )


def _ordered(api: Api) -> bool:
    return any(
        resource.paging.order is not None and resource.paging.after is not None for resource in api.resources
    )


def _same(edit: Any) -> Callable[[Path], Any]:
    return lambda spec: edit


NESTED_GALLERY: dict[str, BrokenServer] = {
    "child_under_any_parent": BrokenServer(
        "finds a child under any parent (its objects keyed by id alone)",
        "children_follow_parents",
        _keyed_by_id("get"),
        applies=_nested,
    ),
    "foreign_children_listed": BrokenServer(
        "lists every parent's children under each parent",
        "children_follow_parents",
        _keyed_by_id("items"),
        applies=_nested,
    ),
    "any_parent_exists": BrokenServer(
        "takes any parent id for a parent it holds: creates a child under a parent no object has",
        "children_follow_parents",
        _any_parent_exists,
        applies=_nested,
    ),
    "children_outlive_parents": BrokenServer(
        "still answers a child of a parent it deleted",
        "children_follow_parents",
        _children_outlive_parents,
        applies=_nested,
    ),
    "cursor_of_another_parent": BrokenServer(
        "pages from an `after` cursor naming another parent's child, and lists that parent's children",
        "children_follow_parents",
        _cursor_of_another_parent,
        applies=lambda api: _nested(api) and any(r.paging.after is not None for r in _children(api)),
    ),
    "parent_field_elsewhere": BrokenServer(
        "answers a child whose field naming its parent names another",
        "children_follow_parents",
        wrapped(reply=_parent_field_elsewhere),
        applies=_nested,
    ),
    "delete_says_false": BrokenServer(
        "confirms a delete that succeeded with false",
        "delete_confirmed",
        wrapped(reply=_same(_delete_says_false)),
        applies=_confirms,
    ),
    "order_ignored": BrokenServer(
        "answers every list in its own order, whatever `order` asks",
        "list_pages_consistent",
        wrapped(request=_order_ignored),
        applies=_ordered,
    ),
}
