"""ASGI plumbing of the judging mock and the validating proxy: a request as it went on the wire, read once
and replayed to the app behind; JSON answers of their own; where their report is served."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from contract_tests.rules.exchange import Sent

# Where a mock or a proxy answers its report so far: a path no spec of an API takes.
REPORT_PATH = "/__contract/report"


def _headers(scope: Scope) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]


def sent_of(scope: Scope, body: bytes) -> Sent:
    """The request as it went on the wire, from an ASGI scope."""
    headers = _headers(scope)
    host = next((value for name, value in headers if name.lower() == "host"), "")
    if not host and scope.get("server"):
        host = f"{scope['server'][0]}:{scope['server'][1]}"
    query = scope.get("query_string", b"").decode("latin-1")
    url = f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}"
    return Sent(scope["method"], url + (f"?{query}" if query else ""), headers, body)


async def read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    return b"".join(message.get("body", b"") for message in messages), messages


def replaying(messages: list[Message]) -> Receive:
    """A receive that hands the app the request the mock has read, then a disconnect."""
    queue = list(messages)

    async def receive() -> Message:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    return receive


async def send_json(send: Send, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    content = json.dumps(body).encode()
    listed = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
    listed += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": listed})
    await send({"type": "http.response.body", "body": content})
