"""Reading a parameter's text (path, query, header, cookie) as the JSON value its schema types it.

HTTP carries text; the spec's schema says what the text means: `5` is the integer 5 for an integer
parameter, `true` the boolean for a boolean one. An array in a query is the parameter repeated (`form`
style, exploded, the default) or one comma-separated value (`explode: false`); in a header or a path, a
comma-separated value (`simple` style). Text that reads as no value of the schema's types stays text,
and the schema's validator then says it is wrong.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contract_tests.api.model import Parameter

ABSENT: Any = object()  # the request does not carry the parameter


def scalar(raw: str, types: tuple[str, ...]) -> Any:
    """One value's text as the first of `types` it reads as; the text itself when none."""
    for kind, parse in (("integer", int), ("number", float)):
        if kind in types:
            try:
                value = parse(raw)
            except ValueError:
                continue
            if kind == "number" and math.isnan(value):  # NaN is not a JSON number
                continue
            return value
    if "boolean" in types and raw in ("true", "false"):
        return raw == "true"
    if "null" in types and raw == "null" and "string" not in types:
        return None
    return raw


def item_types(parameter: Parameter, item_schema: dict[str, Any] | None) -> tuple[str, ...]:
    if item_schema is None:
        return ("string",)
    declared = item_schema.get("type", "string")
    return (declared,) if isinstance(declared, str) else tuple(declared)


def read(parameter: Parameter, texts: list[str], item_schema: dict[str, Any] | None = None) -> Any:
    """The parameter's value from every text the request carries for it (a query parameter may repeat),
    or ABSENT when it carries none."""
    if not texts:
        return ABSENT
    if "array" in parameter.types:
        kinds = item_types(parameter, item_schema)
        if parameter.location == "query" and parameter.explode and parameter.style == "form":
            parts = texts
        else:
            separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(parameter.style, ",")
            parts = texts[-1].split(separator) if texts[-1] else []
        return [scalar(part, kinds) for part in parts]
    return scalar(texts[-1], parameter.types)


def text_of(value: Any) -> str:
    """A JSON value as a parameter's text (the inverse of `scalar` for one value)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return ",".join(text_of(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
