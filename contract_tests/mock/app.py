"""The judging mock as an ASGI app: the reference server (any ASGI app of the spec) behind a judge of every
request on the client's side (contract_tests.rules.traffic), with faults on demand (faults.py) and the
report at `GET /__contract/report`.

What a client sends reaches the server unchanged, and what the server answers reaches the client
unchanged: the mock only watches, unless a fault was asked for.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contract_tests.api.errors import fit_error
from contract_tests.api.model import Api
from contract_tests.asgi import REPORT_PATH, read_body, replaying, send_json, sent_of
from contract_tests.mock.faults import FAULT_HEADER, Fault, FaultPlan
from contract_tests.rules.exchange import Received
from contract_tests.rules.traffic import Judged, TrafficJudge

_REASONS = {429: "Rate limit reached for requests.", 503: "The server is overloaded.", 500: "Server error."}


def _transport(send: Send) -> Any:
    """The connection's transport, where the server exposes it (uvicorn's `send` is a bound method of an
    object holding it): the only way an ASGI app can close a connection without any answer."""
    return getattr(getattr(send, "__self__", None), "transport", None)


class JudgingMock:
    """`app` (the reference server), each request judged on the client's side, faults on demand."""

    def __init__(self, app: ASGIApp, api: Api, judge: TrafficJudge, faults: FaultPlan) -> None:
        self.app = app
        self.api = api
        self.judge = judge
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == REPORT_PATH and scope["method"] == "GET":
            await send_json(send, 200, self.judge.report.as_json())
            return
        body, messages = await read_body(receive)
        sent = sent_of(scope, body)
        judged = self.judge.request(sent)
        asked = sent.header(FAULT_HEADER)
        try:
            fault = self.faults.choose(asked)
        except ValueError as exc:
            await send_json(
                send,
                400,
                {
                    "error": {
                        "message": f"{FAULT_HEADER}: {exc}",
                        "type": "invalid_request_error",
                        "param": FAULT_HEADER,
                        "code": None,
                    }
                },
            )
            return
        if fault is not None:
            handled = await self.fault(fault, judged, scope, messages, send)
            if handled:
                return
        status, headers = await self.forward(scope, messages, send)
        self.judge.answered(judged, Received(status, headers, b""))

    async def forward(
        self, scope: Scope, messages: list[Message], send: Send, cut: bool = False
    ) -> tuple[int, list[tuple[str, str]]]:
        """Pass the request to the app and its answer to the client (cut in the middle, for `truncate`)."""
        seen: dict[str, Any] = {"status": 0, "headers": []}
        if cut:
            return await self._cut(scope, messages, send)

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                seen["headers"] = [
                    (n.decode("latin-1"), v.decode("latin-1")) for n, v in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, replaying(messages), watching)
        return seen["status"], seen["headers"]

    async def _cut(
        self, scope: Scope, messages: list[Message], send: Send
    ) -> tuple[int, list[tuple[str, str]]]:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, replaying(messages), capture)
        body = b"".join(chunks)
        await send(
            {"type": "http.response.start", "status": start["status"], "headers": start.get("headers", [])}
        )
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        transport = _transport(send)
        if transport is not None:
            transport.close()
        else:  # no transport to close: end the body short of its Content-Length, which HTTP reads as cut
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in start.get("headers", [])]
        return int(start["status"]), headers

    async def fault(
        self, fault: Fault, judged: Judged, scope: Scope, messages: list[Message], send: Send
    ) -> bool:
        """Answer with the fault; False when the request still goes to the app (after a latency)."""
        if fault.kind == "latency":
            await asyncio.sleep(fault.seconds)
            return False
        if fault.kind == "drop":
            transport = _transport(send)
            if transport is not None:
                transport.close()
                self.judge.answered(judged, Received(0, [], b""))
                return True
            raise ConnectionAbortedError("the fault `drop` asked for")  # the server then closes it
        if fault.kind == "truncate":
            await self.forward(scope, messages, send, cut=True)
            # The client never read a whole answer: to it, no status came (a transport error it may retry).
            self.judge.answered(judged, Received(0, [], b""))
            return True
        message = _REASONS.get(fault.status, "Server error.")
        error = {
            "message": f"{message} (a fault the mock was asked for)",
            "type": "server_error" if fault.status >= 500 else "requests",
            "param": None,
            "code": "rate_limit_exceeded" if fault.status == 429 else None,
        }
        said = f"{message} (a fault the mock was asked for)"
        body = fit_error(self.api, judged.operation, fault.status, {"error": error}, said)
        wait = {"retry-after": f"{fault.seconds:g}"} if fault.status in (429, 503) else {}
        await send_json(send, fault.status, body, wait)
        self.judge.answered(judged, Received(fault.status, list(wait.items()), b""))
        return True
