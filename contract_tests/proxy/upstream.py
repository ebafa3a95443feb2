"""The proxy's connections to the upstream server: httpcore's HTTP/1.1 connections, kept open between
requests on a plain free list.

httpx's (and httpcore's) connection pool scans every connection it holds at each request and each
answer, which at 32 requests in flight cost the proxy more than the judging did (about 800 requests/s,
p99 over 100 ms). A proxy needs less than a general pool: one origin, a connection per request in
flight, reused when the upstream keeps it open.
"""

from __future__ import annotations

from urllib.parse import SplitResult, quote, urlsplit

import httpcore
import httpx

from contract_tests.proxy.streams import AsyncioBackend

# Generous: a proxy's own timeout should never be what a client's test meets first.
_TIMEOUTS = {"connect": 10.0, "read": 60.0, "write": 60.0, "pool": 60.0}
KEEP_ALIVE_SECONDS = 4.0  # under the usual servers' keep-alive (uvicorn's is 5 s, nginx's 75 s)
_KEPT = 64  # idle connections kept at most; more in flight are closed when done

Answer = tuple[int, list[tuple[str, str]], bytes]


class UpstreamError(Exception):
    """The upstream server could not be reached or did not answer: a one-line reason."""


def upstream_parts(base_url: str) -> SplitResult:
    """`base_url` split; ValueError unless it is an http(s) URL with a host (and a port from 1 to 65535)."""
    parts = urlsplit(base_url)
    try:
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is not a number, or out of range
        usable = False
    if not usable:
        raise ValueError(f"not an http(s) URL with a host: {base_url}")
    return parts


class Upstream:
    """Requests to one origin, sent exactly as given (no header of its own but Host and Content-Length,
    no redirect followed, no body decoded)."""

    def __init__(self, base_url: str) -> None:
        parts = upstream_parts(base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        hostname = (parts.hostname or "").encode("idna")
        self.origin = httpcore.Origin(parts.scheme.encode(), hostname, port)
        self.prefix = quote(parts.path.rstrip("/"), safe="/%:@!$&'()*+,;=").encode("ascii")
        # Host as the URL names it: httpcore writes an IPv6 address without its brackets.
        named = b"[" + hostname + b"]" if b":" in hostname else hostname
        self.host = named + (f":{parts.port}".encode() if parts.port else b"")
        # The same certificates as httpx's own client would trust (certifi's).
        self.ssl_context = httpx.create_ssl_context() if parts.scheme == "https" else None
        self.idle: list[httpcore.AsyncHTTPConnection] = []
        # Plain HTTP on asyncio's streams (faster); TLS through httpcore's own backend, as tested there.
        self.backend = AsyncioBackend() if parts.scheme == "http" else None

    async def _connection(self) -> httpcore.AsyncHTTPConnection:
        while self.idle:
            connection = self.idle.pop()
            if connection.is_available() and not connection.has_expired():
                return connection
            await connection.aclose()  # its socket would stay open until the upstream closed it
        return httpcore.AsyncHTTPConnection(
            self.origin,
            ssl_context=self.ssl_context,
            keepalive_expiry=KEEP_ALIVE_SECONDS,
            network_backend=self.backend,
        )

    async def send(self, method: str, target: bytes, headers: list[tuple[str, str]], body: bytes) -> Answer:
        """`target`: the path and query as the client sent them, still percent-encoded."""
        connection = await self._connection()
        origin = self.origin
        url = httpcore.URL(
            scheme=origin.scheme, host=origin.host, port=origin.port, target=self.prefix + target
        )
        sent = [(b"host", self.host)]
        sent += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
        try:
            response = await connection.request(
                method,
                url,
                headers=sent,
                content=body or None,
                extensions={"timeout": _TIMEOUTS},
            )
        except (httpcore.ConnectError, httpcore.TimeoutException, httpcore.NetworkError) as exc:
            await connection.aclose()
            raise UpstreamError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc
        except httpcore.ProtocolError as exc:
            await connection.aclose()
            raise UpstreamError(f"{type(exc).__name__}: {exc}") from exc
        if connection.is_available() and len(self.idle) < _KEPT:
            self.idle.append(connection)
        else:
            await connection.aclose()
        answered = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers]
        return response.status, answered, response.content

    async def aclose(self) -> None:
        idle, self.idle = self.idle, []
        for connection in idle:
            try:
                await connection.aclose()
            except Exception:  # opened on an event loop that has ended: the process closes it
                continue
