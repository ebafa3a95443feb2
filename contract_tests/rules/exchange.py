"""One request and the response that came back, as plain HTTP: what every rule judges.

Whoever sent the request (the suite, or a client through the mock or the proxy) records it as `Sent` and
the answer as `Received`; the rules never see a transport library's objects. An `Exchange` also carries
what is known of it beyond the wire: the operation it is for, which checks judge it, the key it carried,
and what the run knows of the resource it names (`Known`), for the rules of state.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from contract_tests.masking import Masker, printable

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
    "host",
}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes | str | None) -> Any:
    """The JSON value of a body, or NOT_JSON: RFC 8259 strictly (NaN and Infinity are not JSON, nor are
    bytes that are not UTF-8, nor anything after the value)."""
    if raw is None:
        return NOT_JSON
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return NOT_JSON


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    found = [value for key, value in headers if key.lower() == lowered]
    return ", ".join(found) if found else None


@dataclass(frozen=True)
class Sent:
    """A request as it went on the wire."""

    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """A header's value (several fields of one name joined by commas), or None."""
        return _header(self.headers, name)

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    def cookie(self, name: str) -> str | None:
        for part in (self.header("cookie") or "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Received:
    """A response as it came back."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return _header(self.headers, name)

    @property
    def media_type(self) -> str:
        return media_type(self.header("content-type"))


@dataclass
class Walk:
    """A list walked page by page over objects the run created (contract_tests.suite.paging)."""

    created: tuple[str, ...]  # the ids of the objects made for it, in the order they were made
    order: str | None  # the list's `order` value sent ("asc", "desc"), None where it has none
    cursor: str  # the cursor parameter paged by (`after`, or `before` for one page before `pivot`)
    pivot: str | None = None  # `before`: the object the page comes before
    anchor: str | None = None  # the object made first, alone in its second: the walk starts after it
    pages: list[tuple[str, ...]] = field(default_factory=list)  # the ids of each page
    more: list[bool | None] = field(default_factory=list)  # each page's has_more, None where it has none
    ends: list[tuple[Any, Any] | None] = field(default_factory=list)  # each page's (first_id, last_id)
    # Each object's creation time, where the object says it (a field the spec describes as a Unix time the
    # server sets): objects of one time may come in any order, as a list sorted by it orders them.
    times: dict[str, float] = field(default_factory=dict)


@dataclass
class Known:
    """What the run knew, when it sent a request, of the resource the request names."""

    resource: str  # the collection path
    id: Any
    exists: bool  # created and not deleted since
    last: Any = NOT_JSON  # what the last write of it (a create, an update) answered
    before: Any = NOT_JSON  # the object before this request changed it (what an update must keep)
    steps: tuple[Exchange, ...] = ()  # the requests that led here, for the failure's story
    listed: tuple[Any, ...] | None = None  # a list: the ids its pages showed
    pages_done: bool = False  # a list: paged to its end
    cursor: str | None = None  # a list: the cursor parameter that paged from the object (`after`, `before`)
    never: bool = False  # an id the server never gave (made up by the run)
    walk: Walk | None = None  # a list walked page by page: what each page showed


@dataclass
class Exchange:
    """A request sent and its response, or the fault that took the response's place (the connection
    closed or reset, no answer in time). `label` says what the request exercises."""

    label: str
    request: Sent
    response: Received | None
    operation: str  # the operationId of the operation the request is for
    fault: str | None = None
    sent_key: str | None = None
    # Whether sent_key is the caller's key (a reproduction reads it from $API_KEY), not one made from it.
    callers_key: bool = False
    checks: tuple[str, ...] = ()
    # Statuses also right for this request, when it breaks several rules that the spec does not order.
    also_allowed: frozenset[int] = frozenset()
    known: Known | None = None
    expect: dict[str, Any] = field(default_factory=dict)  # what a probe's check needs beyond the wire
    case: Any = None  # the sender's own record (schemathesis's Case, for its checks)
    raw: Any = None  # the sender's own response object (schemathesis's Response)
    # The requests that led here where no `known` carries them (a sequence judged by what it expects).
    story: tuple[Exchange, ...] = ()
    _received: Any = field(default=NOT_JSON, repr=False)

    @property
    def status(self) -> int:
        """The response's status, or 0 for a fault."""
        return self.response.status if self.response is not None else 0

    @property
    def content(self) -> bytes:
        return self.response.body if self.response is not None else b""

    @property
    def response_media_type(self) -> str:
        return self.response.media_type if self.response is not None else ""

    def request_header(self, name: str) -> str | None:
        return self.request.header(name)

    @property
    def sent_json(self) -> Any:
        return parse_json(self.request.body) if self.request.body else NOT_JSON

    @property
    def received_json(self) -> Any:
        if self._received is NOT_JSON:
            self._received = parse_json(self.content) if self.response is not None else NOT_JSON
        return self._received

    def summary(self) -> str:
        """One line: `POST /v1/things -> 200`."""
        got = str(self.status) if self.response is not None else f"nothing ({self.fault})"
        return f"{self.request.method} {self.request.path} -> {got}"

    def describe(self, mask: Masker, bodies_dir: Path, shown: tuple[str, str] | None = None) -> str:
        """What was sent, what came back and how to reproduce it, with the API key masked; for a request
        of a sequence, the requests that led to it first. `shown` is (the server's URL, what reproductions
        name it by instead), for a server whose URL is gone once the command exits (an app in process)."""
        lines = []
        steps = self.known.steps if self.known is not None and self.known.steps else self.story
        if steps:
            lines.append("sequence: " + "; ".join(step.summary() for step in steps) + "; then this request")
        request = self.request
        headers = ", ".join(f"{name}: {value}" for name, value in request.headers if _shown(name))
        lines += [
            f"sent:     {request.method} {request.url}",
            f"          headers {headers}",
            f"          body {_excerpt(request.body, mask)}",
        ]
        if self.response is None:
            lines.append(f"received: nothing ({self.fault})")
        else:
            lines += [
                f"received: {self.response.status} {self.response_media_type or '(no content type)'}",
                f"          body {_excerpt(self.response.body, mask)}",
            ]
        if steps:
            lines.append("reproduce, in order:")
            lines += [f"  {step.curl(bodies_dir, mask, shown)}" for step in steps]
            lines.append(f"  {self.curl(bodies_dir, mask, shown)}")
        else:
            lines.append(f"reproduce: {self.curl(bodies_dir, mask, shown)}")
        return mask("\n".join(printable(line) for line in lines))

    def curl(self, bodies_dir: Path, mask: Masker | None = None, shown: tuple[str, str] | None = None) -> str:
        """A curl command resending the request; the key is read from $API_KEY, never spelled out.

        A body too long for a command line, or not printable text, is written to a file in `bodies_dir`,
        masked as everything the suite writes is.
        """
        request = self.request
        parts = ["curl", "-i", "-X", request.method]
        url = request.url
        for name, value in request.headers:
            if not _shown(name):
                continue
            if self.callers_key and self.sent_key and self.sent_key in value:
                spelled = value.replace(self.sent_key, "$API_KEY")
                parts += ["-H", '"' + f"{name}: {spelled}".replace('"', '\\"') + '"']
            else:
                parts += ["-H", shlex.quote(f"{name}: {value}")]
        body = request.body
        text = body.decode("utf-8", "replace")
        if len(body) > _INLINE_BODY or printable(text) != text or text.encode("utf-8") != body:
            bodies_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = bodies_dir / f"{hashlib.sha256(body).hexdigest()[:16]}.body"
            path.write_bytes(mask.mask_bytes(body) if mask is not None else body)
            parts += ["--data-binary", shlex.quote(f"@{path}")]
        elif body:
            parts += ["--data-binary", shlex.quote(text)]
        if self.callers_key and self.sent_key and self.sent_key in url:
            url = url.replace(self.sent_key, "$API_KEY")
            parts.append('"' + (url.replace(shown[0], shown[1], 1) if shown else url) + '"')
        elif shown and url.startswith(shown[0]):
            parts.append(f'"{shown[1]}"' + shlex.quote(url[len(shown[0]) :]))
        else:
            parts.append(shlex.quote(url))
        return " ".join(parts)


def _shown(header: str) -> bool:
    """Headers worth showing in a reproduction: not the ones every client adds by itself."""
    return header.lower() not in _CLIENT_HEADERS


def _excerpt(raw: bytes, mask: Masker) -> str:
    if not raw:
        return "(empty)"
    # Masked whole before the cut, so that a key crossing the cut cannot leave its prefix behind.
    return mask.cut(printable(raw.decode("utf-8", "replace")), _EXCERPT, f"... ({len(raw)} bytes)")


def show_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
