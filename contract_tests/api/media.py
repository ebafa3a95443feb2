"""Bodies of every media type a real API uses, read and written as the spec's schemas mean them.

A spec's content map names each body's media type. The project reads them by kind:

- `json`: `application/json` and `*+json`, one JSON value;
- `form`: `application/x-www-form-urlencoded`, and `multipart`: `multipart/form-data` (uploads), both a
  set of named parts that the body's object schema describes: each part's text is read as its
  property's JSON type (as a parameter's is), an object or array of objects from its JSON text, an array
  of scalars from the part repeated, and a file part (`format: binary`, `contentMediaType`) as its bytes;
- `event-stream`: `text/event-stream`, server-sent events whose `data` each is a JSON value of the schema;
- `text`: other `text/*` and XML, text;
- `binary`: anything else (`application/octet-stream`, `audio/*`, `image/*`...), bytes.

The value of a form or multipart body is the JSON object its parts mean, so that one schema judges it
whatever it came as; the JSON pointer of an error in it names the part (`/purpose`). How a wire body is
split into parts is the reader's own (the reference server reads it with python-multipart, the rules
with the standard library's e-mail parser): this module turns parts into that value, and a value into
a body.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from typing import Any
from urllib.parse import urlencode

from contract_tests.api.parameters import scalar, text_of
from contract_tests.api.values import Values

JSON, FORM, MULTIPART, EVENTS, TEXT, BINARY = "json", "form", "multipart", "event-stream", "text", "binary"
PARTS = frozenset({FORM, MULTIPART})  # the kinds whose body is named parts, an object's properties
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
EVENTS_TYPE = "text/event-stream"
# Of several media types of one body, the one a client of the project sends and a server answers with.
_PREFERENCE = (JSON, MULTIPART, FORM, EVENTS, TEXT, BINARY)


def bare(content_type: str | None) -> str:
    """`application/json` of `Application/JSON; charset=utf-8`."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def kind_of(media_type: str | None) -> str:
    """The kind of a media type (JSON, FORM, MULTIPART, EVENTS, TEXT or BINARY)."""
    name = bare(media_type)
    if name in ("application/json", "*/*") or name.endswith("+json"):
        return JSON
    if name == FORM_TYPE:
        return FORM
    if name.startswith("multipart/"):
        return MULTIPART
    if name == EVENTS_TYPE:
        return EVENTS
    if name.startswith("text/") or name in ("application/xml",) or name.endswith("+xml"):
        return TEXT
    return BINARY


def preferred(media_types: Iterable[str]) -> str | None:
    """The media type a body is sent or answered as, of those a content map lists: JSON first."""
    listed = list(media_types)
    for kind in _PREFERENCE:
        for name in listed:
            if kind_of(name) == kind:
                return name
    return None


def matches(sent: str | None, documented: str) -> bool:
    """Whether a Content-Type is the documented media type, ranges included (`audio/*`, `*/*`)."""
    got, want = bare(sent), bare(documented)
    if want in ("*/*", ""):
        return bool(got) or want == ""
    if want.endswith("/*"):
        return got.startswith(want[:-1])
    return got == want


# --- a body's value from its parts -------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One named part of a form or multipart body, as a reader split it."""

    name: str
    content: bytes | str  # bytes for a file (or any part a reader kept as bytes), else text
    filename: str | None = None
    content_type: str | None = None


def is_binary(values: Values, pointer: str) -> bool:
    """Whether a property's schema is a file's bytes (`format: binary`, or a `contentMediaType`)."""
    schema = values.schema(pointer)
    return schema.get("format") in ("binary", "byte") or "contentMediaType" in schema


def _read_part(values: Values, pointer: str | None, part: Part) -> Any:
    """One part's value, as its property's schema types it."""
    if pointer is not None and is_binary(values, pointer):
        return part.content.decode("latin-1") if isinstance(part.content, bytes) else part.content
    if isinstance(part.content, bytes):
        try:
            text = part.content.decode("utf-8")
        except UnicodeDecodeError:
            return part.content.decode("latin-1")
    else:
        text = part.content
    types = values.types(pointer) if pointer is not None else ("string",)
    if "object" in types or ("array" in types and kind_of(part.content_type) == JSON):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return scalar(text, types)


def value_of_parts(values: Values, pointer: str | None, parts: Iterable[Part]) -> dict[str, Any]:
    """The JSON object a form or multipart body means, by the body's schema at `pointer`: each part read
    as its property's type; a property of array type gathers every part of its name (`ids` repeated, or
    `ids[]` as PHP-style clients write it)."""
    properties = values.properties(pointer) if pointer is not None else {}
    extra = values.child(pointer, "additionalProperties") if pointer is not None else None
    value: dict[str, Any] = {}
    arrays: set[str] = set()
    for part in parts:
        name = part.name
        if name not in properties and name.endswith("[]") and name[:-2] in properties:
            name = name[:-2]
        where = properties.get(name, extra)
        if where is not None and "array" in values.types(where) and "object" not in values.types(where):
            items = values.child(where, "items")
            read = _read_part(values, items, part)
            if isinstance(read, list) and kind_of(part.content_type) == JSON:
                value[name] = read
                continue
            value.setdefault(name, [])
            if isinstance(value[name], list):
                value[name].append(read)
            arrays.add(name)
            continue
        if name in value and name not in arrays:
            # A part sent twice where one value is allowed: both kept, so the schema says what is wrong.
            earlier = value[name]
            value[name] = [
                *(earlier if isinstance(earlier, list) else [earlier]),
                _read_part(values, where, part),
            ]
            continue
        value[name] = _read_part(values, where, part)
    return value


# --- a body from a value --------------------------------------------------------------------------


def parts_of(values: Values, pointer: str | None, value: Any) -> list[Part]:
    """The parts that carry an object's properties: a file property as a file part (its text's bytes),
    an array of scalars as the part repeated, an object or an array of objects as JSON text."""
    if not isinstance(value, dict):
        return [Part("body", json.dumps(value))]
    properties = values.properties(pointer) if pointer is not None else {}
    found = []
    for name, item in value.items():
        where = properties.get(name)
        if where is not None and is_binary(values, where):
            content = item.encode("utf-8") if isinstance(item, str) else json.dumps(item).encode("utf-8")
            media = values.schema(where).get("contentMediaType")
            found.append(Part(name, content, f"{name}.bin", str(media or "application/octet-stream")))
        elif isinstance(item, list) and all(not isinstance(each, dict | list) for each in item):
            found += [Part(name, text_of(each)) for each in item]
        elif isinstance(item, dict | list):
            found.append(Part(name, json.dumps(item, ensure_ascii=False), content_type="application/json"))
        else:
            found.append(Part(name, text_of(item)))
    return found


def encode_form(parts: Iterable[Part]) -> bytes:
    """An `application/x-www-form-urlencoded` body."""
    pairs = [
        (part.name, part.content.decode("latin-1") if isinstance(part.content, bytes) else part.content)
        for part in parts
    ]
    return urlencode(pairs).encode("ascii")


def encode_multipart(parts: Iterable[Part], boundary: str | None = None) -> tuple[bytes, str]:
    """A `multipart/form-data` body (RFC 7578) and its Content-Type, with its boundary."""
    parts = list(parts)
    # Deterministic (the same parts, the same bytes: a failure reproduces byte for byte), and never
    # inside any part's content.
    digest = hashlib.sha256(repr([astuple(part) for part in parts]).encode("utf-8"))
    salt = 0
    while boundary is None or any(boundary.encode("utf-8") in _as_bytes(part.content) for part in parts):
        boundary = f"contract-{digest.hexdigest()[:24]}{salt or ''}"
        salt += 1
    chunks: list[bytes] = []
    for part in parts:
        disposition = f'form-data; name="{_quoted(part.name)}"'
        if part.filename is not None:
            disposition += f'; filename="{_quoted(part.filename)}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if part.content_type:
            head += f"Content-Type: {part.content_type}\r\n"
        content = _as_bytes(part.content)
        chunks += [head.encode("utf-8"), b"\r\n", content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(chunks), f"{MULTIPART_TYPE}; boundary={boundary}"


def _as_bytes(content: bytes | str) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


def _quoted(text: str) -> str:
    # RFC 7578 4.2: a name's quote and line breaks percent-encoded, as browsers do.
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def encode(values: Values, pointer: str | None, kind: str, value: Any) -> tuple[bytes, str | None]:
    """A body of `kind` carrying `value` and the Content-Type to send it with (None: the caller's)."""
    if kind == MULTIPART:
        return encode_multipart(parts_of(values, pointer, value))
    if kind == FORM:
        return encode_form(parts_of(values, pointer, value)), FORM_TYPE
    if kind in (TEXT, BINARY):
        if isinstance(value, bytes):
            return value, None
        return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8"), None
    return json.dumps(value, ensure_ascii=False).encode("utf-8"), None


# --- server-sent events ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One server-sent event (the WHATWG HTML standard, 9.2)."""

    data: str
    event: str = "message"
    id: str | None = None


@dataclass(frozen=True)
class EventStream:
    events: tuple[Event, ...]
    complete: bool  # the stream ended at an event's end (a blank line), not inside one


def parse_events(raw: bytes) -> EventStream:
    """The events of a `text/event-stream` body; an event the stream cut short is not one of them."""
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    blocks = text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n")
    events = [event for event in map(_event, blocks[:-1]) if event is not None]
    # What follows the last blank line is an event the stream has not ended (comments aside).
    complete = all(line == "" or line.startswith(":") for line in blocks[-1].split("\n"))
    return EventStream(tuple(events), complete)


def _event(block: str) -> Event | None:
    data: list[str] = []
    name, event_id = "message", None
    for line in block.split("\n"):
        if not line or line.startswith(":"):
            continue
        field, _, rest = line.partition(":")
        rest = rest.removeprefix(" ")
        if field == "data":
            data.append(rest)
        elif field == "event":
            name = rest or "message"
        elif field == "id":
            event_id = rest
    return Event("\n".join(data), name, event_id) if data else None


def encode_events(datas: Iterable[Any], *, done: str | None = None) -> Iterator[bytes]:
    """Each value as one server-sent event of JSON data; then `done` (`[DONE]`) as the last, if given."""
    for value in datas:
        yield f"data: {json.dumps(value, ensure_ascii=False)}\n\n".encode()
    if done is not None:
        yield f"data: {done}\n\n".encode()


def is_terminator(data: str) -> bool:
    """A last event that only says the stream ended (`[DONE]`, as OpenAI's and others' streams end)."""
    return data.startswith("[") and data.endswith("]") and data[1:-1].isalpha()
