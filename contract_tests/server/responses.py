"""The server's answers: JSON, bytes, text or a stream of events, framed by the server (never by a header
copied from the spec); and its error, OpenAI's {"error": {"message", "type", "param", "code"}}, made to fit
what the spec documents for the status (contract_tests.api.errors)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from starlette.responses import Response, StreamingResponse

from contract_tests.api.errors import fit_error
from contract_tests.api.media import BINARY, EVENTS, EVENTS_TYPE, TEXT, bare, encode_events
from contract_tests.api.model import Api, Operation


def json_response(body: Any, status_code: int, headers: dict[str, str] | None = None) -> Response:
    """A JSON response; lone surrogates a client sent are echoed escaped rather than crashing."""
    try:
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        content = json.dumps(body, separators=(",", ":")).encode("ascii")
    kept = {name: value for name, value in (headers or {}).items() if name.lower() not in HOP_BY_HOP}
    return Response(content, status_code, kept, media_type="application/json")


class APIError(Exception):
    """A request the server rejects, carrying what the error response says."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        error_type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.param = param
        self.code = code
        self.error_type = error_type
        self.headers = headers

    def body(self, api: Api | None = None, op: Operation | None = None) -> Any:
        error = {"message": self.message, "type": self.error_type, "param": self.param, "code": self.code}
        body: Any = {"error": error}
        if api is not None:
            body = fit_error(api, op, self.status_code, body, self.message)
        return body

    def response(self, api: Api | None = None, op: Operation | None = None) -> Response:
        return json_response(self.body(api, op), self.status_code, self.headers)


# Framing is the server's own (RFC 9112, 6): a response header the spec documents by one of these names
# is not copied from the spec (a documented `Transfer-Encoding: chunked` is kept by streaming the body).
HOP_BY_HOP = frozenset(
    {"transfer-encoding", "content-length", "connection", "keep-alive", "upgrade", "te", "trailer"}
)


def streamed(api: Api, op: Operation, headers: Any, body: Any) -> bool:
    """Whether the client asked for the answer as server-sent events: where the success lists an event
    stream beside JSON, by `Accept: text/event-stream` or by the request's own flag for it (a boolean the
    spec says sends server-sent events, such as `stream: true`); where it lists only a stream, always."""
    success = op.success
    if success.kind == EVENTS:
        return True
    if success.stream_schema_pointer is None:
        return False
    accept = str(headers.get("accept") or "")
    if EVENTS_TYPE in accept and "application/json" not in accept:
        return True
    flag = api.stream_flag(op)
    return flag is not None and isinstance(body, dict) and body.get(flag) is True


def success_response(api: Api, op: Operation, answer: Any, call: Any, headers: dict[str, str]) -> Response:
    """The success answer in its media type: JSON, bytes, text, or a stream of events."""
    status = op.success_status
    framing = {name: value for name, value in headers.items() if name.lower() not in HOP_BY_HOP}
    # A documented Transfer-Encoding says the body comes chunked (its value is the server's, not the spec's).
    chunked = any(name.lower() == "transfer-encoding" for name in headers)
    if call.stream:
        events = answer if isinstance(answer, list) else [answer]
        done = api.stream_terminator(op)
        return StreamingResponse(
            _aiter(encode_events(events, done=done)),
            status,
            {**framing, "Cache-Control": "no-cache"},
            media_type=EVENTS_TYPE,
        )
    kind = op.success.kind
    if kind in (BINARY, TEXT) and isinstance(answer, bytes | str):
        content = answer.encode("utf-8") if isinstance(answer, str) else answer
        media = concrete(op.success.other_media_type or "application/octet-stream")
        if chunked:  # the spec says the body comes chunked: stream it, so uvicorn frames it so
            return StreamingResponse(_aiter(_pieces(content)), status, framing, media_type=media)
        return Response(content, status, framing, media_type=media)
    return json_response(answer, status, framing)


def concrete(media: str) -> str:
    """A media type a response can carry for a documented range (`audio/*`: `audio/mpeg`)."""
    name = bare(media)
    ranges = {"*/*": "application/octet-stream", "audio/*": "audio/mpeg", "image/*": "image/png"}
    if name in ranges:
        return ranges[name]
    if name.endswith("/*"):
        return name[:-1] + "octet-stream"
    return media


def _pieces(content: bytes, size: int = 16 * 1024) -> Iterator[bytes]:
    for start in range(0, max(len(content), 1), size):
        yield content[start : start + size]


async def _aiter(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
