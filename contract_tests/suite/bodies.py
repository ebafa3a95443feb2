"""Request bodies derived from the spec at run time: every boundary it states, at any depth.

The request schema is walked from its root: every property, array item, map value and key, and every
`oneOf`/`anyOf` branch (a tool kind, say) is a *site*. Each keyword found at a site gives bodies at its
limit (valid) and one step past it (invalid): `minLength`/`maxLength` (in code points: astral-plane
characters at the limit, a combining mark past it), `minItems`/`maxItems`, `minProperties`/
`maxProperties`, `minimum`/`maximum` and their `exclusive` forms, `pattern`, `enum`, `const`, `required`,
a closed object's unknown field, an explicit `null` where it is not allowed and a value of another
JSON type. Each body is the richest request example with only that site changed (the containers a
site needs are built from their own schemas: contract_tests.api.values), and each is confirmed valid or
invalid by the spec's own validator before it is used, so a spec change moves the bodies with it and
never turns one into a false alarm.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from contract_tests.api.document import SpecError
from contract_tests.api.model import Api, Operation
from contract_tests.api.text import LONG, astral, combining, text
from contract_tests.api.validators import matches
from contract_tests.api.values import (
    FORMATTED,
    NO_VALUE,
    WRONG_TYPED,
    Values,
    bounds,
    json_types,
    number_step,
    type_of,
)

MAX_DEPTH = 8  # of sites below the body; recursive schemas stop here
ENUM_VALUES = 8  # enum values sent as valid, at most, per site
UNKNOWN_FIELD = "x_contract_unknown_field"
UNKNOWN_KIND = "x_contract_unknown_kind"
# Strings a pattern is likely to forbid: one is enough, each that the validator confirms is sent.
# "name\n" breaks only an ECMA-262 pattern ending in `$`, the spec's dialect: Python's `$` lets it pass.
_UNLIKELY = ("", "has space", "dot.name", "slash/name", "ünï", "name\n")
_MIXED_TEXT = 'Tutor 数学 🙂 ñ\n"\\\t漢字'
_MISSING: Any = object()

Change = Callable[[Any], Any]  # the value at a site -> the value to put there instead


@dataclass(frozen=True)
class Body:
    """A request body and what it exercises, e.g. "tools at maxItems (128)"."""

    label: str
    value: Any


@dataclass(frozen=True)
class Step:
    """One step from a value into a part of it."""

    kind: str  # "property", "item", "value" (of a map), "key" (of a map) or "branch"
    pointer: str  # of the schema reached
    name: str = ""  # the property, or the branch's label


@dataclass(frozen=True)
class Site:
    """A place in a request body, the schema that applies there, and how to reach it."""

    pointer: str
    steps: tuple[Step, ...]

    @property
    def path(self) -> str:
        """As a server names a field in its errors: `tools[0].function.name`."""
        path = ""
        for step in self.steps:
            if step.kind == "property":
                path += f".{step.name}" if path else step.name
            elif step.kind == "item":
                path += "[0]"
        return path

    @property
    def where(self) -> str:
        """Readable: `tools[0].function.name (in tools[0] of type function)`."""
        path = ""
        kinds = []
        for step in self.steps:
            if step.kind == "property":
                path += f".{step.name}" if path else step.name
            elif step.kind == "item":
                path += "[0]"
            elif step.kind == "value":
                path += " value"
            elif step.kind == "key":
                path += " key"
            else:
                kinds.append(f"{path or 'the body'} of type {step.name}")
        if self.steps and self.steps[-1].kind == "branch":
            return kinds[-1] + (f" (in {', '.join(kinds[:-1])})" if kinds[:-1] else "")
        path = path or "the body"
        return f"{path} (in {', '.join(kinds)})" if kinds else path


@dataclass(frozen=True)
class Variant:
    what: str  # "at maxLength (256)"
    change: Change
    valid: bool
    # False: sent only if the validator agrees, silently left out otherwise (an astral-plane string
    # where a pattern may forbid one); True: a disagreement is counted in the summary.
    expected: bool = True


def _set(value: Any) -> Change:
    return lambda _: copy.deepcopy(value)


class BodyFactory:
    """Builds boundary and invalid bodies from the request schema of an operation, or from any schema
    (a parameter's: `for_schema`)."""

    def __init__(self, api: Api, op: Operation, examples: dict[str, Any] | None = None) -> None:
        if op.body is None:
            raise SpecError(f"{op.operation_id} takes no JSON body")
        self._setup(api.values, op.body.schema_pointer, api.examples(op) if examples is None else examples)

    @classmethod
    def for_schema(cls, values: Values, pointer: str, example: Any) -> BodyFactory:
        """Values at the limits of the schema at `pointer` (a parameter's), around `example`."""
        factory = cls.__new__(cls)
        factory._setup(values, pointer, {"example": example})
        return factory

    def _setup(self, values: Values, root: str, examples: dict[str, Any]) -> None:
        self.values = values
        self.root = root
        self.validator = values.validator(root)
        self.examples = examples
        # The richest example (most fields) is the base every single-site variation starts from.
        candidates = [value for value in self.examples.values() if isinstance(value, dict)]
        if candidates:
            self.base: Any = max(candidates, key=len)
        elif self.examples:
            self.base = next(iter(self.examples.values()))
        else:
            self.base = self.values.example(self.root)
        # Bodies the spec's validator judged otherwise than they were built to be: the summary counts
        # them, so that a spec edit that silently empties a kind of case shows.
        self.dropped: list[str] = []

    # --- the two lists ---------------------------------------------------------------------------

    def valid(self) -> list[Body]:
        """Bodies the spec allows, including every boundary, each confirmed valid."""
        return self._confirmed(self._bodies(valid=True), valid=True)

    def invalid(self) -> list[Body]:
        """Bodies the spec forbids, one rule broken each, each confirmed invalid."""
        return self._confirmed(self._bodies(valid=False), valid=False)

    def _confirmed(self, candidates: Iterator[tuple[Body, bool]], *, valid: bool) -> list[Body]:
        kept = []
        seen = set()
        for body, required in candidates:
            key = json.dumps(body.value, sort_keys=True, default=str)
            if key in seen:
                continue
            seen.add(key)
            if self.validator.is_valid(body.value) == valid:
                kept.append(body)
            elif required:
                self.dropped.append(body.label)
        return kept

    def _bodies(self, *, valid: bool) -> Iterator[tuple[Body, bool]]:
        """(body, whether it must be sent): optional variants (an astral string where a pattern may
        forbid it) are left out silently when the validator disagrees."""
        if valid:
            for name, example in self.examples.items():
                yield Body(f"spec example {name!r}", example), True
            required = self.values.schema(self.root).get("required", [])
            if isinstance(self.base, dict):
                only = {key: self.base[key] for key in required if key in self.base}
                yield Body("required fields only", only), True
            yield from self._unicode_everywhere()
        for site in self.sites():
            for variant in self.variants(site):
                if variant.valid != valid:
                    continue
                value = self.embed(site, variant.change)
                # Inside one of several alternatives, a value that breaks it may still fit another: an
                # invalid variant there is sent only where the validator agrees, without a count.
                branched = not valid and any(step.kind == "branch" for step in site.steps)
                if value is not NO_VALUE:
                    yield (
                        Body(f"{site.where} {variant.what}".strip(), value),
                        variant.expected and not branched,
                    )

    def _unicode_everywhere(self) -> Iterator[tuple[Body, bool]]:
        if not isinstance(self.base, dict):
            return
        body = copy.deepcopy(self.base)
        for name, pointer in self.values.properties(self.root).items():
            schema = self.values.schema(pointer)
            # A format's value stays one of it: a reader may check formats (schemathesis does on answers).
            if "string" in json_types(schema) and not {"pattern", "enum", "const", "format"} & schema.keys():
                sample = _MIXED_TEXT[: int(schema.get("maxLength", len(_MIXED_TEXT)))]
                if self.values.is_valid(pointer, sample):
                    body[name] = sample
        yield Body("unicode in every string field", body), False

    # --- sites -----------------------------------------------------------------------------------

    def sites(self) -> Iterator[Site]:
        yield from self._walk(self.root, (), frozenset())

    def _walk(self, pointer: str, steps: tuple[Step, ...], seen: frozenset[str]) -> Iterator[Site]:
        yield Site(pointer, steps)
        target = list(self.values.chain(pointer))[-1]
        if len(steps) >= MAX_DEPTH or target in seen:
            return
        seen = seen | {target}
        for name, child in self.values.properties(pointer).items():
            yield from self._walk(child, (*steps, Step("property", child, name)), seen)
        extra = self.values.child(pointer, "additionalProperties")
        if extra is not None and self._constrains(extra):
            yield from self._walk(extra, (*steps, Step("value", extra)), seen)
        names = self.values.child(pointer, "propertyNames")
        if names is not None and self._constrains(names):
            yield Site(names, (*steps, Step("key", names)))
        items = self.values.child(pointer, "items")
        if items is not None and "array" in self.values.types(pointer):
            yield from self._walk(items, (*steps, Step("item", items)), seen)
        for label, branch in self.values.branches(pointer):
            yield from self._walk(branch, (*steps, Step("branch", branch, label)), seen)

    def _constrains(self, pointer: str) -> bool:
        node = self.values.node(pointer)
        return bool(self.values.schema(pointer)) and node.get("not") != {}

    # --- putting a value at a site ------------------------------------------------------------------

    def embed(self, site: Site, change: Change) -> Any:
        """The base body with the value at `site` replaced by `change(value there)`, or NO_VALUE when
        the containers the site needs cannot be built."""
        try:
            return self._embed(self.base, self.root, site.steps, change)
        except SpecError:
            return NO_VALUE

    def _embed(self, value: Any, pointer: str, steps: tuple[Step, ...], change: Change) -> Any:
        if not steps:
            return change(copy.deepcopy(value) if value is not _MISSING else _MISSING)
        step, rest = steps[0], steps[1:]
        if step.kind == "branch":
            if value is _MISSING or not self.values.is_valid(step.pointer, value):
                value = self._fitting(step.pointer, value)
            return self._embed(value, step.pointer, rest, change)
        if step.kind == "property":
            container = dict(value) if isinstance(value, dict) else self.values.minimal_object(pointer)
            inner = container.get(step.name, _MISSING)
            if inner is _MISSING and rest:
                inner = self.values.minimal(step.pointer)
            changed = self._embed(inner, step.pointer, rest, change)
            if changed is _MISSING:
                container.pop(step.name, None)
            else:
                container[step.name] = changed
            return container
        if step.kind == "item":
            items = list(value) if isinstance(value, list) else []
            next_branch = rest[0].pointer if rest and rest[0].kind == "branch" else None
            index = next(
                (
                    i
                    for i, item in enumerate(items)
                    if next_branch and self.values.is_valid(next_branch, item)
                ),
                0,
            )
            inner = items.pop(index) if index < len(items) else self.values.minimal(step.pointer)
            # First, so that the label's `[0]` is where the change is.
            return [self._embed(inner, step.pointer, rest, change), *items]
        if step.kind == "value":
            mapping = dict(value) if isinstance(value, dict) else {}
            key = self._free_key(pointer, mapping)
            mapping[key] = self._embed(self.values.minimal(step.pointer), step.pointer, rest, change)
            return self._within_size(pointer, mapping, keep=key)
        # "key": the value at the site is a key of the map; its value is the simplest one allowed.
        mapping = dict(value) if isinstance(value, dict) else {}
        key = change(self._free_key(pointer, mapping))
        extra = self.values.child(pointer, "additionalProperties")
        mapping[key] = self.values.minimal(extra) if extra and self._constrains(extra) else "v"
        return self._within_size(pointer, mapping, keep=key)

    def _fitting(self, branch: str, value: Any) -> Any:
        """A value of the branch: the one given if it fits, else one built from the branch's schema."""
        if value is not _MISSING and self.values.is_valid(branch, value):
            return value
        return self.values.example(branch)

    def _free_key(self, pointer: str, mapping: dict[str, Any]) -> str:
        names = self.values.child(pointer, "propertyNames")
        base = self.values.minimal(names) if names and self._constrains(names) else "key"
        for candidate in (base or "key", "key", "k", "x"):
            if candidate not in mapping and (not names or self.values.is_valid(names, candidate)):
                return str(candidate)
        return str(base)

    def _within_size(self, pointer: str, mapping: dict[str, Any], keep: str) -> dict[str, Any]:
        limit = self.values.schema(pointer).get("maxProperties")
        while isinstance(limit, int) and len(mapping) > limit:
            mapping.pop(next(key for key in mapping if key != keep))
        return mapping

    # --- what each keyword gives ---------------------------------------------------------------------

    def variants(self, site: Site) -> Iterator[Variant]:
        schema = self.values.schema(site.pointer)
        types = self.values.types(site.pointer)
        is_key = bool(site.steps) and site.steps[-1].kind == "key"
        if site.steps and site.steps[-1].kind == "branch":
            yield Variant("", lambda value: value, True)  # the branch as the base or its schema has it
        if "string" in types or is_key:
            yield from self._string_variants(schema, site)
        if not is_key:
            if {"number", "integer"} & set(types):
                yield from self._number_variants(schema, integer="number" not in types)
            if "array" in types:
                yield from self._array_variants(schema, site)
            if "object" in types:
                yield from self._object_variants(schema, site)
            yield from self._enum_variants(schema)
            if site.steps:
                yield from self._type_variants(types)
        discriminator = self.values.discriminator(site.pointer)
        if discriminator is not None:
            name, known = discriminator
            unknown = next(
                candidate for candidate in (UNKNOWN_KIND, UNKNOWN_KIND + "_2") if candidate not in known
            )
            yield Variant(
                f"with {name} {json.dumps(unknown)} (no known kind)",
                lambda value: {**value, name: unknown} if isinstance(value, dict) else {name: unknown},
                False,
            )

    def _string_variants(self, schema: dict[str, Any], site: Site) -> Iterator[Variant]:
        longest = schema.get("maxLength")
        shortest = schema.get("minLength")
        if schema.get("format") in FORMATTED:
            return  # text at a length limit is no value of its format: such a body is neither valid nor not
        if isinstance(longest, int):
            at = f"at maxLength ({longest})"
            yield Variant(at, _set(self._text_of(site, longest)), True)
            if "pattern" not in schema:
                # Two UTF-16 units, four UTF-8 bytes each: a server counting either rejects it.
                yield Variant(f"{at} in astral-plane characters", _set(astral(longest)), True, expected=False)
            yield Variant(f"over maxLength ({longest + 1})", _set(self._text_of(site, longest + 1)), False)
            if longest >= 1 and "pattern" not in schema:
                # One code point fewer after NFC, one grapheme fewer: a server counting either accepts it.
                yield Variant(
                    f"over maxLength ({longest + 1} code points, {longest} after NFC: a combining mark)",
                    _set(combining(longest + 1)),
                    False,
                )
        if isinstance(shortest, int) and shortest > 0:
            yield Variant(f"at minLength ({shortest})", _set(self._text_of(site, shortest)), True)
            yield Variant(f"under minLength ({shortest - 1})", _set(self._text_of(site, shortest - 1)), False)
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            for bad in _UNLIKELY:
                if not matches(pattern, bad):
                    yield Variant(f"not matching its pattern ({json.dumps(bad)})", _set(bad), False)
            # ECMA-262's `$` is the very end: a matching value with a newline after it does not match.
            example = self.values.example(site.pointer)
            if isinstance(example, str) and not matches(pattern, example + "\n"):
                yield Variant(
                    f"not matching its pattern ({json.dumps(example + chr(10))})", _set(example + "\n"), False
                )

    def _text_of(self, site: Site, length: int) -> str:
        """`length` code points of non-ASCII text, or of text the pattern allows."""
        found = self.values.text_of(site.pointer, max(length, 0))
        return found if isinstance(found, str) else text(max(length, 0))

    def _number_variants(self, schema: dict[str, Any], *, integer: bool) -> Iterator[Variant]:
        low, high = bounds(schema)
        step = number_step(schema, integer=integer)
        for bound, side in ((low, "minimum"), (high, "maximum")):
            if bound is None:
                continue
            limit, exclusive = bound
            sign = -1 if side == "minimum" else 1
            keyword = f"exclusive{side[0].upper()}{side[1:]}" if exclusive else side
            inside = limit - sign * step if exclusive else limit
            outside = limit if exclusive else limit + sign * step
            yield Variant(f"at {keyword} ({_number(limit)}): {_number(inside)}", _set(inside), True)
            past = "below" if side == "minimum" else "above"
            yield Variant(f"{past} {keyword} ({_number(limit)}): {_number(outside)}", _set(outside), False)
        if not integer:
            return
        # Where the schema states no bound, what servers of fixed-width integers misread or refuse: a
        # negative number, one past 32 bits (2**32 + 1 reads as 1 there), one past 64 bits.
        if low is None:
            yield Variant("negative, with no minimum: -1", _set(-1), True)
        if high is None:
            for bits in (32, 64):
                yield Variant(f"past {bits} bits, with no maximum: {2**bits + 1}", _set(2**bits + 1), True)

    def _array_variants(self, schema: dict[str, Any], site: Site) -> Iterator[Variant]:
        items = self.values.child(site.pointer, "items")
        longest, shortest = schema.get("maxItems"), schema.get("minItems")
        if isinstance(longest, int):
            yield Variant(f"at maxItems ({longest})", lambda value: self._items(items, value, longest), True)
            yield Variant(
                f"over maxItems ({longest + 1})", lambda value: self._items(items, value, longest + 1), False
            )
        if isinstance(shortest, int) and shortest > 0:
            yield Variant(
                f"at minItems ({shortest})", lambda value: self._items(items, value, shortest), True
            )
            yield Variant(
                f"under minItems ({shortest - 1})",
                lambda value: self._items(items, value, shortest - 1),
                False,
            )
        elif longest != 0:
            yield Variant("empty", _set([]), True)
        if schema.get("uniqueItems") is True:
            yield Variant(
                "with a repeated item", lambda value: self._items(items, value, 2, distinct=False), False
            )

    def _items(self, items: str | None, value: Any, count: int, *, distinct: bool = True) -> list[Any]:
        """`count` items: the ones at the site and one of every branch of the item schema, in turn.
        Strings (a function's name, say) are made distinct where the schema lets them."""
        pool = (
            [item for item in value if items is None or self.values.is_valid(items, item)]
            if isinstance(value, list)
            else []
        )
        if items is not None:
            for _, branch in self.values.branches(items):
                try:
                    variant = self.values.example(branch)
                except SpecError:
                    continue
                if self.values.is_valid(items, variant):
                    pool.append(variant)
            if not pool:
                pool.append(self.values.minimal(items))
        pool = pool or ["x"]
        chosen = [copy.deepcopy(pool[index % len(pool)]) for index in range(count)]
        if not distinct or items is None:
            return chosen
        # Which strings of each pooled item may carry a number (not an enum value, say): tried once.
        markable = [self._markable(items, item) for item in pool]
        for index, item in enumerate(chosen):
            for path in markable[index % len(pool)]:
                _put(item, path, _numbered(_get(item, path), index))
        return chosen

    def _markable(self, pointer: str, item: Any) -> list[tuple[str | int, ...]]:
        found = []
        for path in _string_paths(item):
            marked = copy.deepcopy(item)
            _put(marked, path, _numbered(_get(marked, path), 0))
            if self.values.is_valid(pointer, marked):
                found.append(path)
        return found

    def _object_variants(self, schema: dict[str, Any], site: Site) -> Iterator[Variant]:
        for name in schema.get("required", []):
            yield Variant(
                f"without required {name!r}",
                functools.partial(_without, name),
                False,
            )
        properties = set(schema.get("properties", {}))
        # A known field's name in another case: unknown where the object is closed, and its own field then
        # missing where required. Go's encoding/json matches names ignoring case, and takes it.
        for name in [*schema.get("required", []), *sorted(properties)][:1]:
            shifted = name.swapcase() if name.swapcase() != name else None
            if shifted and shifted not in properties:
                # Where the body lacks the field (an update's), the variant changes nothing: left out.
                yield Variant(
                    f"with {name!r} named {shifted!r}",
                    functools.partial(_renamed, name, shifted),
                    False,
                    expected=False,
                )
        if schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False:
            unknown = next(name for name in (UNKNOWN_FIELD, UNKNOWN_FIELD + "_2") if name not in properties)
            yield Variant(
                f"with an unknown field {unknown!r}",
                lambda value: {**value, unknown: "x"} if isinstance(value, dict) else value,
                False,
            )
        largest, smallest = schema.get("maxProperties"), schema.get("minProperties")
        extra = self.values.child(site.pointer, "additionalProperties")
        if extra is not None and not isinstance(self.values.node(extra), dict):
            extra = None  # `true`: free-form values, or `false`: the properties alone
        if isinstance(largest, int):
            yield Variant(
                f"at maxProperties ({largest}), longest keys and values",
                lambda value: self._mapping(site.pointer, extra, largest, longest=True),
                True,
            )
            yield Variant(
                f"over maxProperties ({largest + 1})",
                lambda value: self._mapping(site.pointer, extra, largest + 1, longest=False),
                False,
            )
        if isinstance(smallest, int) and smallest > 0:
            yield Variant(
                f"under minProperties ({smallest - 1})",
                lambda value: self._mapping(site.pointer, extra, smallest - 1, longest=False),
                False,
            )

    def _mapping(self, pointer: str, extra: str | None, count: int, *, longest: bool) -> dict[str, Any]:
        names = self.values.child(pointer, "propertyNames")
        key_length = int(self.values.schema(names).get("maxLength", 16)) if names else 16
        value: Any = "v"
        if extra is not None:
            value = self.values.largest(extra) if longest else self.values.minimal(extra)
        length = key_length if longest else min(key_length, 8)
        mapping = {}
        for index in range(count):
            key = f"{index:03d}{text(length)}"[: max(length, 3)]
            mapping[key] = copy.deepcopy(value)
        return mapping

    def _enum_variants(self, schema: dict[str, Any]) -> Iterator[Variant]:
        if "const" in schema:
            yield Variant(f"= its const {json.dumps(schema['const'])}", _set(schema["const"]), True)
            yield Variant(
                f"other than its const {json.dumps(schema['const'])}", _set(_other(schema["const"])), False
            )
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            for value in enum[:ENUM_VALUES]:
                yield Variant(f"= {json.dumps(value, ensure_ascii=False)} (an enum value)", _set(value), True)
            yield Variant("not one of its enum values", _set(_other(*enum)), False)

    def _type_variants(self, types: tuple[str, ...]) -> Iterator[Variant]:
        if "null" in types:
            yield Variant("explicitly null", _set(None), True)
        else:
            yield Variant("null (not nullable)", _set(None), False)
        wrong = next(
            (
                value
                for kind in types
                for value in WRONG_TYPED.get(kind, ())
                if value is not None and type_of(value) not in types
            ),
            None,
        )
        if wrong is not None:
            yield Variant(
                f"of the wrong JSON type ({type_of(wrong)}: {json.dumps(wrong)})", _set(wrong), False
            )


def _numbered(value: str, index: int) -> str:
    """`value` ending in `index`, as long as it was where it was long enough (a name stays a name)."""
    return f"{value[: max(len(value) - 4, 1)]}{index:04d}" if value else value


def _string_paths(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, str) and path:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _string_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, (*path, index))


def _get(value: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _put(value: Any, path: tuple[str | int, ...], new: Any) -> None:
    _get(value, path[:-1])[path[-1]] = new


def _renamed(name: str, other: str, value: Any) -> Any:
    """`value` with the property `name` under the name `other` (its value kept, or built if absent)."""
    if not isinstance(value, dict) or name not in value:
        return value
    return {other if key == name else key: item for key, item in value.items()}


def _without(name: str, value: Any) -> Any:
    return {key: item for key, item in value.items() if key != name} if isinstance(value, dict) else value


def _other(*values: Any) -> Any:
    """A value of the same JSON type as the first that is none of `values`."""
    first = values[0]
    candidate: Any
    if isinstance(first, str):
        candidate = "not-" + "-".join(str(value) for value in values)[:40]
    elif isinstance(first, bool):
        candidate = not first
    elif isinstance(first, int | float):
        candidate = max(value for value in values if isinstance(value, int | float)) + 1
    else:
        candidate = "x_contract_other"
    return candidate if candidate not in values else "x_contract_other"


def _number(value: float) -> str:
    return json.dumps(value)


__all__ = ["LONG", "Body", "BodyFactory", "Site", "text"]
