"""The structural difference of two OpenAPI documents: one Change per edit, located by JSON pointer.

The diff knows a few things about OpenAPI, so that one edit is one change:

* a property and its entry in `required` are one field, so adding, removing or (un)requiring a field
  is one change at ``.../properties/<name>``;
* the items of `oneOf`, `anyOf`, `allOf`, `parameters`, `security`, `servers` and `tags` are told
  apart by what they are (a `$ref`, a parameter's `in` and `name`), not by their position: a new or
  removed item is one change at the list (``.../oneOf``), listing what was added and removed, as for
  an `enum`; a reordering changes nothing;
* a part that exists only for another change goes with it: a new (or removed) component that only
  that change's new (or removed) parts refer to (one that two changes refer to is a change of its
  own), and a discriminator `mapping` entry added, removed or repointed for the `oneOf` branches
  that change adds or removes. So a new tool type (its schema, its `oneOf` entry and its `mapping`
  entry) is one change at ``.../AssistantTool/oneOf``, and so is a tool schema renamed with every
  reference to it.

Everything else is compared key by key; lists of scalars (`enum`, `type`, `required`) compare as a
whole, and other lists of objects item by item when their lengths agree, else as a whole.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from contract_tests.api.document import escape_pointer
from contract_tests.compat.document import (
    DOCUMENTATION_KEYWORDS,
    is_within,
    meaning,
    parent,
    segments,
    unannotated,
)

# Lists whose items are matched by what they are, not by their position (their order means nothing).
UNORDERED_LISTS = frozenset({"oneOf", "anyOf", "allOf", "parameters", "security", "servers", "tags"})
_BRANCH_LISTS = ("oneOf", "anyOf")
_DATA_KEYWORDS = frozenset({"default", "enum", "const", "example", "examples"})
_COMPONENT_NOUNS = {
    "schemas": "schema",
    "parameters": "parameter",
    "responses": "response",
    "requestBodies": "request body",
    "headers": "header",
    "examples": "example",
    "securitySchemes": "security scheme",
    "links": "link",
    "callbacks": "callback",
    "pathItems": "path item",
}
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()  # the old value of an addition, the new value of a removal


@dataclass(frozen=True)
class Change:
    pointer: str  # where, in the newer document (in the older one for a removal)
    old: Any
    new: Any
    field_required: bool | None = None  # for a field (a schema property): required in the newer spec
    # For a list whose items are matched by identity: the positions of the new items in `new` and of
    # the removed items in `old`.
    added: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
    parts: tuple[Change, ...] = ()  # the changes that exist only for this one (folded into it)
    same_meaning: bool = False  # a schema written another way (a `$ref` to an equal one): same values

    @property
    def is_field(self) -> bool:
        return self.field_required is not None

    @property
    def is_list_of_items(self) -> bool:
        return bool(self.added or self.removed)

    @property
    def pointers(self) -> tuple[str, ...]:
        """The places of this change and of every part folded into it."""
        return (self.pointer, *(pointer for part in self.parts for pointer in part.pointers))

    @property
    def is_documentation(self) -> bool:
        """True for an edit of a description, summary, example or the like, which no code sees."""
        parts = segments(self.pointer)
        if parts and parts[0] in ("info", "tags"):
            return True
        return any(
            part in DOCUMENTATION_KEYWORDS and (index == 0 or parts[index - 1] != "properties")
            for index, part in enumerate(parts)
        )

    def summary(self) -> str:
        """What changed, in a few words, with the parts folded into it."""
        own = self._own_summary()
        # Mapping entries, then components, whatever their order in the document.
        members = sorted(
            list(_members(self))[1:], key=lambda part: (_is_component(part.pointer), part.pointer)
        )
        parts = [member._part_summary() for member in members]
        return f"{own}, with {' and '.join(parts)}" if parts else own

    def _own_summary(self) -> str:
        if self.same_meaning:
            target = self.new.get("$ref") if isinstance(self.new, dict) else None
            where = f"a $ref to {_label(self.new)}" if isinstance(target, str) else "inline"
            return f"now {where}, the same schema"
        if self.is_field:
            requirement = "required" if self.field_required else "optional"
            if self.new is ABSENT:
                return "field removed"
            return f"field added ({requirement})" if self.old is ABSENT else f"field now {requirement}"
        if self.is_list_of_items:
            added = [f"+{_label(self.new[index])}" for index in self.added]
            return ", ".join([*added, *(f"-{_label(self.old[index])}" for index in self.removed)])
        if self.old is ABSENT or self.new is ABSENT:
            is_addition = self.old is ABSENT
            return _added_or_removed(
                segments(self.pointer), self.new if is_addition else self.old, is_addition
            )
        return _edited(segments(self.pointer), self.old, self.new)

    def _part_summary(self) -> str:
        parts = segments(self.pointer)
        new = self.old is ABSENT
        if len(parts) == 3 and parts[0] == "components":
            noun = _COMPONENT_NOUNS.get(parts[1], parts[1])
            return f"new {noun} {parts[2]}" if new else f"{noun} {parts[2]} removed"
        if parts[-2:-1] == ["mapping"]:
            edited = " removed" if self.new is ABSENT else ("" if new else " edited")
            return f"mapping {json.dumps(parts[-1])}{edited}"
        return f"{self._own_summary()} at {self.pointer}"


def diff(older: Any, newer: Any) -> list[Change]:
    """Every change from `older` to `newer`, in document order, each part folded into its change."""
    changes: list[Change] = []
    _walk(older, newer, "", changes, (older, newer))
    return _fold(changes, older, newer)


def _walk(old: Any, new: Any, pointer: str, changes: list[Change], roots: tuple[Any, Any]) -> None:
    if old == new:
        return
    if _same_schema_written_otherwise(old, new, roots):
        changes.append(Change(pointer, old, new, same_meaning=True))
        return
    if isinstance(old, dict) and isinstance(new, dict):
        _walk_object(old, new, pointer, changes, roots)
    elif _is_unordered_list(pointer, old, new):
        _walk_items(old, new, pointer, changes, roots)
    elif _is_list_of_containers(old) and _is_list_of_containers(new) and len(old) == len(new):
        for index, (old_item, new_item) in enumerate(zip(old, new, strict=True)):
            _walk(old_item, new_item, f"{pointer}/{index}", changes, roots)
    elif not (_is_list_of_scalars(old) and _is_list_of_scalars(new) and set(old) == set(new)):
        changes.append(Change(pointer, old, new))  # reordering a list of scalars changes nothing


def _walk_object(
    old: dict[str, Any], new: dict[str, Any], pointer: str, changes: list[Change], roots: tuple[Any, Any]
) -> None:
    fields_compared = _is_object_schema(old) or _is_object_schema(new)
    if fields_compared:
        _walk_fields(old, new, pointer, changes, roots)
    for key in [*new, *(key for key in old if key not in new)]:
        if fields_compared and key in ("properties", "required"):
            continue
        child = f"{pointer}/{escape_pointer(str(key))}"
        if key not in old:
            changes.append(Change(child, ABSENT, new[key]))
        elif key not in new:
            changes.append(Change(child, old[key], ABSENT))
        else:
            _walk(old[key], new[key], child, changes, roots)


def _same_schema_written_otherwise(old: Any, new: Any, roots: tuple[Any, Any]) -> bool:
    """A schema replaced by a `$ref` to an equal one, or the reverse, or a `$ref` to another component
    equal to the first: the same values, written another way (documentation aside)."""
    if not (isinstance(old, dict) and isinstance(new, dict)) or old.get("$ref") == new.get("$ref"):
        return False
    if not isinstance(old.get("$ref", new.get("$ref")), str):
        return False
    return meaning(roots[0], old) == meaning(roots[1], new)


def _walk_items(
    old: list[Any], new: list[Any], pointer: str, changes: list[Change], roots: tuple[Any, Any]
) -> None:
    """Compare two lists whose items are told apart by their identity, whatever their order.

    Items of the same identity are compared in depth (at their position in `new`). Of the rest, inline
    items without an identity of their own pair up in order when as many were removed as added (an
    edited inline `oneOf` branch is an edit, not a removal and an addition); the others make one
    change at the list.
    """
    old_keys, new_keys = [_identity(item) for item in old], [_identity(item) for item in new]
    old_at = {key: index for index, key in enumerate(old_keys)}
    pairs = [(old_at[key], index) for index, key in enumerate(new_keys) if key in old_at]
    new_at = set(new_keys)
    added = [index for index, key in enumerate(new_keys) if key not in old_at]
    removed = [index for index, key in enumerate(old_keys) if key not in new_at]
    inline_added = [index for index in added if new_keys[index][0] == "value"]
    inline_removed = [index for index in removed if old_keys[index][0] == "value"]
    if inline_added and len(inline_added) == len(inline_removed):
        pairs += list(zip(inline_removed, inline_added, strict=True))
        added = [index for index in added if index not in inline_added]
        removed = [index for index in removed if index not in inline_removed]
    if added or removed:
        changes.append(Change(pointer, old, new, added=tuple(added), removed=tuple(removed)))
    for old_index, new_index in sorted(pairs, key=lambda pair: pair[1]):
        _walk(old[old_index], new[new_index], f"{pointer}/{new_index}", changes, roots)


def _identity(item: Any) -> tuple[str, ...]:
    """What an item of an unordered list is: a `$ref` target, a parameter, else its whole value."""
    if isinstance(item, dict):
        if isinstance(item.get("$ref"), str):
            return ("$ref", item["$ref"])
        if isinstance(item.get("name"), str) and isinstance(item.get("in"), str):
            return ("parameter", item["in"], item["name"])
    # An inline item is what it accepts: a description or default edited inside it is an edit of it.
    return ("value", json.dumps(unannotated(item), sort_keys=True, default=str))


def _is_unordered_list(pointer: str, old: Any, new: Any) -> bool:
    """A list of UNORDERED_LISTS whose items are each distinct (else it is compared by position)."""
    parts = segments(pointer)
    if not parts or parts[-1] not in UNORDERED_LISTS or (len(parts) > 1 and parts[-2] == "properties"):
        return False
    if _DATA_KEYWORDS.intersection(parts):
        return False  # a value inside an example or a default: data, whose order may matter
    if not (isinstance(old, list) and isinstance(new, list)):
        return False
    return all(len({_identity(item) for item in items}) == len(items) for items in (old, new))


def _walk_fields(
    old: dict[str, Any], new: dict[str, Any], pointer: str, changes: list[Change], roots: tuple[Any, Any]
) -> None:
    """Compare the fields (properties and their `required` entries) of two object schemas."""
    old_fields, new_fields = _fields(old), _fields(new)
    for name in [*new_fields, *(name for name in old_fields if name not in new_fields)]:
        child = f"{pointer}/properties/{escape_pointer(name)}"
        old_field, old_required = old_fields.get(name, (ABSENT, False))
        new_field, new_required = new_fields.get(name, (ABSENT, False))
        if old_field is ABSENT or new_field is ABSENT:
            changes.append(Change(child, old_field, new_field, field_required=new_required))
            continue
        if old_required != new_required:
            changes.append(Change(child, old_field, new_field, field_required=new_required))
        _walk(old_field, new_field, child, changes, roots)


def _fields(schema: dict[str, Any]) -> dict[str, tuple[Any, bool]]:
    """Each field name: its schema (ABSENT for a name only in `required`) and whether it is required."""
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    required = schema.get("required")
    required = required if isinstance(required, list) else []
    names = [*properties, *(name for name in required if name not in properties)]
    return {name: (properties.get(name, {}), name in required) for name in names}


# Folding: a part that exists only for another change goes into that change.


def _fold(changes: list[Change], older: Any, newer: Any) -> list[Change]:
    """The changes with each discriminator mapping entry and component folded into the change it serves."""
    changes = list(changes)
    # Every reference of each document, found once: a published spec has thousands of them.
    references = (_references(older), _references(newer))
    # Pass after pass, until one folds nothing: a part folded into a change may make that change the
    # host of another part.
    folded = True
    while folded:
        folded = False
        index = 0
        while index < len(changes):
            change = changes[index]
            host = _host(change, [other for other in changes if other is not change], references)
            if host is None:
                index += 1
                continue
            at = next(position for position, other in enumerate(changes) if other is host)
            changes[at] = dataclasses.replace(host, parts=(*host.parts, change))
            del changes[index]
            folded = True
    return changes


def _host(change: Change, others: list[Change], references: tuple[_References, _References]) -> Change | None:
    """The change that `change` exists only for, if any."""
    if change.is_field or change.is_list_of_items:
        return None
    parts = segments(change.pointer)
    if "discriminator" in parts[:-1] or parts[-1:] == ["discriminator"]:
        return _branch_host(change, parts, others)
    if (change.old is ABSENT) == (change.new is ABSENT):
        return None  # of other parts, only whole additions and removals are folded
    is_addition = change.old is ABSENT
    if _is_component(change.pointer):
        referrers = [
            where
            for where in _references_to(references[is_addition], change.pointer)
            if not is_within(where, change.pointer)
        ]
        hosts = [_covering(where, others, is_addition) for where in referrers]
        found = [host for host in hosts if host is not None]
        if referrers and len(found) == len(hosts):
            # A discriminator mapping entry is itself a part of the branch it maps to; a component that
            # two other changes refer to is a part of neither (each would claim what the other does).
            main = {id(host): host for host in found if "discriminator" not in segments(host.pointer)}
            if len(main) <= 1:
                return next(iter(main.values()), found[0])
    return None


def _branch_host(change: Change, parts: list[str], others: list[Change]) -> Change | None:
    """The change of a schema's branches that a change of its discriminator (a mapping entry added,
    removed or pointed at a renamed branch) only follows."""
    schema = "/" + "/".join(escape_pointer(part) for part in parts[: parts.index("discriminator")])
    added = set(_strings_of_refs(change.new)) if change.new is not ABSENT else set()
    removed = set(_strings_of_refs(change.old)) if change.old is not ABSENT else set()
    added, removed = added - removed, removed - added
    if not (added or removed):
        return None
    branch_lists = [
        other
        for other in others
        if parent(other.pointer) == schema and segments(other.pointer)[-1] in _BRANCH_LISTS
    ]
    return next(
        (
            other
            for other in branch_lists
            if added <= _branches(other, True) and removed <= _branches(other, False)
        ),
        None,
    )


def _branches(change: Change, is_addition: bool) -> set[str]:
    """The `$ref`s of the branches a change of a oneOf or anyOf adds (or removes)."""
    items = change.new if is_addition else change.old
    if change.is_list_of_items:
        indexes: Sequence[int] = change.added if is_addition else change.removed
    elif isinstance(items, list) and (change.old is ABSENT if is_addition else change.new is ABSENT):
        indexes = range(len(items))  # the whole list of branches added or removed
    else:
        return set()
    return {_identity(items[index])[-1] for index in indexes}


def _covering(where: str, changes: list[Change], is_addition: bool) -> Change | None:
    """The change whose new (or, for a removal, old) parts include the place `where`."""
    for change in changes:
        if any(_covers(member, where, is_addition) for member in _members(change)):
            return change
    return None


def _is_component(pointer: str) -> bool:
    parts = segments(pointer)
    return len(parts) == 3 and parts[0] == "components"


def _members(change: Change) -> Iterator[Change]:
    yield change
    for part in change.parts:
        yield from _members(part)


def _covers(change: Change, where: str, is_addition: bool) -> bool:
    if change.is_list_of_items:
        indexes = change.added if is_addition else change.removed
        return any(is_within(where, f"{change.pointer}/{index}") for index in indexes)
    if change.is_field and change.old is not ABSENT and change.new is not ABSENT:
        return False  # a field made (not) required: its contents are compared on their own
    present = change.new if is_addition else change.old
    return present is not ABSENT and is_within(where, change.pointer)


_References = dict[str, list[tuple[str, str]]]


def _references(document: Any) -> _References:
    """Each place that refers to another part of the document, with the pointer it refers to (every
    local `$ref` and every discriminator mapping value), by the top part referred to (a component)."""
    found: _References = {}
    pending: list[tuple[Any, str, bool]] = [(document, "", False)]
    while pending:
        node, pointer, is_mapping = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                child = f"{pointer}/{escape_pointer(str(key))}"
                is_ref = key == "$ref" or is_mapping
                if is_ref and isinstance(value, str) and value.startswith("#"):
                    found.setdefault(_top(value[1:]), []).append((child, value[1:]))
                pending.append((value, child, key == "mapping"))
        elif isinstance(node, list):
            pending.extend((item, f"{pointer}/{index}", False) for index, item in enumerate(node))
    return found


def _references_to(references: _References, target: str) -> list[str]:
    """The places that refer to the part at `target` (or inside it)."""
    return sorted(
        where for where, referred in references.get(_top(target), ()) if is_within(referred, target)
    )


def _top(pointer: str) -> str:
    """The component a pointer is in (`/components/schemas/Thing`), or its first three tokens."""
    return "/".join(pointer.split("/")[:4])


def _strings_of_refs(value: Any) -> Iterator[str]:
    """Every string in `value` that is a local reference (a mapping's values, a `$ref`)."""
    if isinstance(value, str) and value.startswith("#/"):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_of_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_of_refs(item)


# Summaries.


def _added_or_removed(parts: list[str], value: Any, is_addition: bool) -> str:
    """The summary of a whole part added or removed: an operation, a response, a component, or a value."""
    verb = "added" if is_addition else "removed"
    if parts[:1] == ["paths"] and len(parts) == 2:
        methods = [method for method in _HTTP_METHODS if isinstance(value, dict) and method in value]
        if not methods:
            return f"path {verb}: {parts[1]}"
        noun = "operations" if len(methods) > 1 else "operation"
        return f"{noun} {verb}: " + ", ".join(f"{method.upper()} {parts[1]}" for method in methods)
    if parts[:1] == ["paths"] and len(parts) == 3 and parts[2] in _HTTP_METHODS:
        return f"operation {verb}: {parts[2].upper()} {parts[1]}"
    if parts[:1] == ["paths"] and len(parts) == 5 and parts[3] == "responses":
        return f"response {verb}: {parts[4]}"
    if parts[:1] == ["components"] and len(parts) == 3:
        return f"{_COMPONENT_NOUNS.get(parts[1], parts[1])} {verb}: {parts[2]}"
    return f"{verb}: {_short(value)}"


def _edited(parts: list[str], old: Any, new: Any) -> str:
    """The summary of a value replaced by another."""
    if parts[-1:] == ["enum"] and isinstance(old, list) and isinstance(new, list):
        added = [f"+{_short(value)}" for value in new if value not in old]
        return ", ".join([*added, *(f"-{_short(value)}" for value in old if value not in new)])
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > 30:
        return "text edited"
    if isinstance(old, list) and isinstance(new, list) and _is_list_of_containers(old):
        return f"list edited ({len(old)} -> {len(new)} items)"
    return f"{_short(old)} -> {_short(new)}"


def _label(item: Any) -> str:
    """An item of an unordered list, in a word: the name its `$ref` points to, a parameter, or its value."""
    kind, *rest = _identity(item)
    if kind == "$ref":
        return segments(rest[0][1:])[-1] if rest[0].startswith("#") else rest[0]
    if kind == "parameter":
        return f"{rest[0]} parameter {rest[1]}"
    return _short(item)


def _is_object_schema(node: dict[str, Any]) -> bool:
    return isinstance(node.get("properties"), dict) or isinstance(node.get("required"), list)


def _is_list_of_containers(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict | list) for item in value)


def _is_list_of_scalars(value: Any) -> bool:
    return isinstance(value, list) and not _is_list_of_containers(value)


def _short(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, _Absent) else "-"
    return text if len(text) <= limit else text[: limit - 3] + "..."
