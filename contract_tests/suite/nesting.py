"""Resources below others, judged as nested (a thread's messages, a run's steps, at any depth).

For each resource whose collection lies below another's item, and that a request can create: a child is
created under the run's parent object, and another parent is created beside it. Then:

- the child's field named as the parent's id (a message's `thread_id`) is the parent's id;
- the child asked for under the other parent, and under a parent id no object has, is not found: no 2xx;
  and no child is created under a parent id no object has;
- the other parent's list does not show it, from its start or after the child's own id;
- a parent made for the purpose, with a child of its own, is deleted: its child is no longer reachable.

Each request carries what it is about in `expect["nesting"]`, for `children_follow_parents`
(contract_tests.rules.checks).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contract_tests.api.model import Api, Operation
from contract_tests.api.parameters import text_of
from contract_tests.api.resources import Resource, Role
from contract_tests.rules.exchange import Exchange
from contract_tests.suite.state import SendStep, World, is_success

CHECK = "children_follow_parents"
UNKNOWN_PARENT = "contract-no-such-parent-7f3a9c"


def nested(resource: Resource) -> bool:
    parent = resource.parent
    return (
        parent is not None
        and parent.first(Role.CREATE) is not None
        and resource.first(Role.CREATE) is not None
        and (resource.first(Role.RETRIEVE) is not None or resource.first(Role.LIST) is not None)
    )


def _judged(exchange: Exchange, about: str, **facts: Any) -> Exchange:
    exchange.expect = {**exchange.expect, "nesting": about, **facts}
    exchange.checks = (*exchange.checks, CHECK)
    return exchange


class Nesting:
    def __init__(self, api: Api, world: World, send: SendStep) -> None:
        self.api = api
        self.world = world
        self.send = send

    def _create(
        self, resource: Resource, collection: dict[str, str], body: Any, what: str
    ) -> Exchange | None:
        create = resource.first(Role.CREATE)
        assert create is not None
        return self.send(create, collection, body, label=f"nesting on {resource.label}: {what}")

    def _item(
        self, resource: Resource, collection: dict[str, str], made: Exchange | None
    ) -> dict[str, str] | None:
        if made is None or not is_success(made):
            return None
        return self.world.remember(resource, collection, made.received_json, made)

    def sequence(self, resource: Resource, child_body: Any, parent_body: Any) -> Iterator[Exchange]:
        parent = resource.parent
        assert parent is not None
        here = self.world.collection_path(resource)  # the run's parent object's path
        above = self.world.collection_path(parent)  # where the parent's siblings are made
        if here is None or above is None:
            return
        made = self._create(resource, here, child_body, "a child")
        child = self._item(resource, here, made)
        if made is None or child is None:
            if made is not None:
                yield made
            return
        key = parent.id_parameter
        yield _judged(made, "created", parent_id=here.get(key), field=key)
        made_other = self._create(parent, above, parent_body, "another parent")
        if made_other is not None:
            yield made_other
        other = self._item(parent, above, made_other)
        child_id = child[resource.id_parameter]
        retrieve, lister = resource.first(Role.RETRIEVE), resource.first(Role.LIST)
        elsewhere = [("another parent", other)] if other is not None else []
        elsewhere.append(("a parent id no object has", {**above, key: UNKNOWN_PARENT}))
        for what, parent_path in elsewhere:
            assert parent_path is not None
            if retrieve is not None:
                asked = self.send(
                    retrieve,
                    {**parent_path, resource.id_parameter: child_id},
                    None,
                    label=f"nesting on {resource.label}: the child under {what}",
                )
                if asked is not None:
                    yield _judged(asked, "elsewhere", child=child_id, where=what)
        unknown = self._create(resource, {**above, key: UNKNOWN_PARENT}, child_body, "a child of no parent")
        if unknown is not None:
            yield _judged(unknown, "elsewhere", child=None, where="a parent id no object has")
        if other is not None and lister is not None:
            yield from self._foreign_lists(resource, lister, other, child_id)
        yield from self._parent_deleted(resource, above, child_body, parent_body)

    def _foreign_lists(
        self, resource: Resource, lister: Operation, other: dict[str, str], child_id: str
    ) -> Iterator[Exchange]:
        """The other parent's list, from its start and after the child's id (a cursor of another parent's):
        neither shows the child."""
        after = resource.paging.after
        queries: list[dict[str, str] | None] = [None]
        if after is not None:
            queries.append({after.name: child_id})
        for query in queries:
            said = f", {after.name} the child" if query and after is not None else ""
            label = f"nesting on {resource.label}: the other parent's list{said}"
            listed = self.send(lister, other, None, label=label, query=query)
            if listed is not None:
                items = resource.items_of(listed.received_json) if is_success(listed) else None
                ids = [text_of(value) for value in map(resource.id_of, items or []) if value is not None]
                yield _judged(listed, "foreign list", child=child_id, listed=ids)

    def _parent_deleted(
        self, resource: Resource, above: dict[str, str], child_body: Any, parent_body: Any
    ) -> Iterator[Exchange]:
        """A parent of its own, with a child, deleted: the child is no longer reachable."""
        parent = resource.parent
        assert parent is not None
        delete, retrieve = parent.first(Role.DELETE), resource.first(Role.RETRIEVE)
        if delete is None or retrieve is None:
            return
        made = self._create(parent, above, parent_body, "a parent to delete")
        if made is not None:
            yield made
        doomed = self._item(parent, above, made)
        if doomed is None:
            return
        kid = self._create(resource, doomed, child_body, "its child")
        if kid is not None:
            yield kid
        child = self._item(resource, doomed, kid)
        if child is None:
            return
        gone = self.send(delete, doomed, None, label=f"nesting on {resource.label}: delete the parent")
        if gone is None:
            return
        yield gone
        if not is_success(gone):
            return
        self.world.forget(parent, doomed)
        self.world.forget(resource, child)
        asked = self.send(
            retrieve, child, None, label=f"nesting on {resource.label}: the child of the deleted parent"
        )
        if asked is not None:
            yield _judged(asked, "elsewhere", child=child[resource.id_parameter], where="a deleted parent")
