"""The places in a document that a Specmatic finding names, and the changes it is about.

Specmatic says where a finding is in two ways: the scenario that met it (an operation and a response
status) with a breadcrumb (``REQUEST.BODY.tools[0] (when FunctionTool object).function``), and a line
and column. The line and column belong to whichever document Specmatic was reading, often a sibling
branch of the part that changed, and may fall on an unrelated key of the other document; the
breadcrumb names a route through the schemas. So the route is followed, in each document:

* its start: the operation's request body, a parameter, a response body or header, or, for a finding
  without a breadcrumb ("This API exists in the new contract but not in the old"), the response of its
  scenario, else the operation;
* then one step per part of the breadcrumb: a property, an array's items (``[0]``, and implied where
  Specmatic leaves it out in responses), a branch of a ``oneOf``/``anyOf`` (``(when Name object)``, or
  ``(when object 2)``: the second); a property is looked for through items and ``allOf``, ``oneOf``
  and ``anyOf`` branches, and what was passed through on the way is part of the step it left.

A step's place is where its part is written and where its ``$ref``s lead. The finding is about the
changes at its deepest place: one that holds the place (a field or schema added or removed with it)
or lies inside it; failing any, the changes that decide the route at a step above (a ``type``, an
``items``, a ``$ref``, the branches of a ``oneOf`` the route goes through), deepest first; failing
those, a change anywhere the deepest place refers to. Of several at the deepest place, those of the
kind the finding's rule is about (a property's presence, a type, ...). Nothing else: a finding that
matches no change is its own row, never another change's reason.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from contract_tests.api.document import escape_pointer
from contract_tests.compat.diff import ABSENT, Change
from contract_tests.compat.document import is_within, parent, reached_from, resolve, segments
from contract_tests.compat.specmatic import Finding

# Keywords of a schema on the route that decide where the route goes, or what the part there may be.
_ROUTE_KEYWORDS = frozenset(
    {"type", "$ref", "items", "oneOf", "anyOf", "allOf", "additionalProperties", "enum", "const"}
    | {"nullable", "discriminator", "not", "format"}
)
_UNIONS = ("oneOf", "anyOf", "allOf")
_TYPE_KEYWORDS = frozenset({"type", "enum", "const", "format", "items", "$ref", "oneOf", "anyOf", "allOf"})
# What each Specmatic rule (by id, else by its first two characters) is about, as the last keyword of a
# change's pointer: R1001 a type, R1002 a value, R1003 a limit or pattern, R2xxx a property's presence,
# R3xxx the branches of a union.
_RULE_TOPICS = {
    "R1001": _TYPE_KEYWORDS,
    "R1002": frozenset({"enum", "const", "$ref", "type", "oneOf", "anyOf", "allOf"}),
    "R1003": frozenset(
        {"pattern", "format", "maxLength", "minLength", "maximum", "minimum", "exclusiveMaximum"}
        | {"exclusiveMinimum", "maxItems", "minItems", "maxProperties", "minProperties", "multipleOf"}
    ),
    "R2": frozenset({"required", "properties", "additionalProperties"}),
    "R3": frozenset({"oneOf", "anyOf", "allOf", "discriminator", "mapping", "propertyName"}),
}
_TOKEN = re.compile(r"\[(\d+)\]|\s*\(when ([^)]*)\)|\.?([^.\[(]+)")
_BY_INDEX = re.compile(r"object (\d+)")
_MOST_STEPS_THROUGH = 8  # schemas passed through looking for one property (items, branches, parts)


@dataclass(frozen=True)
class Match:
    """The changes a finding is about (their indexes), and the place it names (for a row of its own)."""

    changes: tuple[int, ...]
    place: str | None


def match(
    finding: Finding,
    changes: Sequence[Change],
    candidates: Iterable[int],
    documents: Sequence[dict[str, Any]],
) -> Match:
    """The changes among `candidates` that `finding` is about, in `documents` (the older and newer)."""
    routes = [route for route in (_route(finding, document) for document in documents) if route]
    if not routes:
        return Match((), None)
    depth = max(len(route) for route in routes)
    steps = [
        frozenset().union(*(route[index][1] for route in routes if index < len(route)))
        for index in range(depth)
    ]
    entries = frozenset().union(*(route[depth - 1][0] for route in routes if len(route) == depth))
    place = min(entries, key=lambda pointer: (len(segments(pointer)), pointer))
    candidates = list(candidates)
    # A component added or removed as a whole changes no request or response by itself, the changes
    # that refer to it do: it is what a finding is about only when none of those (or any other) is.
    whole = [index for index in candidates if _is_whole_component(changes[index])]
    for group in ([index for index in candidates if index not in whole], whole):
        for tier in _tiers(finding, steps, entries, documents):
            found = [index for index in group if tier(changes[index])]
            if found:
                about = [index for index in found if _is_about(finding.rule, changes[index])]
                return Match(tuple(about or found), place)
    return Match((), place)


def _tiers(
    finding: Finding,
    steps: list[frozenset[str]],
    entries: frozenset[str],
    documents: Sequence[dict[str, Any]],
) -> Iterator[Callable[[Change], bool]]:
    """The tests a change may pass to be what the finding is about, nearest first."""
    # A finding of a property's presence (R2xxx) is about a change of that property as a whole (added,
    # removed, made required), never one inside it; of a value or type, about one there or inside.
    inside = not finding.rule.startswith("R2")
    # The deepest place as written, then where its `$ref`s lead (a component that another field refers
    # to as well is the other field's only through the `$ref`).
    yield lambda change: _holds(change, entries) or (inside and _inside(change, entries))
    yield lambda change: _holds(change, steps[-1]) or (inside and _inside(change, steps[-1]))
    for step in reversed(steps[:-1]):
        yield functools.partial(_decides, places=step)
    if inside:
        referred = _reached(documents, steps[-1])
        yield lambda change: _holds(change, referred) or _inside(change, referred)
    # A value that matches no branch of a union fails the branch the finding names because another
    # branch changed: the changes anywhere in the branches of a union on the route, deepest first.
    for step in reversed(steps[:-1]):
        branches = _reached(documents, _unions(documents, step))
        if branches:
            yield functools.partial(_inside, places=branches)


def match_at(finding: Finding, changes: Sequence[Change], candidates: Iterable[int], place: str) -> Match:
    """The changes among `candidates` that hold the place at `place` or lie inside it (for a finding
    without a route, placed by its line and column)."""
    found = [index for index in candidates if _holds_or_inside(changes[index], [place])]
    about = [index for index in found if _is_about(finding.rule, changes[index])]
    return Match(tuple(about or found), place)


def _holds_or_inside(change: Change, places: Iterable[str]) -> bool:
    places = list(places)
    return _holds(change, places) or _inside(change, places)


def _holds(change: Change, places: Iterable[str]) -> bool:
    """Whether the change is at one of `places` or holds it (a field or schema added or removed with it;
    of a list, the items it adds or removes, not those it keeps)."""
    return any(is_within(place, where) for where in _held(change) for place in places)


def _held(change: Change) -> Iterator[str]:
    if change.is_list_of_items:
        yield from (f"{change.pointer}/{index}" for index in sorted({*change.added, *change.removed}))
    else:
        yield change.pointer
    for part in change.parts:
        yield from _held(part)


def _inside(change: Change, places: Iterable[str]) -> bool:
    return any(is_within(where, place) for where in change.pointers for place in places)


def _is_whole_component(change: Change) -> bool:
    parts = segments(change.pointer)
    whole = change.old is ABSENT or change.new is ABSENT
    return whole and len(parts) == 3 and parts[0] == "components" and not change.is_field


def _reached(documents: Sequence[dict[str, Any]], places: Iterable[str]) -> set[str]:
    """The places, and everything their `$ref`s lead to, transitively, in any of the documents."""
    places = list(places)
    return set().union(*(reached_from(document, place) for document in documents for place in places))


def _unions(documents: Sequence[dict[str, Any]], places: frozenset[str]) -> set[str]:
    """The `oneOf` and `anyOf` lists of the schemas at `places`."""
    return {
        f"{place}/{keyword}"
        for document in documents
        for place in places
        for keyword in ("oneOf", "anyOf")
        if isinstance(_schema(document, place).get(keyword), list)
    }


def _decides(change: Change, places: frozenset[str]) -> bool:
    """Whether the change holds one of `places`, or edits what decides the route there: a keyword such
    as `type` or `items`, or the branches of a union (the list, a branch, or such a keyword of one)."""
    for where in change.pointers:
        if any(is_within(place, where) for place in places):
            return True
        parts = segments(where)
        for place in places:
            if not is_within(where, place) or where == place:
                continue
            below = parts[len(segments(place)) :]
            if len(below) == 1 and below[0] in _ROUTE_KEYWORDS:
                return True
            if below[0] in _UNIONS and (len(below) <= 2 or (len(below) == 3 and below[2] in _ROUTE_KEYWORDS)):
                return True
    return False


def _is_about(rule: str, change: Change) -> bool:
    """Whether `change` is of the kind Specmatic's `rule` speaks of (R2001: a field's presence, ...)."""
    topic = _RULE_TOPICS.get(rule) or _RULE_TOPICS.get(rule[:2], frozenset())
    if rule.startswith("R2") and change.is_field:
        return True
    return bool(topic.intersection(segments(change.pointer)[-1:]))


# The route of a finding through one document.


def _route(finding: Finding, document: dict[str, Any]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """Each step of the finding's route in `document`: where its part is written, and its place (that,
    where its `$ref`s lead, and what the route passed through from there). Empty without a start."""
    start, tokens = _start(finding, document)
    if not start:
        return []
    steps = [(set(start), set(start))]
    for kind, value in tokens:
        places = steps[-1][1]
        if kind == "branch":
            found = _branches(document, places, value)
        else:
            found, passed = (
                _items(document, places) if kind == "index" else _property(document, places, value)
            )
            places |= passed
        if not found:
            break
        steps.append((found, _with_targets(document, found)))
    return [(frozenset(entries), frozenset(places)) for entries, places in steps]


def _start(finding: Finding, document: dict[str, Any]) -> tuple[set[str], list[tuple[str, str]]]:
    """The places where the finding's route starts, and the rest of its breadcrumb as tokens."""
    if finding.operation is None:
        return set(), []
    path, method, status = finding.operation
    operation = f"/paths/{escape_pointer(path)}/{method}"
    if not isinstance(resolve(document, operation), dict):
        return set(), []
    status = "default" if status == "1000" else status  # Specmatic numbers the default response 1000
    response = f"{operation}/responses/{escape_pointer(status)}" if status else ""
    has_response = bool(response) and resolve(document, response) is not None
    head, kind, rest = [*finding.breadcrumb.split(".", 2), "", ""][:3]
    if kind in ("PARAMETERS", "HEADER"):
        location, _, rest = rest.partition(".") if kind == "PARAMETERS" else ("", "", rest)
    tokens = _tokens(rest)
    name = tokens[0][1] if tokens and tokens[0][0] == "name" else ""
    places: set[str] = set()
    if not finding.breadcrumb:
        # "This API exists in one contract but not the other": the response of its scenario, or the
        # operation itself when the document has no such response.
        places = {response if has_response else operation}
    elif head == "REQUEST" and kind == "PARAMETERS" and name:
        places, tokens = _parameter(document, operation, location.lower(), name), tokens[1:]
    elif head == "REQUEST":
        places = _bodies(document, f"{operation}/requestBody", kind)
    elif head == "RESPONSE" and has_response and kind == "HEADER" and name:
        header = f"{_target(document, response)}/headers/{escape_pointer(name)}"
        places = _with_targets(document, [header, f"{_target(document, header)}/schema"])
        tokens = tokens[1:]
    elif head == "RESPONSE" and has_response:
        places = _bodies(document, response, kind)
    return places, tokens


def _tokens(text: str) -> list[tuple[str, str]]:
    """("name", "tools"), ("index", "0"), ("branch", "FunctionTool object"), ... of a breadcrumb's rest."""
    tokens = []
    for index, branch, name in _TOKEN.findall(text):
        if index:
            tokens.append(("index", index))
        elif branch:
            tokens.append(("branch", branch.strip()))
        elif name.strip():
            tokens.append(("name", name.strip().rstrip("?")))  # Specmatic marks an optional part "name?"
    return tokens


def _bodies(document: dict[str, Any], holder: str, kind: str) -> set[str]:
    """The schemas of a request body's or response's media types of the breadcrumb's kind (BODY: JSON,
    MULTIPART-FORMDATA: multipart, ...), with the places that lead to them."""
    target = _target(document, holder)
    content = _schema(document, f"{target}/content")
    media_types = [media for media in content if isinstance(content.get(media), dict)]
    if kind == "BODY":
        chosen = [media for media in media_types if "json" in media] or media_types
    else:
        chosen = [
            media for media in media_types if media.startswith(kind.lower().split("-")[0])
        ] or media_types
    found = {holder, target}
    for media in chosen:
        found |= _with_targets(document, [f"{target}/content/{escape_pointer(media)}/schema"])
    return found


def _parameter(document: dict[str, Any], operation: str, location: str, name: str) -> set[str]:
    """The parameter of that location and name, of the operation or its path item, and its schema."""
    found: set[str] = set()
    for holder in (f"{operation}/parameters", f"{parent(operation)}/parameters"):
        items = resolve(document, holder)
        for index in range(len(items) if isinstance(items, list) else 0):
            where = f"{holder}/{index}"
            target = _target(document, where)
            node = _schema(document, target)
            same_name = str(node.get("name", "")).lower() == name.lower()
            if same_name and str(node.get("in", "")).lower() == location:
                found |= _with_targets(document, [where]) | _with_targets(document, [f"{target}/schema"])
    return found


def _property(document: dict[str, Any], places: set[str], name: str) -> tuple[set[str], set[str]]:
    """The places of property `name` of the schemas at `places` (looked for through items and the
    parts and branches of unions), and the schemas passed through to reach it."""

    def named(node: str, schema: dict[str, Any]) -> str | None:
        properties = schema.get("properties")
        has = isinstance(properties, dict) and name in properties
        return f"{node}/properties/{escape_pointer(name)}" if has else None

    return _search(document, places, named, through_items=True)


def _items(document: dict[str, Any], places: set[str]) -> tuple[set[str], set[str]]:
    """The items of the arrays at `places` (looked for through the parts and branches of unions: a
    `oneOf` of a string and an array of parts), and the schemas passed through to reach them."""

    def items(node: str, schema: dict[str, Any]) -> str | None:
        return f"{node}/items" if isinstance(schema.get("items"), dict) else None

    return _search(document, places, items, through_items=False)


def _search(
    document: dict[str, Any],
    places: set[str],
    pick: Callable[[str, dict[str, Any]], str | None],
    through_items: bool,
) -> tuple[set[str], set[str]]:
    """What `pick` finds in the schemas at `places` or, where it finds nothing, in the parts and
    branches of their unions (and their items), and the schemas passed through to reach it."""
    found: set[str] = set()
    passed: set[str] = set()
    pending: list[tuple[str, tuple[str, ...]]] = [(node, ()) for node in _nodes(document, places)]
    seen: set[str] = set()
    while pending:
        node, way = pending.pop()
        if node in seen or len(way) > _MOST_STEPS_THROUGH:
            continue
        seen.add(node)
        schema = _schema(document, node)
        picked = pick(node, schema)
        if picked is not None:
            found.add(picked)
            passed.update(way)
            continue
        inner = [f"{node}/items"] if through_items and isinstance(schema.get("items"), dict) else []
        for keyword in _UNIONS:
            branches = schema.get(keyword)
            inner += [
                f"{node}/{keyword}/{index}"
                for index in range(len(branches) if isinstance(branches, list) else 0)
            ]
        for step in inner:
            for target in _with_targets(document, [step]):
                pending.append((target, (*way, step, target)))
    return found, passed


def _branches(document: dict[str, Any], places: set[str], said: str) -> set[str]:
    """The branches of the unions at `places` that a `(when ...)` names: `Name object` by the name of the
    schema it refers to (or its title), none when this document has no such branch; `object 2` by
    position; all of them when it says neither."""
    branches = []
    for node in _nodes(document, places):
        schema = _schema(document, node)
        for keyword in ("oneOf", "anyOf"):
            items = schema.get(keyword)
            branches += [
                f"{node}/{keyword}/{index}" for index in range(len(items) if isinstance(items, list) else 0)
            ]
    by_index = _BY_INDEX.fullmatch(said)
    if by_index:
        position = int(by_index.group(1)) - 1
        by_position = {branch for branch in branches if segments(branch)[-1] == str(position)}
        return by_position or set(branches)
    if not said.endswith(" object"):
        return set(branches)
    name = said.removesuffix(" object")
    return {branch for branch in branches if _names(document, branch, name)}


def _names(document: dict[str, Any], branch: str, name: str) -> bool:
    node = _schema(document, branch)
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.rsplit("/", 1)[-1] == name:
        return True
    return _schema(document, _target(document, branch)).get("title") == name


def _nodes(document: dict[str, Any], places: Iterable[str]) -> list[str]:
    """The schemas at `places`: each place, its `$ref`s followed."""
    return sorted({_target(document, place) for place in places})


def _with_targets(document: dict[str, Any], places: Iterable[str]) -> set[str]:
    """Each place, and every place its chain of `$ref`s leads to."""
    found: set[str] = set()
    for place in places:
        found.add(place)
        seen: set[str] = set()
        ref = _schema(document, place).get("$ref")
        while isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
            seen.add(ref)
            found.add(ref[1:])
            ref = _schema(document, ref[1:]).get("$ref")
    return found


def _target(document: dict[str, Any], place: str) -> str:
    """Where the chain of `$ref`s from `place` ends (`place` itself when it is not a `$ref`)."""
    seen: set[str] = set()
    ref = _schema(document, place).get("$ref")
    while isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
        seen.add(ref)
        place = ref[1:]
        ref = _schema(document, place).get("$ref")
    return place


def _schema(document: dict[str, Any], place: str) -> dict[str, Any]:
    node = resolve(document, place)
    return node if isinstance(node, dict) else {}
