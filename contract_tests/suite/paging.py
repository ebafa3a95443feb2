"""A list walked page by page over objects the run created, as an SDK's auto-pager walks it.

For a resource whose list pages by a size and an `after` cursor: an anchor and a few objects are
created one after another (some in the same second), then the list is walked with a small page size in
each order it declares (`order` asc and desc), each page from the last id of the one before (ascending
from the anchor, descending from the start), until a page is short or comes past every object made;
`has_more` is not trusted to stop the walk, so that a false one is seen. A page before an object
(`before`) is read too. What was seen is handed to `list_pages_consistent` (contract_tests.rules.checks)
on the walk's last page: every object reached exactly once, in the declared direction; `has_more` false
only where no page follows; `first_id`/`last_id` the page's ends; a page before an object holding only
objects that come before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from contract_tests.api.model import Api, Operation
from contract_tests.api.parameters import text_of
from contract_tests.api.resources import Resource, Role
from contract_tests.rules.exchange import Exchange, Known, Walk
from contract_tests.suite.state import SendStep, World, is_success

CHECK = "list_pages_consistent"
OBJECTS = 5  # made for the walk, after its anchor
PAGE = 2  # objects per page
MAX_WALK = 12  # pages of one walk, at most


def walkable(resource: Resource) -> bool:
    paging = resource.paging
    return (
        resource.first(Role.CREATE) is not None
        and resource.first(Role.LIST) is not None
        and paging.limit is not None
        and paging.after is not None
        and paging.after in paging.cursors
    )


def _orders(api: Api, resource: Resource) -> list[str | None]:
    order = resource.paging.order
    if order is None or order.schema_pointer is None:
        return [None]
    listed = api.values.schema(order.schema_pointer).get("enum") or []
    return [str(value) for value in listed if str(value).lower() in ("asc", "desc")] or [None]


def walks(api: Api, world: World, send: SendStep, resource: Resource, body: Any) -> Iterator[Exchange]:
    """The objects, then each walk: every exchange the walk sends, the last of each carrying what it saw."""
    collection = world.collection_path(resource)
    create, lister = resource.first(Role.CREATE), resource.first(Role.LIST)
    if collection is None or create is None or lister is None:
        return
    made: list[str] = []
    steps: list[Exchange] = world.ancestry(resource, collection)  # the parents' creates first
    for number in range(OBJECTS + 1):
        said = "the anchor the walk starts after" if number == 0 else f"object {number} of {OBJECTS}"
        created = send(create, collection, body, label=f"paging on {resource.label}: {said}")
        if created is None:
            return
        yield created
        steps.append(created)
        item = None
        if is_success(created):
            item = world.remember(resource, collection, created.received_json, created)
        if item is None:
            return
        made.append(item[resource.id_parameter])
    walking = Walking(resource, lister, collection, made[0], tuple(made[1:]), tuple(steps), send)
    orders = _orders(api, resource)
    for order in orders:
        yield from walking.pages(order)
    yield from walking.before(orders[0])


@dataclass(frozen=True)
class Walking:
    """One resource's walks over the objects made for them (`created`, after the `anchor`)."""

    resource: Resource
    lister: Operation
    collection: dict[str, str]
    anchor: str
    created: tuple[str, ...]
    steps: tuple[Exchange, ...]  # the creates: a walk's failure tells them first
    send: SendStep

    def _query(self, order: str | None, **cursors: str) -> dict[str, str]:
        paging = self.resource.paging
        assert paging.limit is not None
        query = {paging.limit.name: str(PAGE), **cursors}
        if order is not None and paging.order is not None:
            query[paging.order.name] = order
        return query

    def _page(self, label: str, query: dict[str, str]) -> tuple[Exchange | None, tuple[str, ...] | None]:
        listed = self.send(self.lister, self.collection, None, label=label, query=query)
        if listed is None:
            return None, None
        items = self.resource.items_of(listed.received_json) if is_success(listed) else None
        if items is None:
            return listed, None
        return listed, tuple(text_of(value) for value in map(self.resource.id_of, items) if value is not None)

    def pages(self, order: str | None) -> Iterator[Exchange]:
        """Page after page, each after the last id of the one before: ascending from the anchor,
        descending from the start, until a short page or one past every object made."""
        paging = self.resource.paging
        assert paging.after is not None
        walk = Walk(created=self.created, order=order, cursor=paging.after.name)
        cursor = None if (order or "").lower() == "desc" else self.anchor
        ordered = f", {paging.order.name}={order}" if order and paging.order else ""
        steps = list(self.steps)
        for page in range(1, MAX_WALK + 1):
            query = self._query(order, **({paging.after.name: cursor} if cursor else {}))
            listed, ids = self._page(f"paging on {self.resource.label}: page {page}{ordered}", query)
            if listed is None:
                return
            if ids is None:
                yield listed  # nothing to walk: the body checks say why
                return
            walk.pages.append(ids)
            walk.more.append(self.resource.has_more(listed.received_json))
            walk.ends.append(_ends(self.resource, listed.received_json))
            seen = {item for shown in walk.pages for item in shown}
            past = set(self.created) <= seen and not set(ids) & set(self.created)
            if not ids or len(ids) < PAGE or past or page == MAX_WALK:
                _judged(listed, Known(self.resource.label, None, True, steps=tuple(steps), walk=walk))
                yield listed
                return
            steps.append(listed)
            yield listed
            cursor = ids[-1]

    def before(self, order: str | None) -> Iterator[Exchange]:
        """A page before the newest object made (the oldest, descending): only objects that come before it
        in the list's order."""
        paging = self.resource.paging
        if paging.before is None or paging.before not in paging.cursors:
            return
        pivot = self.created[-1] if (order or "").lower() != "desc" else self.created[0]
        query = self._query(order, **{paging.before.name: pivot})
        listed, ids = self._page(f"paging on {self.resource.label}: a page {paging.before.name} one", query)
        if listed is None:
            return
        if ids is not None:
            walk = Walk(created=self.created, order=order, cursor=paging.before.name, pivot=pivot)
            walk.pages.append(ids)
            _judged(listed, Known(self.resource.label, None, True, steps=self.steps, walk=walk))
        yield listed


def _ends(resource: Resource, body: Any) -> tuple[Any, Any] | None:
    """(first id, last id) the page names, where its list body names them."""
    paging = resource.paging
    if paging.first is None or paging.last is None or not isinstance(body, dict):
        return None
    return body.get(paging.first.lstrip("/")), body.get(paging.last.lstrip("/"))


def _judged(listed: Exchange, known: Known) -> None:
    """The walk's last page carries what the walk saw, for list_pages_consistent."""
    listed.known = known
    listed.checks = (*listed.checks, CHECK)
