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


def _judged(exchange: Exchange, about: str, story: list[Exchange], **facts: Any) -> Exchange:
    exchange.expect = {**exchange.expect, "nesting": about, **facts}
    exchange.checks = (*exchange.checks, CHECK)
    exchange.story = tuple(step for step in story if step is not exchange)
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
        story = self.world.ancestry(resource, here)
        key = parent.id_parameter
        children: list[str] = []
        for what in ("a child", "a second child"):
            made = self._create(resource, here, child_body, what)
            if made is None:
                return
            story.append(made)
            child = self._item(resource, here, made)
            yield _judged(made, "created", story, parent_id=here.get(key), field=key) if child else made
            if child is None:
                return
            children.append(child[resource.id_parameter])
        made_other = self._create(parent, above, parent_body, "another parent")
        if made_other is not None:
            story.append(made_other)
            yield made_other
        other = self._item(parent, above, made_other)
        retrieve, lister = resource.first(Role.RETRIEVE), resource.first(Role.LIST)
        elsewhere = [("another parent", other)] if other is not None else []
        elsewhere.append(("a parent id no object has", {**above, key: UNKNOWN_PARENT}))
        for what, parent_path in elsewhere:
            assert parent_path is not None
            if retrieve is not None:
                asked = self.send(
                    retrieve,
                    {**parent_path, resource.id_parameter: children[0]},
                    None,
                    label=f"nesting on {resource.label}: the child under {what}",
                )
                if asked is not None:
                    yield _judged(asked, "elsewhere", story, child=children[0], where=what)
        unknown = self._create(resource, {**above, key: UNKNOWN_PARENT}, child_body, "a child of no parent")
        if unknown is not None:
            yield _judged(unknown, "elsewhere", story, child=None, where="a parent id no object has")
        if other is not None and lister is not None:
            yield from self._foreign_lists(resource, lister, other, children, story)
        yield from self._parent_deleted(resource, above, child_body, parent_body)

    def _foreign_lists(
        self,
        resource: Resource,
        lister: Operation,
        other: dict[str, str],
        children: list[str],
        story: list[Exchange],
    ) -> Iterator[Exchange]:
        """The other parent's list, from its start and after each child's own id (a cursor of another
        parent's, which a list paging one table for every parent reads from): none shows a child."""
        after = resource.paging.after
        queries: list[dict[str, str] | None] = [None]
        if after is not None:
            queries += [{after.name: child} for child in children]
        for query in queries:
            said = f", {after.name} a child of the first" if query and after is not None else ""
            label = f"nesting on {resource.label}: the other parent's list{said}"
            listed = self.send(lister, other, None, label=label, query=query)
            if listed is not None:
                items = resource.items_of(listed.received_json) if is_success(listed) else None
                ids = [text_of(value) for value in map(resource.id_of, items or []) if value is not None]
                shown = next((child for child in children if child in ids), children[0])
                yield _judged(listed, "foreign list", story, child=shown, listed=ids)

    def _parent_deleted(  # noqa: PLR0911 (a sequence: each step may end it)
        self, resource: Resource, above: dict[str, str], child_body: Any, parent_body: Any
    ) -> Iterator[Exchange]:
        """A parent of its own, with a child, deleted: the child is no longer reachable."""
        parent = resource.parent
        assert parent is not None
        delete, retrieve = parent.first(Role.DELETE), resource.first(Role.RETRIEVE)
        if delete is None or retrieve is None:
            return
        story = self.world.ancestry(parent, above)
        made = self._create(parent, above, parent_body, "a parent to delete")
        if made is None:
            return
        yield made
        story.append(made)
        doomed = self._item(parent, above, made)
        if doomed is None:
            return
        kid = self._create(resource, doomed, child_body, "its child")
        if kid is None:
            return
        yield kid
        story.append(kid)
        child = self._item(resource, doomed, kid)
        if child is None:
            return
        gone = self.send(delete, doomed, None, label=f"nesting on {resource.label}: delete the parent")
        if gone is None:
            return
        yield gone
        story.append(gone)
        if not is_success(gone):
            return
        self.world.forget(parent, doomed)
        self.world.forget(resource, child)
        label = f"nesting on {resource.label}: the child of the deleted parent"
        asked = self.send(retrieve, child, None, label=label)
        if asked is not None:
            yield _judged(
                asked, "elsewhere", story, child=child[resource.id_parameter], where="a deleted parent"
            )
