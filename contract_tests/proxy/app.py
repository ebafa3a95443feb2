"""The validating proxy as an ASGI app: each request judged on the client's side, forwarded unchanged to
the upstream server, its answer judged on the server's side (contract_tests.rules.traffic) and passed back
unchanged, with one header added when a rule was broken: `X-Contract-Violations`, naming each broken rule
and the side that broke it (`client:body_valid, server:valid_request_accepted`)."""

from __future__ import annotations

import asyncio
import zlib

import httpx
from starlette.types import Receive, Scope, Send

from contract_tests.asgi import REPORT_PATH, read_body, send_json, sent_of
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

    def __init__(self, upstream: str, judge: TrafficJudge, client: httpx.AsyncClient) -> None:
        self.upstream = upstream.rstrip("/")
        self.judge = judge
        self.client = client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == REPORT_PATH and scope["method"] == "GET":
            await send_json(send, 200, self.judge.report.as_json())
            return
        body, _ = await read_body(receive)
        sent = sent_of(scope, body)
        query = scope.get("query_string", b"").decode("latin-1")
        url = f"{self.upstream}{scope['path']}" + (f"?{query}" if query else "")
        # The request is judged (in a thread) while the upstream answers it: the judgment adds no time.
        forwarding = asyncio.ensure_future(
            self._forward(scope["method"], url, _forwarded(sent.headers), body)
        )
        judged = await asyncio.to_thread(self.judge.request, sent)
        try:
            status, headers, raw = await forwarding
        except httpx.HTTPError as exc:
            reason = f"the upstream server did not answer: {type(exc).__name__}"
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

    async def _forward(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        request = self.client.build_request(method, url, headers=headers, content=body or None)
        # Exactly the client's headers (httpx would add its own Accept, User-Agent...), the upstream's Host.
        given = {name.lower() for name, _ in headers} | {"content-length", "host"}
        for name in list(request.headers):
            if name.lower() not in given:
                del request.headers[name]
        response = await self.client.send(request, stream=True)
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        return response.status_code, [(n, v) for n, v in response.headers.multi_items()], raw


def upstream_client() -> httpx.AsyncClient:
    """A pooled client that changes nothing: no redirects followed, no decompression, no timeout of its own
    beyond a generous one."""
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    return httpx.AsyncClient(
        follow_redirects=False, timeout=httpx.Timeout(60.0), limits=limits, trust_env=False
    )
