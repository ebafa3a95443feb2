"""Comparing and showing JSON values by JSON's rules, not Python's.

A server in another language reads a JSON number as an IEEE-754 double and writes it back in its
shortest form: `10.0` comes back as `10`, a 21-digit integer as its nearest double. RFC 8259 (section
6) says interoperable implementations agree within double precision, so two numbers are the same
when they are the same double; `true` is not `1`; object keys have no order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract_tests.api.document import escape_pointer


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_double(value: int | float) -> float | None:
    """The double a JSON parser reads `value` as; None beyond the double range (no JSON reader agrees)."""
    try:
        double = float(value)
    except OverflowError:
        return None
    return double if math.isfinite(double) else None


def same_number(sent: int | float, got: int | float) -> bool:
    """Equal as doubles. A number sent beyond the double range is not compared (None: any number)."""
    expected = as_double(sent)
    return expected is None or expected == as_double(got)


@dataclass(frozen=True)
class Difference:
    pointer: str  # RFC 6901, relative to the values compared
    expected: Any
    actual: Any
    note: str = ""


MISSING: Any = object()  # the response has no value there
Openness = Callable[[str], bool]  # the pointer of an object in the value sent -> may the response add to it


def _closed(pointer: str) -> bool:
    return False


def first_difference(  # noqa: PLR0911 (one return per JSON type, as the rules go)
    expected: Any, actual: Any, *, is_open: Openness = _closed, pointer: str = ""
) -> Difference | None:
    """Where `actual` first fails to carry `expected`, or None when it does.

    Lists are compared as multisets (the order of a list is not part of the contract); an object for
    whose pointer `is_open` says so may carry fields `expected` lacks (a tool a server adds to).
    """
    if actual is MISSING:
        return Difference(pointer, expected, actual, "missing")
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return Difference(pointer, expected, actual)
        for key, value in expected.items():
            found = first_difference(
                value, actual.get(key, MISSING), is_open=is_open, pointer=f"{pointer}/{escape_pointer(key)}"
            )
            if found is not None:
                return found
        extra = [key for key in actual if key not in expected]
        if extra and not is_open(pointer):
            return Difference(f"{pointer}/{escape_pointer(extra[0])}", MISSING, actual[extra[0]], "not sent")
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return Difference(pointer, expected, actual)
        if len(expected) != len(actual):
            return Difference(pointer, expected, actual, f"sent {len(expected)} items, got {len(actual)}")
        return _list_difference(expected, actual, is_open=is_open, pointer=pointer)
    if is_number(expected) and is_number(actual):
        return None if same_number(expected, actual) else Difference(pointer, expected, actual)
    if type(expected) is not type(actual) or expected != actual:
        return Difference(pointer, expected, actual)
    return None


def _list_difference(
    expected: list[Any], actual: list[Any], *, is_open: Openness, pointer: str
) -> Difference | None:
    """A matching of every item sent to its own item of the response (any order), or where none exists.

    Each item may match several (an open tool matches a richer one): the items are paired by augmenting
    paths (Kuhn's algorithm), so that a greedy first pick cannot take another item's partner.
    """
    fits: dict[tuple[int, int], bool] = {}

    def fit(i: int, j: int) -> bool:
        if (i, j) not in fits:
            fits[i, j] = (
                first_difference(expected[i], actual[j], is_open=is_open, pointer=f"{pointer}/{i}") is None
            )
        return fits[i, j]

    partner: dict[int, int] = {}  # actual index -> expected index

    def augment(i: int, seen: set[int]) -> bool:
        for j in range(len(actual)):
            if j in seen or not fit(i, j):
                continue
            seen.add(j)
            if j not in partner or augment(partner[j], seen):
                partner[j] = i
                return True
        return False

    for index, item in enumerate(expected):
        if augment(index, set()):
            continue
        # Most servers keep the order: the item at the same place says best what went wrong.
        inner = first_difference(item, actual[index], is_open=is_open, pointer=f"{pointer}/{index}")
        note = "no item of the response's list matches it"
        if inner is None:
            return Difference(f"{pointer}/{index}", item, MISSING, note)
        return Difference(inner.pointer, inner.expected, inner.actual, inner.note or note)
    return None


def show(value: Any, limit: int | None = None) -> str:
    """`value` as JSON text (not a Python repr), cut to `limit` characters if given (mask a text that may
    hold a key before cutting it: `Masker.cut`)."""
    if value is MISSING:
        return "(nothing)"
    try:
        shown = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        shown = str(value)
    return shown if limit is None or len(shown) <= limit else shown[:limit] + "..."


def length_note(expected: Any, actual: Any) -> str:
    """ ", sent 256 characters, got 100" for strings of other lengths (code points, as JSON Schema counts)."""
    if isinstance(expected, str) and isinstance(actual, str) and len(expected) != len(actual):
        return f" (sent {len(expected)} characters, got {len(actual)})"
    return ""
