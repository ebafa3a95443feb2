"""What a published spec says in its descriptions, in the common forms, read as its authors meant it.

Published specs state in prose what their schemas leave out: that an integer is "the Unix timestamp (in
seconds)", that a boolean sends the answer "as data-only server-sent events", that a number "can range
between 1 and 100", that a map holds "up to 16 pairs". The project reads these forms, and only these, so
that a faithful server is judged as the spec's authors meant and a server that answers milliseconds
where seconds are documented is caught. Every reading says where it came from (the sentence) so that a
verdict built on it can be traced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from contract_tests.api.document import UNIXTIME

_SECONDS = re.compile(r"\bunix\b[^.]*?\b(timestamp|time|epoch)\b|\bseconds since the (unix )?epoch\b", re.I)
_MILLISECONDS = re.compile(r"\bmilliseconds?\b|\bms\b", re.I)
_IDENTIFIER = re.compile(r"^\s*(the |a )?(unique )?identifier\b", re.I)
_SSE = re.compile(r"server[- ]sent events|event[- ]stream", re.I)
_TERMINATOR = re.compile(r"data: ?(\[[A-Za-z]+\])")
_SIZE = re.compile(r"\b(size|length)\b[^.]*\bbytes?\b|\bin bytes\b|\bnumber of bytes\b", re.I)
_FILENAME = re.compile(r"\bname of the file\b|\bfile ?name\b", re.I)


def description(schema: dict[str, Any]) -> str:
    return str(schema.get("description") or "")


def timestamp_unit(schema: dict[str, Any], types: tuple[str, ...]) -> str | None:
    """ "s" for a number the spec says is a Unix time in seconds (`format: unixtime`, or a description
    such as "The Unix timestamp (in seconds) for when..."), "ms" for one in milliseconds, else None."""
    if not {"integer", "number"} & set(types):
        return None
    if schema.get("format") == UNIXTIME:
        return "s"
    said = description(schema)
    if not _SECONDS.search(said):
        return None
    return "ms" if _MILLISECONDS.search(said) else "s"


def is_identifier(schema: dict[str, Any]) -> bool:
    """A string the spec describes as the object's own identifier ("The identifier, which can be
    referenced in API endpoints.", "A unique identifier for the chat completion.")."""
    return bool(_IDENTIFIER.search(description(schema)))


def is_stream_flag(schema: dict[str, Any]) -> bool:
    """A boolean the spec says sends the answer as server-sent events."""
    return bool(_SSE.search(description(schema)))


def terminator(text: str) -> str | None:
    """The data of the event the text says ends a stream (`data: [DONE]`)."""
    found = _TERMINATOR.search(text)
    return found.group(1) if found else None


def upload_fact(schema: dict[str, Any], types: tuple[str, ...]) -> str | None:
    """ "size" for an integer the spec says is a size in bytes, "filename" for a string it says is a
    file's name: what a server answering an upload takes from the file it got."""
    said = description(schema)
    if "integer" in types and _SIZE.search(said):
        return "size"
    if "string" in types and _FILENAME.search(said):
        return "filename"
    return None


@dataclass(frozen=True)
class ProseBound:
    """A bound a description states: the keyword it means, its value and the sentence that says it."""

    keyword: str  # minimum, maximum, maxLength, maxProperties, maxItems
    value: int | float
    sentence: str


_NUMBER = r"(-?\d[\d,]*(?:\.\d+)?)"
_RANGE = re.compile(rf"\b(?:range|ranges|between|from)\s+{_NUMBER}\s+(?:and|to)\s+{_NUMBER}", re.I)
_CHARACTERS = re.compile(
    rf"maximum length (?:is|of)\s+{_NUMBER}"
    rf"|(?:at most|up to|a maximum of|maximum of|max of|no more than)\s+{_NUMBER}\s+characters",
    re.I,
)
_ANY_CHARACTERS = re.compile(rf"{_NUMBER}\s+characters", re.I)
_PAIRS = re.compile(rf"(?:set of|up to|maximum of|at most)\s+{_NUMBER}\s+key-value pairs", re.I)
_KEYS = re.compile(rf"keys? can be a max\w* of\s+{_NUMBER}\s+characters", re.I)
_VALUES = re.compile(rf"values? can be a max\w* of\s+{_NUMBER}\s+characters", re.I)
_ITEMS = re.compile(
    rf"(?:a maximum of|maximum of|up to|at most|no more than)\s+{_NUMBER}\s+(?:[a-z]+\s+)?"
    r"(?:files|tools|items|elements|entries|messages|stop sequences|sequences|vector stores)\b",
    re.I,
)


def _number(text: str) -> float:
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() else value


def _sentence(text: str, at: int) -> str:
    start = max(text.rfind(". ", 0, at) + 2, 0) if text.rfind(". ", 0, at) >= 0 else 0
    end = text.find(". ", at)
    return " ".join(text[start : end + 1 if end >= 0 else len(text)].split())


def bounds(schema: dict[str, Any], types: tuple[str, ...]) -> list[ProseBound]:
    """The bounds a schema's description states in the common forms ("can range between 1 and 100", "a
    maximum of 128 tools", "The maximum length is 256 characters", "Set of 16 key-value pairs... keys
    can be a maximum of 64 characters... values... 512"), for the keywords the schema does not set itself.
    Where one sentence names several limits (1000 for one model, 4000 for another), the loosest is read."""
    said = description(schema)
    if not said:
        return []
    found: list[ProseBound] = []

    def add(keyword: str, values: list[float], at: int, loosest: Any = max) -> None:
        if keyword not in schema and values:
            found.append(ProseBound(keyword, loosest(values), _sentence(said, at)))

    if {"integer", "number"} & set(types):
        ranged = _RANGE.search(said)
        if ranged:
            low, high = sorted((_number(ranged.group(1)), _number(ranged.group(2))))
            add("minimum", [low], ranged.start())
            add("maximum", [high], ranged.start())
    if "string" in types:
        lengths = list(_CHARACTERS.finditer(said))
        if lengths:
            sentence = _sentence(said, lengths[0].start())
            numbers = [_number(match.group(1) or match.group(2)) for match in lengths]
            numbers += [_number(found) for found in _ANY_CHARACTERS.findall(sentence)]
            add("maxLength", [int(n) for n in numbers], lengths[0].start())
    if "object" in types:
        for pattern, keyword in (
            (_PAIRS, "maxProperties"),
            (_KEYS, "x-key-maxLength"),
            (_VALUES, "x-value-maxLength"),
        ):
            match = pattern.search(said)
            if match:
                add(keyword, [int(_number(match.group(1)))], match.start())
    if "array" in types:
        items = list(_ITEMS.finditer(said))
        add("maxItems", [int(_number(match.group(1))) for match in items], items[0].start() if items else 0)
    return found
