"""Reading a request's body as the value its media type means (contract_tests.api.media): JSON parsed
strictly, a form or an upload split into its parts by starlette's own readers (python-multipart), text
and bytes as they came. What cannot be read is a 400 (or the documented status) saying why."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from contract_tests.api.media import BINARY, FORM, JSON, MULTIPART, TEXT, Part, value_of_parts
from contract_tests.api.model import Api, RequestBody

# python-multipart logs each malformed byte it meets: a client's bad upload is answered, not logged.
logging.getLogger("python_multipart").setLevel(logging.ERROR)

NO_BODY: Any = object()  # an optional body left out (no bytes, whatever the Content-Type said)


class Unreadable(Exception):
    """The body is not what its media type says: the reason, for a 400."""


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body."""

    name: str  # the part's name
    filename: str | None
    content_type: str | None
    content: bytes


@dataclass
class Read:
    value: Any  # what the body means, for the schema to judge
    uploads: list[Upload] = field(default_factory=list)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


async def _once(raw: bytes) -> AsyncGenerator[bytes, None]:
    yield raw


async def read(api: Api, body: RequestBody, raw: bytes, headers: Headers) -> Read:
    """The value of a request body of `body`'s kind; NO_BODY for an optional one sent empty."""
    if not raw and not body.required:
        return Read(NO_BODY)  # `Content-Type: application/json` and no bytes: no body (RFC 9110, 8.6)
    if body.kind == JSON:
        return Read(_json(raw))
    if body.kind in (FORM, MULTIPART):
        return await _form(api, body, raw, headers)
    if body.kind == TEXT:
        try:
            return Read(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise Unreadable(f"The request body is not UTF-8 text (byte {exc.start}).") from None
    assert body.kind == BINARY
    return Read(raw.decode("latin-1"), [Upload("body", None, headers.get("content-type"), raw)])


def _json(raw: bytes) -> Any:
    if not raw.strip():
        raise Unreadable("The request body is empty: send a JSON value.")
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise Unreadable(f"The request body is not valid JSON: {exc}") from None


async def _form(api: Api, body: RequestBody, raw: bytes, headers: Headers) -> Read:
    try:
        if body.kind == MULTIPART:
            form = await MultiPartParser(headers, _once(raw), max_part_size=len(raw) + 1).parse()
        else:
            form = await FormParser(headers, _once(raw)).parse()
    except MultiPartException as exc:
        raise Unreadable(f"The request body is not {body.media_type}: {exc}") from None
    except (ValueError, KeyError, UnicodeError) as exc:
        raise Unreadable(f"The request body is not {body.media_type}: {exc}") from None
    parts: list[Part] = []
    uploads: list[Upload] = []
    for name, item in form.multi_items():
        if isinstance(item, UploadFile):
            content = await item.read()
            await item.close()
            parts.append(Part(name, content, item.filename, item.content_type))
            uploads.append(Upload(name, item.filename, item.content_type, content))
        else:
            parts.append(Part(name, item))
    return Read(value_of_parts(api.values, body.schema_pointer, parts), uploads)
