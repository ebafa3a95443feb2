"""An ASGI middleware that lets a broken server change one thing in a request or a response.

The reference server stays untouched: each gallery server wraps it and edits what goes in or comes out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contract_tests.api.model import Api, Operation
from contract_tests.api.resources import Resource, Role


@dataclass
class Request:
    method: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    path: str = ""
    query: str = ""  # as sent, percent-encoded


@dataclass
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


class Acted(NamedTuple):
    """What a request acts on: its operation, the path's parameters, the resource and how."""

    op: Operation
    path: dict[str, str]
    resource: Resource
    role: Role


def acted_on(api: Api, request: Request) -> Acted | None:
    """The resource a request acts on and how (None for an operation of no resource)."""
    found = api.match(request.method, request.path)
    role = api.role(found[0]) if found is not None else None
    if found is None or role is None:
        return None
    return Acted(found[0], found[1], *role)


EditRequest = Callable[[Request], Request | Reply]  # a Reply answers without calling the server
EditReply = Callable[[Request, Reply], Reply]


class Rewrite:
    """Wraps an ASGI app; `request` edits what it receives, `reply` edits what it answers."""

    def __init__(
        self, app: ASGIApp, *, request: EditRequest | None = None, reply: EditReply | None = None
    ) -> None:
        self.app = app
        self.edit_request = request
        self.edit_reply = reply

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(
            scope["method"],
            _decode(scope["headers"]),
            await _read_body(receive),
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
        )
        edited = self.edit_request(request) if self.edit_request else request
        if isinstance(edited, Reply):
            await _send_reply(send, edited)
            return
        scope = {
            **scope,
            "method": edited.method,
            "headers": _encode(edited.headers),
            "query_string": edited.query.encode("latin-1"),
        }
        if edited.path != scope["path"]:
            scope = {**scope, "path": edited.path, "raw_path": edited.path.encode("utf-8")}
        reply = Reply(0)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": edited.body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                reply.status = message["status"]
                reply.headers = _decode(message.get("headers", []))
            elif message["type"] == "http.response.body":
                reply.body += message.get("body", b"")

        await self.app(scope, replay, capture)
        await _send_reply(send, self.edit_reply(edited, reply) if self.edit_reply else reply)


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if not message.get("more_body", False):
            return body


async def _send_reply(send: Send, reply: Reply) -> None:
    headers = {**reply.headers, "content-length": str(len(reply.body))}
    await send({"type": "http.response.start", "status": reply.status, "headers": _encode(headers)})
    await send({"type": "http.response.body", "body": reply.body})


def _decode(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in headers}


def _encode(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
