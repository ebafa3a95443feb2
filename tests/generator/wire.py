"""What a generated client puts on the wire, read back by other code than httpx's: a recording in-memory
server (httpx.MockTransport), and the standard library's MIME parser for multipart bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, cast

import httpx


@dataclass(frozen=True)
class Part:
    """One part of a multipart/form-data body, as a server reads it."""

    name: str | None
    filename: str | None
    content_type: str
    content: bytes

    def describe(self) -> dict[str, Any]:
        shown = (
            self.content[:60].decode("utf-8", "replace") if len(self.content) > 60 else self.content.decode()
        )
        return {
            "name": self.name,
            "filename": self.filename,
            "content_type": self.content_type,
            "bytes": shown,
        }


def multipart_parts(request: httpx.Request) -> list[Part]:
    """The parts of a multipart/form-data request, split at the boundary its Content-Type names."""
    content_type = request.headers.get("content-type", "")
    assert content_type.startswith("multipart/form-data;"), f"Content-Type is {json.dumps(content_type)}"
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    assert message.is_multipart(), f"a body that is not multipart: {request.content[:200]!r}"
    parts = []
    for part in message.iter_parts():
        payload = cast(bytes, part.get_payload(decode=True))
        parts.append(
            Part(
                name=part.get_param("name", header="content-disposition"),  # type: ignore[arg-type]
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                content=payload,
            )
        )
    return parts


@dataclass
class Server:
    """An in-memory server: records each request (its body read) and answers with `answers`, in turn
    (the last one again once they run out)."""

    answers: list[Callable[[httpx.Request], httpx.Response]]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        return answer(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    @property
    def last(self) -> httpx.Request:
        assert self.requests, "the client sent no request"
        return self.requests[-1]


def answer_json(body: Any, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body)


def answer_bytes(content: bytes, content_type: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, content=content, headers={"Content-Type": content_type})
