"""One request the suite sent and the response that came back, with what the suite knows about it."""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from schemathesis import Case
from schemathesis.core.transport import Response

from contract_tests.suite.masking import Masker, printable

NOT_JSON: Any = object()  # the body sent or received was not a JSON value
_EXCERPT = 600
_INLINE_BODY = 2000  # bytes of a body a reproduction command spells out; longer ones go to a file
_CLIENT_HEADERS = {
    "user-agent",
    "accept-encoding",
    "accept",
    "connection",
    "content-length",
    "x-schemathesis-testcaseid",
}


# The suite's own, not the reference server's parser: the suite must share no code with what it judges.
def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes | str | None) -> Any:
    """The JSON value of a body, or NOT_JSON (NaN and Infinity are not JSON)."""
    if raw is None:
        return NOT_JSON
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return NOT_JSON


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


@dataclass
class Exchange:
    """A request sent and its response, or the fault that took the response's place (the connection
    closed or reset, no answer in time). `label` says what the request exercises."""

    label: str
    response: Response | None
    request: requests.PreparedRequest
    operation: str  # the operationId of the operation the request is for
    case: Case[Any] | None = None
    fault: str | None = None
    sent_key: str | None = None
    checks: tuple[str, ...] = ()
    # Statuses also right for this request, when it breaks several rules that the spec does not order.
    also_allowed: frozenset[int] = frozenset()
    # Whether sent_key is the caller's key (a reproduction reads it from $API_KEY), not one made from it.
    callers_key: bool = False
    _received: Any = field(default=NOT_JSON, repr=False)

    @property
    def status(self) -> int:
        """The response's status, or 0 for a fault."""
        return self.response.status_code if self.response is not None else 0

    @property
    def content(self) -> bytes:
        return self.response.content if self.response is not None else b""

    @property
    def response_headers(self) -> dict[str, list[str]]:
        return dict(self.response.headers) if self.response is not None else {}

    @property
    def request_body(self) -> bytes:
        body = self.request.body
        if isinstance(body, str):
            return body.encode("utf-8")
        return body if isinstance(body, bytes) else b""

    def request_header(self, name: str) -> str | None:
        """A header as sent (case-insensitive), or None."""
        value = self.request.headers.get(name)
        return value.decode("latin-1") if isinstance(value, bytes) else value

    @property
    def sent_json(self) -> Any:
        return parse_json(self.request_body) if self.request_body else NOT_JSON

    @property
    def received_json(self) -> Any:
        if self._received is NOT_JSON:
            self._received = parse_json(self.content) if self.response is not None else NOT_JSON
        return self._received

    @property
    def response_media_type(self) -> str:
        values = self.response_headers.get("content-type") or [""]
        return media_type(values[0])

    def describe(self, mask: Masker, bodies_dir: Path) -> str:
        """What was sent, what came back and how to reproduce it, with the API key masked."""
        request = self.request
        headers = ", ".join(
            f"{name}: {self.request_header(name)}" for name in request.headers if _shown(name)
        )
        lines = [
            f"sent:     {request.method} {request.url}",
            f"          headers {headers}",
            f"          body {_excerpt(self.request_body, mask)}",
        ]
        if self.response is None:
            lines.append(f"received: nothing ({self.fault})")
        else:
            lines += [
                f"received: {self.response.status_code} {self.response_media_type or '(no content type)'}",
                f"          body {_excerpt(self.response.content, mask)}",
            ]
        lines.append(f"reproduce: {self.curl(bodies_dir)}")
        return mask("\n".join(printable(line) for line in lines))

    def curl(self, bodies_dir: Path) -> str:
        """A curl command resending the request; the key is read from $API_KEY, never spelled out.

        A body too long for a command line, or not printable text, is written to a file in `bodies_dir`.
        """
        request = self.request
        parts = ["curl", "-i", "-X", str(request.method)]
        for name in request.headers:
            value = self.request_header(name) or ""
            if not _shown(name):
                continue
            if (
                name.lower() == "authorization"
                and self.callers_key
                and self.sent_key
                and self.sent_key in value
            ):
                parts += ["-H", '"Authorization: Bearer $API_KEY"']
            else:
                parts += ["-H", shlex.quote(f"{name}: {value}")]
        body = self.request_body
        text = body.decode("utf-8", "replace")
        if len(body) > _INLINE_BODY or printable(text) != text or text.encode("utf-8") != body:
            bodies_dir.mkdir(parents=True, exist_ok=True)
            path = bodies_dir / f"{hashlib.sha256(body).hexdigest()[:16]}.body"
            path.write_bytes(body)
            parts += ["--data-binary", shlex.quote(f"@{path}")]
        elif body:
            parts += ["--data-binary", shlex.quote(text)]
        parts.append(shlex.quote(str(request.url)))
        return " ".join(parts)


def _shown(header: str) -> bool:
    """Headers worth showing in a reproduction: not the ones every client adds by itself."""
    return header.lower() not in _CLIENT_HEADERS


def _excerpt(raw: bytes, mask: Masker) -> str:
    if not raw:
        return "(empty)"
    # Masked whole before the cut, so that a key crossing the cut cannot leave its prefix behind.
    return mask.cut(printable(raw.decode("utf-8", "replace")), _EXCERPT, f"... ({len(raw)} bytes)")
