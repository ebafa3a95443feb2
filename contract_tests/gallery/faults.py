"""A TCP front for servers that misbehave below HTTP: close the connection without a response, or
never answer. An ASGI app cannot do either (uvicorn answers 500 for it), so the front reads each
request itself and forwards it to the app, drops it or holds it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

Action = Literal["forward", "drop", "hang"]
Decide = Callable[[bytes, bytes], Action]  # (request head, request body) -> what to do
_HEAD_LIMIT = 1 << 16
_BODY_LIMIT = 64 << 20


Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter, str, int], Any]


@contextmanager
def fronted(serve: Serve, upstream: str, port: int = 0, host: str = "127.0.0.1") -> Iterator[str]:
    """A TCP server on `port` whose connections `serve` handles, the upstream's host and port given."""
    target = urlsplit(upstream)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def main() -> None:
        stop = asyncio.Event()
        server = await asyncio.start_server(
            lambda reader, writer: serve(reader, writer, target.hostname or "", target.port or 80),
            host,
            port,
            limit=_HEAD_LIMIT,
        )
        box["stop"], box["port"] = stop, server.sockets[0].getsockname()[1]
        ready.set()
        await stop.wait()
        server.close()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the fault front did not start")
    try:
        yield f"http://{host}:{box['port']}"
    finally:
        loop.call_soon_threadsafe(box["stop"].set)
        thread.join(timeout=10)
        loop.close()


@dataclass
class FaultyFront:
    """`app` behind a front that `decide`s, request by request, whether to forward, drop or hang."""

    app: Any
    decide: Decide

    def front(self, upstream: str, port: int = 0, host: str = "127.0.0.1") -> AbstractContextManager[str]:
        return fronted(self._serve, upstream, port, host)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, port: int
    ) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            body = await reader.readexactly(min(_content_length(head), _BODY_LIMIT))
            action = self.decide(head, body)
            if action == "hang":
                await asyncio.sleep(3600)
            if action == "forward":
                writer.write(await _forward(host, port, _close_after(head), body))
                await writer.drain()
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ConnectionError,
            asyncio.CancelledError,
        ):
            pass  # the client went away, or the front is stopping (a held request is let go)
        finally:
            writer.close()  # after a drop: the connection ends with no response at all


@dataclass
class ClosingFront:
    """`app` behind a front that keeps connections alive as HTTP/1.1 does, but after an answer that
    `closes(status)` says ends the connection, drops the next request that comes on it with no answer at
    all (`only` methods of it; all if None): what a client meets when a server closes a kept-alive
    connection without saying so, as HTTP allows (RFC 9112, 9.6)."""

    app: Any
    closes: Callable[[int], bool]
    only: frozenset[str] | None = None

    def front(self, upstream: str, port: int = 0, host: str = "127.0.0.1") -> AbstractContextManager[str]:
        return fronted(self._serve, upstream, port, host)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, port: int
    ) -> None:
        closing = False
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                body = await reader.readexactly(min(_content_length(head), _BODY_LIMIT))
                method = head.split(b" ", 1)[0].decode("latin-1").upper()
                if closing and (self.only is None or method in self.only):
                    return  # the connection ends before any byte of an answer
                answer = await _forward(host, port, _close_after(head), body)
                status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
                writer.write(_kept_alive(answer))
                await writer.drain()
                closing = closing or self.closes(status)
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ConnectionError,
            asyncio.CancelledError,
            ValueError,
        ):
            pass
        finally:
            writer.close()


def _kept_alive(answer: bytes) -> bytes:
    """The upstream's answer without its `Connection: close`: the client keeps the connection."""
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value.strip())
    return 0


def _close_after(head: bytes) -> bytes:
    """The head with `Connection: close`, so that the upstream's answer ends with its connection."""
    lines = [
        line for line in head.rstrip(b"\r\n").split(b"\r\n") if not line.lower().startswith(b"connection:")
    ]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n"


async def _forward(host: str, port: int, head: bytes, body: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(head + body)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()
