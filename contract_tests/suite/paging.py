"""A list walked page by page over objects the run created, as an SDK's auto-pager walks it.

For a resource whose list pages by a size and an `after` cursor: an anchor is created, then a second
later the rest (several in one second, where the clock allows); then the list is walked with a small page
size (the smallest from 2 its schema allows) in each order it declares (`order` asc and desc), each page
from the last id of the one before (ascending from the anchor, descending from the start), until a page
is short or comes past every object made; `has_more` is not trusted to stop the walk, so that a false one
is seen. A page before the anchor (`before`) is read too. What was seen is handed to
`list_pages_consistent` (contract_tests.rules.checks) on the walk's last page: every object reached
exactly once, in the declared direction (objects made in one second in any order among themselves, and
all but the anchor where they do not say when); `has_more` false only where no page follows;
`first_id`/`last_id` the page's ends; a page before the anchor holding only objects that come before it.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contract_tests.api import prose
from contract_tests.api.document import node_at
from contract_tests.api.model import Api, Operation
from contract_tests.api.parameters import text_of
from contract_tests.api.resources import Resource, Role
from contract_tests.rules.exchange import Exchange, Known, Walk
from contract_tests.suite.state import SendStep, World, is_success

CHECK = "list_pages_consistent"
OBJECTS = 5  # made for the walk, after its anchor, where pages of PAGE objects allow
PAGE = 2  # objects per page, where the page size's schema (and its prose) allow
MOST_OBJECTS = 25  # made for one walk, whatever page size the spec asks
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


def page_size(api: Api, resource: Resource) -> int:
    """PAGE, or the nearest size the page size's schema and the bounds its description states allow."""
    limit = resource.paging.limit
    if limit is None or limit.schema_pointer is None:
        return PAGE
    schema = api.prose.values.schema(limit.schema_pointer)
    low, high = schema.get("minimum"), schema.get("maximum")
    size = PAGE
    if isinstance(low, int | float) and not isinstance(low, bool):
        size = max(size, math.ceil(low) + (1 if schema.get("exclusiveMinimum") is True else 0))
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        size = max(size, math.floor(schema["exclusiveMinimum"]) + 1)
    if isinstance(high, int | float) and not isinstance(high, bool) and high >= 1:
        size = min(size, math.floor(high))
    return size


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
    size = page_size(api, resource)
    objects = min(max(OBJECTS, 2 * size + 1), MOST_OBJECTS)  # three pages at least, where it can
    made: list[str] = []
    times: dict[str, float] = {}
    field: tuple[str, str] | None = None
    steps: list[Exchange] = world.ancestry(resource, collection)  # the parents' creates first
    for number in range(objects + 1):
        said = "the anchor the walk starts after" if number == 0 else f"object {number} of {objects}"
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
        if number == 0:
            field = _time_field(api, resource, create, created.received_json)
        at = _time_in(created.received_json, field)
        if at is not None:
            times[made[-1]] = at
        if number == 0:
            # The anchor alone in its second: an object of its second may sort before it (ties broken by
            # id), and so not come after it; alone, it also tells a list in the wrong order. A full second
            # whatever the two clocks say (a server's may be behind ours), and whatever the time it shows:
            # a list may sort by a coarser one (a second-sortable id beside a time in milliseconds).
            time.sleep(1.0)
    walking = Walking(resource, lister, collection, made[0], tuple(made[1:]), tuple(steps), send, times, size)
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
    times: dict[str, float]  # each object's creation time, where it says one
    size: int  # objects per page

    def _query(self, order: str | None, **cursors: str) -> dict[str, str]:
        paging = self.resource.paging
        assert paging.limit is not None
        query = {paging.limit.name: str(self.size), **cursors}
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
        walk = Walk(
            created=self.created, anchor=self.anchor, order=order, cursor=paging.after.name, times=self.times
        )
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
            if not ids or len(ids) < self.size or past or page == MAX_WALK:
                _judged(listed, Known(self.resource.label, None, True, steps=tuple(steps), walk=walk))
                yield listed
                return
            steps.append(listed)
            yield listed
            cursor = ids[-1]

    def before(self, order: str | None) -> Iterator[Exchange]:
        """A page before the anchor: in ascending order, none of the objects made after it; descending,
        some of them (they come first), and none older."""
        paging = self.resource.paging
        if paging.before is None or paging.before not in paging.cursors:
            return
        pivot = self.anchor
        query = self._query(order, **{paging.before.name: pivot})
        listed, ids = self._page(f"paging on {self.resource.label}: a page {paging.before.name} one", query)
        if listed is None:
            return
        if ids is not None:
            walk = Walk(
                created=self.created,
                anchor=self.anchor,
                order=order,
                cursor=paging.before.name,
                pivot=pivot,
                times=self.times,
            )
            walk.pages.append(ids)
            _judged(listed, Known(self.resource.label, None, True, steps=self.steps, walk=walk))
        yield listed


def _time_field(api: Api, resource: Resource, create: Operation, body: Any) -> tuple[str, str] | None:
    """(name, unit) of the field that says when an object was made: one the spec describes as a Unix time
    ("s", "ms") or types as a `date-time` ("iso"), that the request does not give (the server sets it) and
    that the created object holds; the one the list's `order` names first ("by the `created_at`
    timestamp"), then a required one. None where there is none."""
    pointer = create.success.schema_pointer
    if pointer is None or not isinstance(body, dict):
        return None
    values = api.values
    given = set(values.properties(create.body.schema_pointer)) if create.body is not None else set()
    required = values.schema(pointer).get("required") or []
    order = resource.paging.order
    said = ""
    if order is not None:
        said = str(node_at(api.document, order.pointer).get("description", ""))
        said += " " + (prose.description(values.schema(order.schema_pointer)) if order.schema_pointer else "")
    found: list[tuple[bool, bool, str, str]] = []
    for name, place in values.properties(pointer).items():
        schema, types = values.schema(place), values.types(place)
        unit = prose.timestamp_unit(schema, types)
        if unit is None and schema.get("format") == "date-time" and "string" in types:
            unit = "iso"
        if unit is None or name in given or _time_in(body, (name, unit)) is None:
            continue
        named = re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", said) is not None
        found.append((not named, name not in required, name, unit))
    if not found:
        return None
    _, _, name, unit = min(found, key=lambda each: each[:2])
    return name, unit


def _time_in(body: Any, field: tuple[str, str] | None) -> float | None:
    """The object's time in seconds, from the field `_time_field` chose."""
    if field is None or not isinstance(body, dict):
        return None
    name, unit = field
    value = body.get(name)
    if unit == "iso":
        try:
            return datetime.fromisoformat(value).timestamp() if isinstance(value, str) else None
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value / 1000 if unit == "ms" else float(value)


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
