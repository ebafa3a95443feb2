"""Request bodies derived from the spec at run time: boundary bodies it allows and bodies it forbids.

Every limit (maxLength, maxItems, maxProperties, required, additionalProperties, tool types) is read
from the loaded schema, and every body is confirmed valid or invalid by the spec's own validator before
it is used: a spec change moves the boundaries with it and never turns a body into a false alarm.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from contract_tests.suite.operation import Operation

# Non-ASCII but inside the Basic Multilingual Plane: each is one character however the server counts
# (code points or UTF-16 units), so a maxLength-long string is at the limit for every conforming server.
_FILLER = "Aé中ñß-"
# Long strings stay mostly ASCII: escaped as \uXXXX, a 256,000-character non-ASCII string would make a
# body of over a megabyte, which common proxy limits (nginx: 1 MB) refuse before the server sees it.
_LONG_FILLER = "x" * 63 + "é"
_LONG = 4096
_WRONG_TYPED_VALUES: tuple[Any, ...] = (7, "x", [], {}, True, None, 1.5)


@dataclass(frozen=True)
class Body:
    """A request body and what it exercises, e.g. "tools at maxItems (128)"."""

    label: str
    value: Any


def text(length: int) -> str:
    """A string of exactly `length` characters, mixing ASCII and non-ASCII."""
    filler = _LONG_FILLER if length > _LONG else _FILLER
    return (filler * (length // len(filler) + 1))[:length]


class BodyFactory:
    """Builds boundary and invalid bodies from the request schema of `operation`."""

    def __init__(self, operation: Operation) -> None:
        self.op = operation
        self.schema = operation.request_schema
        self.properties: dict[str, Any] = {
            name: operation.resolve(node) for name, node in self.schema.get("properties", {}).items()
        }
        self.examples = operation.examples
        # The richest example (most fields) is the base every single-field variation starts from.
        self.base: dict[str, Any] = max(self.examples.values(), key=len)
        # Bodies the spec's validator judged otherwise than they were built to be: the summary counts
        # them, so that a spec edit that silently empties a kind of case shows.
        self.dropped: list[str] = []

    def with_field(self, name: str, value: Any) -> dict[str, Any]:
        body = copy.deepcopy(self.base)
        body[name] = value
        return body

    def without_field(self, name: str) -> dict[str, Any]:
        body = copy.deepcopy(self.base)
        body.pop(name, None)
        return body

    # --- what the schema says about tools -------------------------------------------------------

    def example_tools(self) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        for example in self.examples.values():
            tools += [
                tool for tool in example.get("tools", []) if isinstance(tool, dict) and tool not in tools
            ]
        return tools

    def tool_variants(self) -> dict[str, dict[str, Any]]:
        """Tool type -> schema of that tool, from the discriminator mapping (or each variant's enum)."""
        items = self.op.resolve(self.properties.get("tools", {}).get("items", {}))
        variants = {}
        for node in items.get("oneOf", []):
            variant = self.op.resolve(node)
            for tool_type in variant.get("properties", {}).get("type", {}).get("enum", []):
                variants[tool_type] = variant
        return variants

    def function_name_schema(self) -> tuple[str, dict[str, Any]] | None:
        """(property holding the definition, schema of its `name`) of the tool type that has one."""
        for tool_type, variant in self.tool_variants().items():
            for field, node in variant.get("properties", {}).items():
                definition = self.op.resolve(node)
                name = self.op.resolve(definition.get("properties", {}).get("name", {}))
                if field != "type" and name.get("type") == "string":
                    return tool_type, name
        return None

    def function_tool(self, name: str) -> dict[str, Any] | None:
        found = self.function_name_schema()
        if found is None:
            return None
        tool_type, _ = found
        for tool in self.example_tools():
            if tool.get("type") == tool_type:
                field = next(key for key, value in tool.items() if isinstance(value, dict))
                changed = copy.deepcopy(tool)
                changed[field]["name"] = name
                return changed
        return None

    def many_tools(self, count: int) -> list[dict[str, Any]]:
        """`count` tools cycling through the examples' tools; functions get distinct names."""
        pool = self.example_tools()
        found = self.function_name_schema()
        longest = found[1].get("maxLength") if found else None
        tools = []
        for index in range(count):
            tool = copy.deepcopy(pool[index % len(pool)])
            for value in tool.values():
                if isinstance(value, dict) and isinstance(value.get("name"), str):
                    value["name"] = f"f{index}_{value['name']}"[:longest]
            tools.append(tool)
        return tools

    # --- the two lists ---------------------------------------------------------------------------

    def valid(self) -> list[Body]:
        """Bodies the spec allows, including every boundary, each confirmed valid."""
        return self._confirmed(self._valid_candidates(), valid=True)

    def invalid(self) -> list[Body]:
        """Bodies the spec forbids, one rule broken each, each confirmed invalid."""
        return self._confirmed(self._invalid_candidates(), valid=False)

    def _confirmed(self, candidates: Iterator[Body], *, valid: bool) -> list[Body]:
        kept = []
        for body in candidates:
            if self.op.request.is_valid(body.value) == valid:
                kept.append(body)
            else:
                self.dropped.append(body.label)
        return kept

    def _valid_candidates(self) -> Iterator[Body]:
        for name, example in self.examples.items():
            yield Body(f"spec example {name!r}", example)
        required = self.schema.get("required", [])
        yield Body("required fields only", {key: self.base[key] for key in required if key in self.base})
        for name, prop in self.properties.items():
            if "maxLength" in prop:
                yield Body(
                    f"{name} at maxLength ({prop['maxLength']})",
                    self.with_field(name, text(prop["maxLength"])),
                )
            if "null" in prop.get("type", []):
                yield Body(f"{name} explicitly null", self.with_field(name, None))
            if prop.get("type") == "array" and "maxItems" in prop:
                yield Body(
                    f"{name} at maxItems ({prop['maxItems']})",
                    self.with_field(name, self._items(name, prop["maxItems"])),
                )
                yield Body(f"{name} empty", self.with_field(name, []))
        yield from self._metadata_bodies(valid=True)
        found = self.function_name_schema()
        if found is not None and "maxLength" in found[1]:
            longest = self.function_tool("f" * found[1]["maxLength"])
            yield Body(
                f"function name at maxLength ({found[1]['maxLength']})", self.with_field("tools", [longest])
            )
        yield Body(
            "unicode everywhere",
            {
                **self.base,
                "name": "Tutor 数学 🙂 ñ",
                "instructions": 'Réponds en français.\nSay "hi" \\ 🙂\t漢字',
                "metadata": {"ключ": "значение 🙂"},
            },
        )

    def _items(self, name: str, count: int) -> list[Any]:
        if name == "tools":
            return self.many_tools(count)
        return [f"{name}-{index:04d}" for index in range(count)]

    def _metadata_bodies(self, *, valid: bool) -> Iterator[Body]:
        for name, prop in self.properties.items():
            pairs = prop.get("maxProperties")
            key_length = prop.get("propertyNames", {}).get("maxLength")
            values = prop.get("additionalProperties")
            if prop.get("type") != "object" or pairs is None or not isinstance(values, dict):
                continue
            value_length = values.get("maxLength", 16)
            key_length = key_length or 16

            def mapping(count: int, key_len: int, value_len: int) -> dict[str, str]:
                return {f"{index:03d}{text(key_len)}"[:key_len]: text(value_len) for index in range(count)}

            if valid:
                full = mapping(pairs, key_length, value_length)
                yield Body(
                    f"{name} at maxProperties ({pairs}), longest keys and values", self.with_field(name, full)
                )
            else:
                yield Body(
                    f"{name} over maxProperties ({pairs + 1})",
                    self.with_field(name, mapping(pairs + 1, 8, 8)),
                )
                yield Body(
                    f"{name} key over maxLength ({key_length + 1})",
                    self.with_field(name, mapping(1, key_length + 1, 8)),
                )
                yield Body(
                    f"{name} value over maxLength ({value_length + 1})",
                    self.with_field(name, mapping(1, 8, value_length + 1)),
                )
                yield Body(f"{name} value not a string", self.with_field(name, {"key": 7}))

    def _invalid_candidates(self) -> Iterator[Body]:
        for name in self.schema.get("required", []):
            yield Body(f"required {name} missing", self.without_field(name))
        for name, prop in self.properties.items():
            if "maxLength" in prop:
                yield Body(
                    f"{name} over maxLength ({prop['maxLength'] + 1})",
                    self.with_field(name, text(prop["maxLength"] + 1)),
                )
            if prop.get("type") == "array" and "maxItems" in prop:
                yield Body(
                    f"{name} over maxItems ({prop['maxItems'] + 1})",
                    self.with_field(name, self._items(name, prop["maxItems"] + 1)),
                )
            wrong = [
                value
                for value in _WRONG_TYPED_VALUES
                if not self.op.request.is_valid(self.with_field(name, value))
            ]
            for value in wrong[:2]:
                yield Body(
                    f"{name} of the wrong JSON type ({type(value).__name__})", self.with_field(name, value)
                )
        if self.schema.get("additionalProperties") is False:
            yield Body("an unknown top-level field", self.with_field("unexpected_field", "x"))
        yield from self._metadata_bodies(valid=False)
        yield from self._invalid_tools()

    def _invalid_tools(self) -> Iterator[Body]:
        known = set(self.tool_variants())
        unknown = next(name for name in ("browser", "web_search", "x_unknown_tool") if name not in known)
        yield Body(f"a tool of unknown type {unknown!r}", self.with_field("tools", [{"type": unknown}]))
        yield Body("a tool without a type", self.with_field("tools", [{}]))
        yield Body("a tool that is not an object", self.with_field("tools", [next(iter(known), "tool")]))
        for tool_type, variant in self.tool_variants().items():
            for field in variant.get("required", []):
                if field != "type":
                    yield Body(
                        f"a {tool_type} tool without {field!r}",
                        self.with_field("tools", [{"type": tool_type}]),
                    )
        found = self.function_name_schema()
        if found is None:
            return
        name_schema = found[1]
        # "name\n" breaks only an ECMA-262 pattern, the spec's dialect: Python's `$` would let it pass.
        too_long = "f" * (name_schema.get("maxLength", 64) + 1)
        for bad in ("", "has space", "dot.name", "slash/name", "ünï", "name\n", too_long):
            tool = self.function_tool(bad)
            if tool is not None:
                yield Body(
                    f"a function name {bad[:20]!r}{'...' if len(bad) > 20 else ''}",
                    self.with_field("tools", [tool]),
                )
        nameless = self.function_tool("x")
        if nameless is not None:
            for value in nameless.values():
                if isinstance(value, dict):
                    del value["name"]
            yield Body("a function without a name", self.with_field("tools", [nameless]))
