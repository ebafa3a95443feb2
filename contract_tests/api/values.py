"""Valid JSON values built from the spec's schemas alone, each confirmed by the spec's validator.

Wherever the project needs a value the spec allows and no request or example gives one, it comes
from here: the response fields a server fills in, the containers a boundary body needs around the
value it exercises, the largest body a client must carry, a tool of a kind no example shows. A
schema is addressed by its JSON pointer into the document, so that validation is exact (`$ref`s,
siblings of `$ref`, `oneOf` and all) and a spec edit moves every value with it.
"""

from __future__ import annotations

import copy
import functools
import math
import re
from collections.abc import Iterator
from typing import Any

import jsonschema

from contract_tests.api.document import SpecError, escape_pointer, node_at
from contract_tests.api.text import astral, text
from contract_tests.api.validators import ecma_regex, inlined_validator, matches

NO_VALUE: Any = object()  # a schema admits nothing this module can build
MAX_DEPTH = 12  # recursive schemas: past this depth only what the schema's own examples give
# Where the schema sets no size, the largest value still has some content to carry.
UNBOUNDED_ITEMS = 3
LARGE_DEPTH = 3  # the largest value fills lists and maps to their maximum this deep, past it to their minimum
# The most a largest value may weigh, in characters and values (an astral character counts one, though
# it is twelve bytes of escaped JSON): a schema of lists of unions of lists fills to a size no server
# takes (one real spec's body, 147 MB). Past it, lists and maps are filled less deep, down to none; past
# that (optional parts alone too heavy), the schema's example.
LARGEST_SIZE = 2_000_000
UNBOUNDED_TEXT = 24
# Characters a pattern's matching string is padded with to reach a length: the likeliest allowed first.
_FILLERS = ("a", "0", "A", "x", "-", "_", " ")
JSON_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
# A value of each JSON type, to put where the schema wants another: the likeliest confusion first.
WRONG_TYPED: dict[str, tuple[Any, ...]] = {
    "string": (7, None),
    "number": ("7", None),
    "integer": (1.5, "7", None),
    "boolean": ("true", None),
    "array": ({}, None),
    "object": ([], None),
    "null": ("x",),
}


# A value of each common string format (JSON Schema 2020-12, 7.3), where a schema names one.
FORMATTED = {
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri": "https://example.com/",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "duration": "P1D",
    "byte": "eA==",
}


def json_types(schema: dict[str, Any]) -> tuple[str, ...]:  # noqa: PLR0911 (a return per keyword)
    """The JSON types a schema's own keywords allow (all of them when it says nothing)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(declared)
    if "const" in schema:
        return (type_of(schema["const"]),)
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return tuple(dict.fromkeys(type_of(value) for value in schema["enum"]))
    if "properties" in schema or "required" in schema or "additionalProperties" in schema:
        return ("object",)
    if "items" in schema or "prefixItems" in schema:
        return ("array",)
    return JSON_TYPES


def type_of(value: Any) -> str:
    """The JSON type of a Python value read from JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


class Values:
    """Values and facts of the schemas of one OpenAPI document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._validators: dict[str, jsonschema.Validator] = {}
        self._minimal: dict[str, Any] = {}
        self._largest: dict[str, Any] = {}
        self._sizes: dict[str, int] = {}
        self._every: dict[str, dict[str, str]] = {}
        # Readings by pointer: the document does not change once loaded, and the checks ask the same
        # questions of every response (a proxy judges thousands a second). Each answer is a copy.
        self._schemas: dict[str, dict[str, Any]] = {}
        self._wheres: dict[tuple[str, str], str | None] = {}
        self._properties: dict[str, dict[str, str]] = {}
        self._branches: dict[str, list[tuple[str, str]]] = {}

    # --- reading schemas -------------------------------------------------------------------------

    def node(self, pointer: str) -> dict[str, Any]:
        found = node_at(self.document, pointer)
        if isinstance(found, bool):
            return {} if found else {"not": {}}
        if not isinstance(found, dict):
            raise SpecError(f"the spec has no schema at {pointer}")
        return found

    def document_node(self, pointer: str) -> Any:
        """The raw node at `pointer` (`true`, `false` or a schema object)."""
        return node_at(self.document, pointer)

    def chain(self, pointer: str) -> Iterator[str]:
        """`pointer`, then each node its chain of local `$ref`s leads to."""
        seen = set()
        while True:
            yield pointer
            ref = self.node(pointer).get("$ref")
            if not isinstance(ref, str):
                return
            if not ref.startswith("#") or ref in seen:
                raise SpecError(f"cannot follow $ref {ref!r} at {pointer}: only local, acyclic chains")
            seen.add(ref)
            pointer = ref[1:]

    def schema(self, pointer: str) -> dict[str, Any]:
        """The keywords that apply at `pointer`: its own, over those of the schemas its `$ref`s name;
        `required` is every node's (a 3.1 `$ref`'s siblings add to its target, as `allOf` would)."""
        if pointer not in self._schemas:
            merged: dict[str, Any] = {}
            required: dict[Any, None] = {}
            for where in reversed(list(self.chain(pointer))):
                node = self.node(where)
                merged.update({key: value for key, value in node.items() if key != "$ref"})
                if isinstance(node.get("required"), list):
                    required.update(dict.fromkeys(name for name in node["required"] if isinstance(name, str)))
            if required:
                merged["required"] = list(required)
            self._schemas[pointer] = merged
        return dict(self._schemas[pointer])

    def where(self, pointer: str, keyword: str) -> str | None:
        """The pointer of `keyword` at `pointer` (its own, else the first of its `$ref` chain's)."""
        if (pointer, keyword) not in self._wheres:
            found = None
            for where in self.chain(pointer):
                if keyword in self.node(where):
                    found = f"{where}/{escape_pointer(keyword)}"
                    break
            self._wheres[(pointer, keyword)] = found
        return self._wheres[(pointer, keyword)]

    def child(self, pointer: str, keyword: str, *names: str | int) -> str | None:
        base = self.where(pointer, keyword)
        if base is None:
            return None
        return base + "".join(f"/{escape_pointer(str(name))}" for name in names)

    def properties(self, pointer: str) -> dict[str, str]:
        """Property name -> pointer of its schema: those of every node of its `$ref` chain (OpenAPI 3.1
        lets a `$ref` have siblings: `{$ref: Base, properties: {extra: ...}}` has Base's and its own), a
        node's own over those of what it refers to."""
        if pointer not in self._properties:
            found: dict[str, str] = {}
            for where in reversed(list(self.chain(pointer))):
                names = self.node(where).get("properties")
                if isinstance(names, dict):
                    base = f"{where}/properties"
                    found.update({name: f"{base}/{escape_pointer(name)}" for name in names})
            self._properties[pointer] = found
        return dict(self._properties[pointer])

    def every_property(self, pointer: str) -> dict[str, str]:
        """Its properties and those of its `allOf` parts and `oneOf`/`anyOf` branches, at any depth, the
        first found of a name kept: what any shape of the value may carry."""
        if pointer not in self._every:
            found: dict[str, str] = {}
            pending, seen = [pointer], {pointer}
            while pending:
                here = pending.pop(0)
                for name, where in self.properties(here).items():
                    found.setdefault(name, where)
                count = len(self.schema(here).get("allOf", []))
                parts = [f"{self.where(here, 'allOf')}/{index}" for index in range(count)]
                for inner in [*parts, *(branch for _, branch in self.branches(here))]:
                    if inner not in seen:
                        seen.add(inner)
                        pending.append(inner)
            self._every[pointer] = found
        return dict(self._every[pointer])

    def branches(self, pointer: str) -> list[tuple[str, str]]:
        """(label, pointer) of each `oneOf`/`anyOf` alternative; the label is its discriminator value
        (e.g. "function"), else the name of the component it refers to, else its position."""
        if pointer not in self._branches:
            schema = self.schema(pointer)
            found = []
            for keyword in ("oneOf", "anyOf"):
                for index, branch in enumerate(schema.get(keyword, [])):
                    where = f"{self.where(pointer, keyword)}/{index}"
                    found.append((self.branch_label(pointer, where, branch, index), where))
            self._branches[pointer] = found
        return list(self._branches[pointer])

    def branch_label(self, parent: str, where: str, branch: Any, index: int) -> str:
        discriminator = self.schema(parent).get("discriminator", {}).get("propertyName")
        if isinstance(discriminator, str):
            tag = self.properties(where).get(discriminator)
            if tag is not None:
                tag_schema = self.schema(tag)
                values = [tag_schema["const"]] if "const" in tag_schema else tag_schema.get("enum", [])
                if len(values) == 1 and isinstance(values[0], str):
                    return values[0]
        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
            return str(branch["$ref"]).rsplit("/", 1)[-1]
        return f"alternative {index + 1}"

    def discriminator(self, pointer: str) -> tuple[str, set[str]] | None:
        """(property name, its known values) of a `oneOf`/`anyOf` told apart by a property."""
        schema = self.schema(pointer)
        name = schema.get("discriminator", {}).get("propertyName")
        if not isinstance(name, str):
            return None
        known = set(schema.get("discriminator", {}).get("mapping", {}))
        known |= {label for label, _ in self.branches(pointer)}
        return name, known

    def types(self, pointer: str) -> tuple[str, ...]:
        """The JSON types the schema at `pointer` allows, its `oneOf`/`anyOf` branches' where it says
        nothing itself."""
        schema = self.schema(pointer)
        own = json_types(schema)
        branches = self.branches(pointer)
        if own != JSON_TYPES or not branches:
            return own
        found: dict[str, None] = {}
        for _, branch in branches:
            found.update(dict.fromkeys(self.types(branch)))
        return tuple(found)

    # --- validating ------------------------------------------------------------------------------

    def forbidden_required(self, pointer: str) -> tuple[str, ...]:
        """The names the object schema at `pointer` requires and also forbids (not among its properties,
        `additionalProperties: false`, no `patternProperties`): a flaw no value keeps (a published spec's
        run creates required a `thread_id` they did not declare)."""
        schema = self.schema(pointer)
        if schema.get("additionalProperties") is not False or schema.get("patternProperties"):
            return ()
        known = self.properties(pointer)
        return tuple(
            name for name in schema.get("required", []) if isinstance(name, str) and name not in known
        )

    def validator(self, pointer: str) -> jsonschema.Validator:
        if pointer not in self._validators:
            self._validators[pointer] = inlined_validator(pointer, self.document)
        return self._validators[pointer]

    def is_valid(self, pointer: str, value: Any) -> bool:
        return value is not NO_VALUE and bool(self.validator(pointer).is_valid(value))

    # --- the simplest value --------------------------------------------------------------------

    def minimal(self, pointer: str) -> Any:
        """A small valid value of the schema at `pointer`: its own example or default where it has one,
        else the simplest value of its first non-null type. SpecError when none can be built."""
        value = self._simple(pointer, 0)
        if value is NO_VALUE:
            raise SpecError(
                f"no value could be built for the schema at {pointer}: it may admit none; if it does, give"
                " it a valid `example`"
            )
        return copy.deepcopy(value)

    def minimal_object(self, pointer: str) -> dict[str, Any]:
        """The simplest object of the schema at `pointer`, where its simplest value is another (a nullable
        object whose default is null): the container a value deeper inside it needs. SpecError if none."""
        value = self.minimal(pointer)
        if isinstance(value, dict):
            return value
        built = self._merged_object([pointer], 0)
        if not isinstance(built, dict) or not self.is_valid(pointer, built):
            raise SpecError(f"no object could be built for the schema at {pointer}")
        return copy.deepcopy(built)

    def example(self, pointer: str) -> Any:
        """The spec's own example of the schema at `pointer` (its default, examples, const), else minimal."""
        for candidate in self._given(self.schema(pointer)):
            if self.is_valid(pointer, candidate):
                return copy.deepcopy(candidate)
        return self.minimal(pointer)

    def _first_valid(self, pointer: str, candidates: Iterator[Any]) -> Any:
        for candidate in candidates:
            if self.is_valid(pointer, candidate):
                return candidate
        return NO_VALUE

    @staticmethod
    def _given(schema: dict[str, Any]) -> Iterator[Any]:
        if "const" in schema:
            yield schema["const"]
        if "default" in schema:
            yield schema["default"]
        if isinstance(schema.get("examples"), list):
            yield from schema["examples"]
        if "example" in schema:
            yield schema["example"]
        if isinstance(schema.get("enum"), list):
            yield from schema["enum"]

    def _simple_candidates(self, pointer: str, depth: int) -> Iterator[Any]:
        schema = self.schema(pointer)
        yield from self._given(schema)
        if depth > MAX_DEPTH:
            return
        branches = [branch for _, branch in self.branches(pointer)]
        for branch in branches:
            yield self._simple(branch, depth + 1)
        parts = [f"{self.where(pointer, 'allOf')}/{i}" for i in range(len(schema.get("allOf", [])))]
        built = [self._simple(part, depth + 1) for part in parts]
        if built and all(isinstance(part, dict) for part in built):
            yield functools.reduce(lambda merged, part: {**merged, **part}, built, {})
        # A part's own value may satisfy the whole (`allOf: [{$ref: a oneOf of a string and an object},
        # {nullable: true}]`): each is tried, the whole schema judging it.
        yield from (part for part in built if part is not NO_VALUE)
        # A branch or part that only adds `required` (`oneOf: [{required: [a]}, {required: [b]}]`) says
        # which of the object's own properties must be there: built from them all together.
        if "object" in json_types(schema) or branches or parts:
            for chosen in [[branch] for branch in branches] or [[]]:
                yield self._merged_object([pointer, *parts, *chosen], depth)
        types = json_types(schema)
        for kind in sorted(types, key=lambda kind: kind == "null"):  # null last: a value says more
            yield from self._of_type(pointer, schema, kind, depth)

    def _simple(self, pointer: str, depth: int) -> Any:
        if pointer not in self._minimal:
            value = self._first_valid(pointer, self._simple_candidates(pointer, depth))
            if value is NO_VALUE:
                return value  # not remembered: a shallower attempt may still find one
            self._minimal[pointer] = value
        return self._minimal[pointer]

    def _of_type(self, pointer: str, schema: dict[str, Any], kind: str, depth: int) -> Iterator[Any]:
        if kind == "null":
            yield None
        elif kind == "boolean":
            yield False
        elif kind in ("integer", "number"):
            yield from _numbers(schema, integer=kind == "integer")
        elif kind == "string":
            length = max(int(schema.get("minLength", 0)), 0)
            # A format the project does not assert is still one a reader may check (schemathesis does on
            # responses): a value of it first.
            if isinstance(schema.get("format"), str) and schema["format"] in FORMATTED:
                yield FORMATTED[schema["format"]]
            yield "x" * length
            for filler in ("a", "0", "A", "a-0"):
                yield (filler * max(length, 1))[: max(length, len(filler))]
            if isinstance(schema.get("pattern"), str):
                yield _matching(schema)
        elif kind == "array":
            count = int(schema.get("minItems", 0))
            if count == 0:
                yield []  # no item needed: a recursive schema (a tree's children) ends here
                return
            items = self.child(pointer, "items")
            item = self._simple(items, depth + 1) if items else "x"
            yield [copy.deepcopy(item) for _ in range(count)] if item is not NO_VALUE else NO_VALUE
        elif kind == "object":
            yield self._object(pointer, schema, depth)

    def _merged_object(self, pointers: list[str], depth: int) -> Any:
        """The simplest object valid against all of `pointers` together: every property any of them
        requires, each built from the schema one of them gives it."""
        required: dict[str, None] = {}
        properties: dict[str, str] = {}
        extra: str | None = None
        for where in pointers:
            schema = self.schema(where)
            names = [name for name in schema.get("required", []) if isinstance(name, str)]
            required.update(dict.fromkeys(names))
            for name, place in self.properties(where).items():
                properties.setdefault(name, place)
            extra = extra or self.child(where, "additionalProperties")
        value: dict[str, Any] = {}
        for name in required:
            found = properties.get(name) or extra
            item = self._simple(found, depth + 1) if found else "x"
            if item is NO_VALUE:
                return NO_VALUE
            value[name] = item
        return value

    def _object(self, pointer: str, schema: dict[str, Any], depth: int) -> Any:
        properties = self.properties(pointer)
        value: dict[str, Any] = {}
        for name in schema.get("required", []):
            where = properties.get(name) or self.child(pointer, "additionalProperties")
            item = self._simple(where, depth + 1) if where else "x"
            if item is NO_VALUE:
                return NO_VALUE
            value[name] = item
        for name, where in properties.items():
            if len(value) >= int(schema.get("minProperties", 0)):
                break
            value.setdefault(name, self._simple(where, depth + 1))
        return value

    # --- strings of a given length -------------------------------------------------------------

    def text_of(self, pointer: str, length: int) -> Any:
        """`length` code points of text the pattern at `pointer` allows (any, without a pattern), or
        NO_VALUE. A pattern's own example, or the shortest string matching it, is padded with a
        filler character wherever the pattern lets it grow: `^https://` grows at the end."""
        schema = self.schema(pointer)
        pattern = schema.get("pattern")
        if not isinstance(pattern, str):
            return text(length)

        def bases() -> Iterator[str]:
            yield ""
            yield from (value for value in self._given(schema) if isinstance(value, str))
            shortest = _shortest_match(pattern)  # only when the rest failed: a Hypothesis search is slow
            if isinstance(shortest, str):
                yield shortest

        for base in bases():
            if len(base) >= length:
                if matches(pattern, base[:length]):
                    return base[:length]
                continue
            for filler in _FILLERS:
                pad = filler * (length - len(base))
                for at in range(len(base), -1, -1):  # the end first: most patterns are prefixes
                    candidate = base[:at] + pad + base[at:]
                    if matches(pattern, candidate):
                        return candidate
        return NO_VALUE

    # --- the largest value ---------------------------------------------------------------------

    def largest(self, pointer: str) -> Any:
        """A valid value with every string at its maxLength (astral-plane characters where allowed),
        every list and map at its maximum size (its minimum past LARGE_DEPTH levels, or fewer where the
        value would weigh more than LARGEST_SIZE), and every optional property present."""
        reach = LARGE_DEPTH
        while reach >= 0 and self._large_size(pointer, 0, reach) > LARGEST_SIZE:
            reach -= 1
        if self._large_size(pointer, 0, reach) > LARGEST_SIZE:  # its optional parts alone weigh too much
            return self.example(pointer)
        return self._largest_of(pointer, 0, reach)

    def _largest_of(self, pointer: str, depth: int, reach: int) -> Any:
        # Memoised by depth too: a schema reached along many paths (or recursive) is built once per depth.
        key = f"{reach}\x1f{depth}\x1f{pointer}"
        if key not in self._largest:
            self._largest[key] = self._build_largest(pointer, depth, reach)
        return copy.deepcopy(self._largest[key])

    def _build_largest(self, pointer: str, depth: int, reach: int) -> Any:
        schema = self.schema(pointer)
        candidates: list[Any] = []
        if depth <= MAX_DEPTH:
            for kind in sorted(json_types(schema), key=lambda kind: kind == "null"):
                candidates += self._large_of_type(pointer, schema, kind, depth, reach)
            candidates += [self._largest_of(branch, depth + 1, reach) for _, branch in self.branches(pointer)]
        found = self._first_valid(pointer, iter(candidates))
        return found if found is not NO_VALUE else self.example(pointer)

    def _large_size(self, pointer: str, depth: int, reach: int) -> int:
        """About how much the largest value at `pointer` weighs (at most): the length of its strings and
        one per value, its heaviest branch or type counted, built as `_large_of_type` builds."""
        key = f"{reach}\x1f{depth}\x1f{pointer}"
        if key in self._sizes:  # memoised: each level of a recursive schema is a key of its own
            return self._sizes[key]
        schema, size = self.schema(pointer), 1
        if depth <= MAX_DEPTH:
            sizes = [self._large_size(branch, depth + 1, reach) for _, branch in self.branches(pointer)]
            kinds = json_types(schema)
            if "string" in kinds:
                longest = int(schema.get("maxLength", max(UNBOUNDED_TEXT, int(schema.get("minLength", 0)))))
                sizes.append(longest + 2)
            items = self.child(pointer, "items") if "array" in kinds else None
            if items is not None:
                count = _count(schema, "Items", filled=depth <= reach)
                heaviest = [self._large_size(branch, depth + 1, reach) for _, branch in self.branches(items)]
                sizes.append(count * max([self._large_size(items, depth + 1, reach), *heaviest]))
            if "object" in kinds:
                found = self.properties(pointer).items()  # each name quoted, and its value
                weight = sum(
                    len(name) + 4 + self._large_size(place, depth + 1, reach) for name, place in found
                )
                extra = self.child(pointer, "additionalProperties")
                if (
                    extra is not None
                    and isinstance(node_at(self.document, extra), dict)
                    and self.schema(extra)
                ):
                    count = _count(schema, "Properties", filled=depth <= reach)
                    weight += count * self._large_size(extra, depth + 1, reach)
                sizes.append(weight)
            size += max(sizes, default=0)
        self._sizes[key] = size
        return size

    def _large_of_type(
        self, pointer: str, schema: dict[str, Any], kind: str, depth: int, reach: int
    ) -> list[Any]:
        if kind == "string" and "enum" not in schema and "const" not in schema:
            length = int(schema.get("maxLength", max(UNBOUNDED_TEXT, int(schema.get("minLength", 0)))))
            patterned = [self.text_of(pointer, length)] if "pattern" in schema else []
            return [astral(length), text(length), "a" * length, *patterned]
        if kind in ("integer", "number") and "enum" not in schema:
            return list(_numbers(schema, integer=kind == "integer", prefer="high"))
        if kind == "array":
            items = self.child(pointer, "items")
            if items is None:
                return []
            # Lists in lists: past a few levels the fewest, or the value grows as a power.
            count = _count(schema, "Items", filled=depth <= reach)
            variants = [self._largest_of(branch, depth + 1, reach) for _, branch in self.branches(items)]
            variants = [variant for variant in variants if self.is_valid(items, variant)]
            variants = variants or [self._largest_of(items, depth + 1, reach)]
            return [[copy.deepcopy(variants[index % len(variants)]) for index in range(count)]]
        if kind == "object":
            value = {
                name: self._largest_of(where, depth + 1, reach)
                for name, where in self.properties(pointer).items()
            }
            extra = self.child(pointer, "additionalProperties")
            # `additionalProperties: true` (or `{}`) is free-form content: nothing to fill to a limit.
            if extra is not None and isinstance(node_at(self.document, extra), dict) and self.schema(extra):
                count = _count(schema, "Properties", filled=depth <= reach) - len(value)
                names = self.child(pointer, "propertyNames")
                key_length = int(self.schema(names).get("maxLength", 8)) if names else 8
                item = self._largest_of(extra, depth + 1, reach)
                for index in range(max(count, 0)):
                    key = f"{index:03d}{astral(key_length)}"[:key_length]
                    value[key] = copy.deepcopy(item)
            return [value]
        return []


def _count(schema: dict[str, Any], noun: str, *, filled: bool) -> int:
    """How many items ("Items") or entries ("Properties") the largest value has: the most, else the
    fewest."""
    fewest = int(schema.get(f"min{noun}", 0))
    return int(schema.get(f"max{noun}", max(UNBOUNDED_ITEMS, fewest))) if filled else fewest


@functools.cache
def _shortest_match(pattern: str) -> Any:
    return _matching({"pattern": pattern})


def _matching(schema: dict[str, Any]) -> Any:
    """The simplest string Hypothesis finds for the schema's pattern and length limits, or NO_VALUE."""
    from hypothesis import HealthCheck, Phase, find, settings  # noqa: PLC0415 (only for unusual patterns)
    from hypothesis import strategies as st  # noqa: PLC0415
    from hypothesis.errors import NoSuchExample  # noqa: PLC0415

    from contract_tests.isolation import isolated  # noqa: PLC0415

    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    try:
        with isolated():
            return find(
                # ASCII characters, named as an alphabet: the flag alone has Hypothesis map the
                # "ascii" codec over every code point, 1.7 s of a contract run.
                st.from_regex(
                    re.compile(ecma_regex(schema["pattern"]), re.ASCII),
                    alphabet=st.characters(max_codepoint=127),
                ),
                lambda value: len(value) >= low and (high is None or len(value) <= high),
                settings=settings(
                    database=None,
                    derandomize=True,
                    suppress_health_check=list(HealthCheck),
                    # No `explain` phase: it costs seconds and says nothing here.
                    phases=(Phase.generate, Phase.shrink),
                ),
            )
    except (NoSuchExample, re.error):
        return NO_VALUE


def _numbers(schema: dict[str, Any], *, integer: bool, prefer: str = "low") -> Iterator[float]:
    """Numbers inside the schema's range, the one it prefers first: 0 if allowed, else a bound."""
    low, high = bounds(schema)
    step = number_step(schema, integer=integer)
    lowest = None if low is None else (low[0] + step if low[1] else low[0])
    highest = None if high is None else (high[0] - step if high[1] else high[0])
    if integer:
        lowest = None if lowest is None else math.ceil(lowest)
        highest = None if highest is None else math.floor(highest)
    order = [highest, lowest] if prefer == "high" else [lowest, highest]
    zero_fits = (lowest is None or lowest <= 0) and (highest is None or highest >= 0)
    if zero_fits and prefer == "low":
        order.insert(0, 0)
    multiple = schema.get("multipleOf")
    for bound in [*order, 0, 1]:
        if bound is None:
            continue
        candidate = bound
        if isinstance(multiple, int | float) and multiple > 0:
            candidate = math.ceil(bound / multiple) * multiple
        yield int(candidate) if integer or float(candidate).is_integer() else candidate


def bounds(schema: dict[str, Any]) -> tuple[tuple[float, bool] | None, tuple[float, bool] | None]:
    """((low, exclusive), (high, exclusive)) of a number schema; None where it has no bound."""
    low = high = None
    if isinstance(schema.get("minimum"), int | float):
        low = (schema["minimum"], False)
    if isinstance(schema.get("exclusiveMinimum"), int | float) and (
        low is None or schema["exclusiveMinimum"] >= low[0]
    ):
        low = (schema["exclusiveMinimum"], True)
    if isinstance(schema.get("maximum"), int | float):
        high = (schema["maximum"], False)
    if isinstance(schema.get("exclusiveMaximum"), int | float) and (
        high is None or schema["exclusiveMaximum"] <= high[0]
    ):
        high = (schema["exclusiveMaximum"], True)
    return low, high


def number_step(schema: dict[str, Any], *, integer: bool) -> float:
    """The step of "one past a limit": the schema's multipleOf, 1 for integers, else a hundredth of the
    limit's magnitude (at least 0.01), large enough to survive a round trip through a double."""
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and multiple > 0:
        return multiple
    if integer:
        return 1
    low, high = bounds(schema)
    magnitude = max((abs(bound[0]) for bound in (low, high) if bound is not None), default=1.0)
    return max(0.01, magnitude / 100)
