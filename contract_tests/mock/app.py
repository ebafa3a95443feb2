"""The judging mock as an ASGI app: the reference server (any ASGI app of the spec) behind a judge of every
request on the client's side (contract_tests.rules.traffic), with faults on demand (faults.py) and the
report at `GET /__contract/report`.

What a client sends reaches the server unchanged, and what the server answers reaches the client
unchanged: the mock only watches, unless a fault was asked for (its answer then carries
`X-Contract-Fault`, naming the fault). The spec's paths are served both under the servers' base path
(`/v1/assistants`) and at the root (`/assistants`), as Prism serves them; any other path is a 404 that
says where the API lives.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contract_tests.api.errors import fit_error
from contract_tests.api.model import Api, segments
from contract_tests.asgi import REPORT_PATH, read_body, replaying, send_json, sent_of
from contract_tests.mock.faults import FAULT_HEADER, Fault, FaultPlan
from contract_tests.rules.exchange import Received
from contract_tests.rules.traffic import Judged, TrafficJudge, where_served

_REASONS = {429: "Rate limit reached for requests.", 503: "The server is overloaded.", 500: "Server error."}


def served_prefixes(api: Api) -> tuple[str, ...]:
    """Where the mock serves the spec's paths: under the servers' base path first, and at the root."""
    return (api.base_path, "") if api.base_path else ("",)


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
        self.prefixes = served_prefixes(api)

    def served(self, scope: Scope) -> Scope | None:
        """The request as the app serves it (under the spec's base path), or None for a path of no
        operation under any prefix the mock serves."""
        path: str = scope["path"]
        if path.startswith("/__contract/"):
            return scope  # the app's own pages
        prefix = self.api.prefix_of(path, self.prefixes)
        if prefix is None:
            return None
        base = self.api.base_path
        if prefix == base:
            return scope
        rest = "/" + "/".join(segments(path)[len(segments(prefix)) :])
        raw: bytes = scope.get("raw_path") or path.encode("utf-8")
        cut = len(prefix.encode("utf-8"))
        return {**scope, "path": base + rest, "raw_path": base.encode("utf-8") + raw[cut:]}

    async def not_served(self, sent_path: str, method: str, send: Send) -> None:
        said = (
            f"No operation of the spec at {method} {sent_path}: the mock serves the spec's paths"
            f" {where_served(self.api, self.prefixes)}."
        )
        error = {"message": said, "type": "invalid_request_error", "param": None, "code": "not_found"}
        await send_json(send, 404, fit_error(self.api, None, 404, {"error": error}, said))

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
        served = self.served(scope)
        if served is None:
            await self.not_served(scope["path"], scope["method"], send)
            return
        scope = served
        asked = sent.header(FAULT_HEADER)
        try:
            fault = self.faults.choose(asked, judged.operation.operation_id if judged.operation else None)
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
        marked = [*start.get("headers", []), (FAULT_HEADER.encode(), b"truncate")]
        await send({"type": "http.response.start", "status": start["status"], "headers": marked})
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
                self.judge.answered(judged, Received(0, [], b""), injected=True)
                return True
            raise ConnectionAbortedError("the fault `drop` asked for")  # the server then closes it
        if fault.kind == "truncate":
            await self.forward(scope, messages, send, cut=True)
            # The client never read a whole answer: to it, no status came (a transport error it may retry).
            self.judge.answered(judged, Received(0, [], b""), injected=True)
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
        marks = {FAULT_HEADER: str(fault.status)}
        if fault.status in (429, 503):
            marks["retry-after"] = f"{fault.seconds:g}"
        await send_json(send, fault.status, body, marks)
        self.judge.answered(judged, Received(fault.status, list(marks.items()), b""), injected=True)
        return True
