"""An ASGI app in front of another that records every request it gets, one JSON line each, as the client
chose it: for the same-seed test, which compares the lines of runs made from different entry points.

Left out is what differs between runs by nature: the port in Host, schemathesis's random case id. And
what the server made is not the client's choice: an id the server put in an answer differs run to run,
yet a later request carries it (a retrieve of what a create made). So the recorder remembers every string
of the server's JSON answers that no request had carried before, numbered in the order the server made
them, and records each later request with those values, where it carries them whole (a path segment, a
query value, a header value, a JSON string of the body), as `<made N>`.

Standalone (the standard library only): the test copies it next to the app it wraps, in a directory
with nothing of this repository in it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MADE = "<made "  # what a value the server made is recorded as: `<made 1>`, `<made 2>`...
SKIPPED_HEADERS = frozenset(
    {"host", "x-schemathesis-testcaseid", "user-agent", "connection", "accept-encoding"}
)


def strings(value: Any) -> Iterator[str]:
    """Every string of a JSON value: its strings and its objects' keys, at any depth."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)


def answer_values(content_type: str, body: bytes) -> list[Any]:
    """The JSON values of an answer: its body, or each `data:` line of an event stream; none otherwise."""
    texts = [body]
    if "event-stream" in content_type:
        texts = [line[5:].strip() for line in body.splitlines() if line.startswith(b"data:")]
    elif "json" not in content_type:
        return []
    found = []
    for text in texts:
        try:
            found.append(json.loads(text))
        except ValueError:
            continue
    return found


class MadeValues:
    """The strings the server's answers held that no request had carried before, numbered in order."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.carried: set[str] = set()

    def sent(self, values: Iterator[str] | list[str]) -> None:
        self.carried.update(values)

    def answered(self, values: list[Any]) -> None:
        for value in values:
            for text in strings(value):
                if text not in self.carried and text not in self.numbers:
                    self.numbers[text] = len(self.numbers) + 1

    def token(self, text: str) -> str | None:
        number = self.numbers.get(text)
        return None if number is None else f"{MADE}{number}>"


def record(
    made: MadeValues, method: str, path: str, query: str, *, headers: list[tuple[str, str]], body: bytes
) -> list[Any]:
    """The line of one request: method, path, query, headers (sorted), body (hex), with the values the
    server made as their tokens; the request's own values are then known as carried."""
    segments = path.split("/")
    pairs = [pair.split("=", 1) for pair in query.split("&")] if query else []
    carried = [*segments, *(value for name, value in headers)]
    carried += [unquote_plus(pair[1]) for pair in pairs if len(pair) == 2]
    path = "/".join(made.token(segment) or segment for segment in segments)
    query = "&".join(
        f"{pair[0]}={made.token(unquote_plus(pair[1])) or pair[1]}" if len(pair) == 2 else pair[0]
        for pair in pairs
    )
    headers = [(name, made.token(value) or value) for name, value in headers]
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    for text in set(strings(parsed)):
        token = made.token(text)
        carried.append(text)
        if token is not None:
            for literal in {json.dumps(text), json.dumps(text, ensure_ascii=False)}:
                body = body.replace(literal.encode(), json.dumps(token).encode())
    made.sent(carried)
    return [method, path, query, sorted(headers), body.hex()]


def recording(app: App, sink: Path | str) -> App:
    """`app` behind a recorder that appends each request's line (see `record`) to the file `sink`."""
    made = MadeValues()

    async def recorder(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        body = b"".join(message.get("body", b"") for message in messages)
        headers = [
            (name.decode("latin-1").lower(), value.decode("latin-1"))
            for name, value in scope["headers"]
            if name.decode("latin-1").lower() not in SKIPPED_HEADERS
        ]
        query = scope["query_string"].decode("latin-1")
        line = record(made, scope["method"], scope["path"], query, headers=headers, body=body)
        with open(sink, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")

        async def replay() -> Message:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        content_type = ""
        chunks: list[bytes] = []

        async def remember(message: Message) -> None:
            nonlocal content_type
            if message["type"] == "http.response.start":
                for name, value in message.get("headers", []):
                    if name.decode("latin-1").lower() == "content-type":
                        content_type = value.decode("latin-1").lower()
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    # Before the client can read the answer: a request that carries its values comes later.
                    made.answered(answer_values(content_type, b"".join(chunks)))
            await send(message)

        await app(scope, replay, remember)

    return recorder
