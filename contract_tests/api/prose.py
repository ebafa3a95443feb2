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
