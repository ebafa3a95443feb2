"""The resources a run creates, and the sequences that check what every REST resource owes its clients.

`World` keeps what the run knows: a fixture of each resource (created once, so that every request to
an item operation names something that exists: a body check is then not answered by a 404), what the
last write of each object returned, what was deleted, and what to delete at the end of the run.

`lifecycle` is the sequence each resource with a create goes through, on an object of its own:

    create -> retrieve (it is available, and is what the create returned) -> list (it is listed) ->
    a page after it and one before it (neither shows it) ->
    each update with one field changed (the field comes back, the others are kept) -> retrieve (the
    update is kept) -> delete -> retrieve, update, delete (each 404) -> list (it is not listed)

Each request carries what the run knew when it sent it (`Known`), which the rules of state judge
(contract_tests.rules.checks); a failure shows the requests that led to it.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from contract_tests.api.model import Api, Operation
from contract_tests.api.parameters import text_of
from contract_tests.api.resources import Resource, Role
from contract_tests.api.values import NO_VALUE
from contract_tests.rules.exchange import NOT_JSON, Exchange, Known

MAX_PAGES = 20  # of a list the run reads to find a resource: past it, it cannot tell
CLEANUP_LIMIT = 500  # objects the run deletes at its end, at most
HISTORY_WRITES = 3  # writes of an object a failure's story shows, after its create
SendStep = Callable[..., Exchange | None]


def is_success(exchange: Exchange | None) -> bool:
    return exchange is not None and 200 <= exchange.status < 300


@dataclass
class World:
    """What the run knows of the resources it created."""

    api: Api
    fixtures: dict[int, dict[str, str]] = field(default_factory=dict)  # id(resource) -> its item's path
    failed: set[int] = field(default_factory=set)  # resources whose fixture could not be created
    why: dict[int, str] = field(default_factory=dict)  # id(resource) -> why it has no fixture
    listed: set[int] = field(default_factory=set)  # resources whose fixture a list showed (none created)
    deleted: set[tuple[int, str]] = field(default_factory=set)  # (id(resource), id) the run deleted
    last: dict[tuple[int, str], Any] = field(default_factory=dict)  # what the last write returned
    created: list[tuple[Resource, dict[str, str]]] = field(default_factory=list)  # to delete at the end
    # The requests that made each object what the run believes it is: its create, then its last writes
    # (a failure's story, so that its reproduction stands alone).
    history: dict[tuple[int, str], list[Exchange]] = field(default_factory=dict)

    def collection_path(self, resource: Resource) -> dict[str, str] | None:
        """The values of the collection path's parameters: the parent's fixture (a nested resource)."""
        if resource.parent is None:
            return {}
        parent = self.fixtures.get(id(resource.parent))
        return dict(parent) if parent is not None else None

    def remember(
        self, resource: Resource, path: dict[str, str], body: Any, made: Exchange | None = None
    ) -> dict[str, str] | None:
        """A created object (by `made`): its item path, kept for the cleanup and for reads after writes."""
        key = resource.id_of(body)
        if key is None or isinstance(key, dict | list):
            return None
        item = {**path, resource.id_parameter: text_of(key)}
        self.last[(id(resource), text_of(key))] = body
        if made is not None and len(self.history) < CLEANUP_LIMIT:
            self.history[(id(resource), text_of(key))] = [made]
        if len(self.created) < CLEANUP_LIMIT:
            self.created.append((resource, item))
        return item

    def known(self, resource: Resource, item: dict[str, str], *, exists: bool = True) -> Known:
        key = item.get(resource.id_parameter, "")
        last = self.last.get((id(resource), key), NOT_JSON)
        steps = tuple(self.history.get((id(resource), key), ()))
        return Known(
            resource.label,
            _id_value(resource, last, key),
            exists,
            last=last,
            before=copy.deepcopy(last),
            steps=steps,
        )

    def written(
        self, resource: Resource, item: dict[str, str], body: Any, by: Exchange | None = None
    ) -> None:
        """An update (`by`) of the object answered `body`: what a retrieve must now return."""
        slot = (id(resource), item.get(resource.id_parameter, ""))
        self.last[slot] = body
        story = self.history.get(slot)
        if by is not None and story is not None and not any(step is by for step in story):
            # The create and the writes since: the last few are what a retrieve is judged against.
            story[1:] = [*story[1:], by][-HISTORY_WRITES:]

    def ancestry(self, resource: Resource, path: dict[str, str]) -> list[Exchange]:
        """The creates of the objects above `resource` that `path` names, outermost first (a failure's
        story starts there, so that its reproduction stands alone on a fresh server)."""
        found: list[Exchange] = []
        parent = resource.parent
        while parent is not None:
            story = self.history.get((id(parent), path.get(parent.id_parameter, "")))
            if story:
                found.insert(0, story[0])
            parent = parent.parent
        return found

    def forget(self, resource: Resource, item: dict[str, str]) -> None:
        self.deleted.add((id(resource), item.get(resource.id_parameter, "")))
        self.last.pop((id(resource), item.get(resource.id_parameter, "")), None)
        self.history.pop((id(resource), item.get(resource.id_parameter, "")), None)
        self.created = [
            (owner, path) for owner, path in self.created if not (owner is resource and path == item)
        ]


def _id_value(resource: Resource, body: Any, key: str) -> Any:
    found = resource.id_of(body)
    return found if found is not None else key


def resource_object(api: Api, resource: Resource, op: Operation, body: Any) -> bool:
    """Whether an operation's success body is the resource's object itself (what a retrieve returns)."""
    return op.success.schema_pointer is not None and (
        op.success.schema_pointer == resource.schema_pointer or resource.id_of(body) is not None
    )


def update_body(api: Api, op: Operation, candidates: list[Any], last: Any) -> Any:
    """A valid body for `op` that sets one field to a value the object does not have: the first field
    that a candidate body (spec-derived, valid) sets otherwise than `last`."""
    if op.body is None:
        return None
    validator = api.values.validator(op.body.schema_pointer)
    current = last if isinstance(last, dict) else {}
    for candidate in candidates:
        if not isinstance(candidate, dict):
            continue
        for name, value in candidate.items():
            if current.get(name, NOT_JSON) == value:
                continue
            body = {name: value}
            if validator.is_valid(body):
                return body
    return None


class Sequences:
    """The lifecycle of each resource, sent through the run's `send` (see the module's docstring)."""

    def __init__(
        self, api: Api, world: World, send: SendStep, update_bodies: Callable[[Operation], list[Any]]
    ) -> None:
        self.api = api
        self.world = world
        self.send = send
        self.update_bodies = update_bodies

    def lifecycle(self, resource: Resource, create_body: Any) -> Iterator[Exchange]:  # noqa: PLR0912
        create = resource.first(Role.CREATE)
        collection = self.world.collection_path(resource)
        if create is None or collection is None:
            return
        made = self.send(create, collection, create_body, label=f"sequence on {resource.label}: create")
        if made is None:
            return
        yield made
        item = (
            self.world.remember(resource, collection, made.received_json, made) if is_success(made) else None
        )
        if item is None:
            return
        steps: list[Exchange] = [made]
        last = made.received_json
        retrieve = resource.first(Role.RETRIEVE)
        yield from self._read(resource, retrieve, item, steps, "retrieve after the create")
        yield from self._listed(resource, collection, item, steps, exists=True)
        yield from self._paged_from(resource, collection, item, steps)
        for update in resource.all(Role.UPDATE):
            body = update_body(self.api, update, self.update_bodies(update), last)
            if body is None:
                continue
            known = Known(
                resource.label, resource.id_of(last), True, before=copy.deepcopy(last), steps=tuple(steps)
            )
            changed = self.send(
                update,
                item,
                body,
                label=f"sequence on {resource.label}: {update.operation_id} of one field",
                known=known,
            )
            if changed is None:
                continue
            yield changed
            steps.append(changed)
            if is_success(changed) and resource_object(self.api, resource, update, changed.received_json):
                last = changed.received_json
                self.world.written(resource, item, last, changed)
            yield from self._read(resource, retrieve, item, steps, f"retrieve after {update.operation_id}")
        delete = resource.first(Role.DELETE)
        if delete is None:
            return
        gone = self.send(delete, item, None, label=f"sequence on {resource.label}: delete")
        if gone is None:
            return
        yield gone
        steps.append(gone)
        if not is_success(gone):
            return
        self.world.forget(resource, item)
        for op in (retrieve, *resource.all(Role.UPDATE), *resource.all(Role.REPLACE), delete):
            if op is None:
                continue
            known = Known(resource.label, resource.id_of(last), False, steps=tuple(steps))
            body = update_body(self.api, op, self.update_bodies(op), None) if op.body is not None else None
            after = self.send(
                op,
                item,
                body,
                label=f"sequence on {resource.label}: {op.operation_id} after the delete",
                known=known,
            )
            if after is not None:
                yield after
        yield from self._listed(resource, collection, item, steps, exists=False)

    def _read(
        self,
        resource: Resource,
        retrieve: Operation | None,
        item: dict[str, str],
        steps: list[Exchange],
        what: str,
    ) -> Iterator[Exchange]:
        if retrieve is None:
            return
        known = self.world.known(resource, item)
        known.steps = tuple(steps)
        read = self.send(retrieve, item, None, label=f"sequence on {resource.label}: {what}", known=known)
        if read is not None:
            steps.append(read)
            yield read

    def _paged_from(
        self, resource: Resource, collection: dict[str, str], item: dict[str, str], steps: list[Exchange]
    ) -> Iterator[Exchange]:
        """A page after the object, and one before it: neither shows the object itself."""
        lister = resource.first(Role.LIST)
        wanted = item.get(resource.id_parameter)
        if lister is None or wanted is None:
            return
        for cursor in resource.paging.cursors:
            known = Known(resource.label, wanted, True, steps=tuple(steps), cursor=cursor.name)
            listed = self.send(
                lister,
                collection,
                None,
                label=f"sequence on {resource.label}: list, {cursor.name} the created one",
                known=known,
                query={cursor.name: wanted},
            )
            if listed is None:
                continue
            items = resource.items_of(listed.received_json) if is_success(listed) else None
            if items is None:
                listed.known = None  # nothing to judge the page by: the body checks say why
            else:
                known.listed = tuple(
                    text_of(value) for value in map(resource.id_of, items) if value is not None
                )
            yield listed

    def _listed(
        self,
        resource: Resource,
        collection: dict[str, str],
        item: dict[str, str],
        steps: list[Exchange],
        *,
        exists: bool,
    ) -> Iterator[Exchange]:
        """Page through the list until the object shows (or to the end); the last page carries the ids
        seen, for list_shows_resources."""
        lister = resource.first(Role.LIST)
        if lister is None:
            return
        paging = resource.paging
        query: dict[str, str] = {}
        if paging.limit is not None and paging.limit.schema_pointer is not None:
            schema = self.api.values.schema(paging.limit.schema_pointer)
            size = schema.get("maximum", schema.get("default"))
            if isinstance(size, int):
                query[paging.limit.name] = str(size)
        wanted = item.get(resource.id_parameter)
        seen: list[Any] = []
        what = "created" if exists else "deleted"
        for page in range(1, MAX_PAGES + 1):
            known = Known(resource.label, wanted, exists, steps=tuple(steps))
            listed = self.send(
                lister,
                collection,
                None,
                label=f"sequence on {resource.label}: list, page {page}, after the {what} one",
                known=known,
                query=dict(query),
            )
            if listed is None:
                return
            items = resource.items_of(listed.received_json) if is_success(listed) else None
            if items is None:
                listed.known = None  # nothing to judge the listing by: the body checks say why
                yield listed
                return
            ids = [resource.id_of(entry) for entry in items]
            seen += ids
            found = any(text_of(value) == wanted for value in ids if value is not None)
            more = resource.has_more(listed.received_json)
            cursor = ids[-1] if ids else None
            # The end of the list: no item, `has_more: false`, or a page shorter than the size asked. A full
            # page of a list with no cursor to page on is not its end (more may follow, unreachable): the
            # object not on it is not judged missing.
            short = paging.limit is not None and len(items) < int(query.get(paging.limit.name, "1"))
            unpaged = paging.after is None or cursor is None
            done = (
                not items
                or more is False
                or (more is None and short)
                or (unpaged and more is not True and (paging.limit is None or short))
            )
            if found or done or unpaged or page == MAX_PAGES:
                known.listed = tuple(text_of(value) for value in seen if value is not None)
                known.id = wanted
                known.pages_done = done or found
                yield listed
                return
            listed.known = None  # an intermediate page: judged as any list response
            yield listed
            assert paging.after is not None
            query[paging.after.name] = text_of(cursor)


def unknown_id(api: Api, pointer: str | None) -> str | None:
    """An id valid by a path parameter's schema that no server gave (made up), or None."""
    if pointer is None:
        return "contract-unknown-id-7f3a9c"
    values = api.values
    example = text_of(values.example(pointer))
    schema = values.schema(pointer)
    # A UUID first where the format says so: the validator here does not check formats, a server may.
    uuid = ("7f3a9c00-0000-4000-8000-000000000000",) if schema.get("format") == "uuid" else ()
    plain = ("contract-unknown-id-7f3a9c", f"{example}7f3a9c", "999999937", "7f3a9c")
    # A strict pattern (`^asst_[A-Za-z0-9]{24}$`): the example with a character of its end changed, else
    # a text the pattern allows at the example's length, the least and the most (past 64, 64).
    ends = range(len(example) - 1, max(len(example) - 9, -1), -1)
    changed = (example[:at] + other + example[at + 1 :] for at in ends for other in "07aZ")
    low, high = int(schema.get("minLength", 1)), int(schema.get("maxLength", 64))
    lengths = dict.fromkeys(length for length in (len(example), low, min(high, 64)) if low <= length <= high)
    made = (values.text_of(pointer, length) for length in lengths)
    patterned = itertools.chain(changed, made) if "pattern" in schema else iter(())
    integer = "integer" in values.types(pointer)
    for candidate in itertools.chain(uuid, plain, patterned):
        if candidate is NO_VALUE:
            continue
        value: Any = int(candidate) if integer and candidate.isdigit() else candidate
        if values.is_valid(pointer, value) and text_of(value) != example:
            return text_of(value)
    return None
