"""The validating proxy as an ASGI app: each request judged on the client's side, forwarded unchanged to
the upstream server, its answer judged on the server's side (contract_tests.rules.traffic) and passed back
unchanged, with one header added when a rule was broken: `X-Contract-Violations`, naming each broken rule
and the side that broke it (`client:body_valid, server:valid_request_accepted`)."""

from __future__ import annotations

import asyncio
import zlib

from starlette.types import Receive, Scope, Send

from contract_tests.asgi import REPORT_PATH, read_body, send_json, sent_of
from contract_tests.proxy.upstream import Upstream, UpstreamError
from contract_tests.rules.exchange import Received
from contract_tests.rules.traffic import TrafficJudge

VIOLATIONS_HEADER = "x-contract-violations"
# RFC 9110 (7.6.1): connection-specific fields a proxy does not forward.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host"}
)


def _forwarded(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers if name.lower() not in _HOP_BY_HOP]


def _decoded(body: bytes, encoding: str | None) -> bytes:
    """The body as the client reads it (to judge it); what is passed on stays as it came."""
    try:
        if encoding == "gzip":
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return zlib.decompress(body)
    except zlib.error:
        return body
    return body


class ValidatingProxy:
    """Forwards to `upstream`, judging both directions."""

    def __init__(self, upstream: str, judge: TrafficJudge) -> None:
        self.upstream = upstream.rstrip("/")
        self.judge = judge
        self.client = Upstream(self.upstream)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == REPORT_PATH and scope["method"] == "GET":
            await send_json(send, 200, self.judge.report.as_json())
            return
        body, _ = await read_body(receive)
        sent = sent_of(scope, body)
        # The path as the client wrote it (percent-encoded), not as the server decoded it.
        query = scope.get("query_string", b"")
        target = (scope.get("raw_path") or scope["path"].encode("utf-8")) + (b"?" + query if query else b"")
        # The request is judged while the upstream answers it: the forwarding task runs until it waits
        # for the answer, then the judgment (on this thread: a thread of its own would fight the event
        # loop for the GIL) takes the time the upstream takes anyway.
        forwarding = asyncio.ensure_future(
            self.client.send(scope["method"], target, _forwarded(sent.headers), body)
        )
        await asyncio.sleep(0)
        judged = self.judge.request(sent)
        try:
            status, headers, raw = await forwarding
        except UpstreamError as exc:
            reason = f"the upstream server did not answer: {exc}"
            operation = judged.operation.operation_id if judged.operation else "(no operation)"
            self.judge.record(
                "server", "server_answers_every_request", operation, "the response", reason, sent, None
            )
            error = {"message": reason, "type": "proxy_error", "param": None, "code": None}
            await send_json(send, 502, {"error": error})
            return
        encoding = next(
            (value.lower() for name, value in headers if name.lower() == "content-encoding"), None
        )
        received = Received(status, headers, _decoded(raw, encoding))
        broken = [f"client:{violation.rule}" for violation in judged.violations]
        broken += [f"server:{name}" for name in self.judge.response(judged, received)]
        self.judge.answered(judged, received)
        passed = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in _forwarded(headers)]
        if broken:
            passed.append((VIOLATIONS_HEADER.encode(), ", ".join(dict.fromkeys(broken)).encode("latin-1")))
        await send({"type": "http.response.start", "status": status, "headers": passed})
        await send({"type": "http.response.body", "body": raw})
