"""Servers that keep the contract with habits other than the reference server's: the suite must pass
them. They guard against checks that learnt the reference server instead of the spec."""

from __future__ import annotations

import json
import math
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp

from contract_tests.gallery.rewrite import Reply, Request, Rewrite
from contract_tests.gallery.servers import Seed
from contract_tests.server import create_app
from contract_tests.server.responses import APIError, ErrorShape
from contract_tests.spec import SPEC_PATH, UNIQUE, UNIXTIME, load_spec


def _other_assistant(body: dict[str, Any], seed: Seed) -> dict[str, Any]:
    """Other ids, an extra field, reversed key and list order, a clock an hour ahead, integral numbers
    written as integers."""
    fields = seed.response_fields()
    for name, schema in fields.items():
        if name not in body:
            continue
        if schema.get(UNIQUE) is True and isinstance(body[name], str):
            body[name] = f"other-{uuid.uuid4()}"
        if schema.get("format") == UNIXTIME:
            body[name] += 3600
        if isinstance(body[name], float) and body[name].is_integer():
            body[name] = int(body[name])
        if isinstance(body[name], list):
            body[name] = list(reversed(body[name]))
    extra = next(name for name in ("x_server_field", "x_server_field_2") if name not in fields)
    body[extra] = {}  # the assistant object is open: servers may add fields
    return dict(reversed(list(body.items())))


def _other_error(request: Request, reply: Reply) -> Reply:
    """Terser messages, codes of its own, 400 (not 415) for a wrong content type, a masked key echo."""
    error = json.loads(reply.body)["error"]
    key = request.headers.get("authorization", "").partition(" ")[2]
    message = f"Invalid key sk-...{key[-4:]}." if reply.status == 401 and key else "Bad request."
    error.update(message=message, code=f"e{reply.status}")
    reply.status = 400 if reply.status == 415 else reply.status
    reply.body = json.dumps({"error": error}).encode()
    return reply


def other_habits(api_key: str, spec: Path = SPEC_PATH) -> ASGIApp:
    """The reference server with every habit above."""
    seed = Seed.of(load_spec(spec))

    def habits(request: Request, reply: Reply) -> Reply:
        if reply.status >= 400 and reply.body:
            return _other_error(request, reply)
        if 200 <= reply.status < 300 and reply.body:
            body = json.loads(reply.body)
            if isinstance(body, dict):
                body = _other_assistant(body, seed)
            reply.body = json.dumps(body, ensure_ascii=True).encode()
            reply.headers["content-type"] = "application/json; charset=utf-8"
        return reply

    return Rewrite(create_app(api_key=api_key, spec_path=spec), reply=habits)


def js_number(value: float) -> str:
    """A double written as JavaScript's Number.prototype.toString writes it (ECMA-262, 6.1.6.1.20):
    the shortest digits that read back as the same double, as an integer up to 1e21, else exponential."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()[1:]
    digits = "".join(map(str, digits_tuple))
    k, n = len(digits), int(exponent) + len(digits)  # value = 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        text = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return sign + text


def js_json(value: Any) -> str:
    """`value` written as JSON.stringify writes what JSON.parse read: every number as a double."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        double = float(value)
        return js_number(double) if math.isfinite(double) else "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(js_json(item) for item in value) + "]"
    return (
        "{"
        + ",".join(f"{json.dumps(key, ensure_ascii=False)}:{js_json(item)}" for key, item in value.items())
        + "}"
    )


def numbers_as_doubles(api_key: str, spec: Path = SPEC_PATH) -> ASGIApp:
    """The reference server behind a front that reads and writes every JSON number as JavaScript does:
    `10.0` comes back as `10`, `5.399855443719698e+16` as `53998554437196980`, a 21-digit integer as
    its nearest double. RFC 8259 (6) makes these the same numbers."""

    def as_javascript(request: Request, reply: Reply) -> Reply:
        try:
            body = json.loads(reply.body)
        except ValueError:
            return reply
        reply.body = js_json(body).encode()
        return reply

    return Rewrite(create_app(api_key=api_key, spec_path=spec), reply=as_javascript)


_VALIDATION_STATUSES = frozenset({400, 405, 413, 415})


def _error_reply(error: APIError, shape: ErrorShape) -> Reply:
    """The error object the spec documents for the error's status."""
    response = error.response(shape)
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in response.raw_headers}
    return Reply(error.status_code, headers, bytes(response.body))


def body_before_key(api_key: str, spec: Path = SPEC_PATH) -> ASGIApp:
    """Validates headers and body before the key: an invalid request without a key gets 400 (or 413,
    415), not 401; then the key, then the rest (a valid request without the key gets 401, never what
    the operation would answer it, a 404 for a resource it has not got included)."""
    right = f"Bearer {api_key}"

    def check_key_last(request: Request) -> Request:
        if request.headers.get("authorization") != right:
            request.headers["x-key-was-wrong"] = "1"
            request.headers["authorization"] = right
        return request

    shape = ErrorShape.of(load_spec(spec))

    def answer(request: Request, reply: Reply) -> Reply:
        if request.headers.get("x-key-was-wrong") and reply.status not in _VALIDATION_STATUSES:
            return _error_reply(APIError(401, "Unauthorized."), shape)
        return reply

    return Rewrite(create_app(api_key=api_key, spec_path=spec), request=check_key_last, reply=answer)


def lists_assistants(api_key: str, spec: Path = SPEC_PATH) -> ASGIApp:
    """Answers GET on every path of the spec that does not define it, with a page of the full API's
    list shape (the full API lists assistants with GET /v1/assistants, which this spec leaves out)."""

    def answer_get(request: Request) -> Request | Reply:
        if request.method == "GET" and request.headers.get("authorization") == f"Bearer {api_key}":
            page: dict[str, Any] = {
                "object": "list",
                "data": [],
                "first_id": None,
                "last_id": None,
                "has_more": False,
            }
            return Reply(200, {"content-type": "application/json"}, json.dumps(page).encode())
        return request

    return Rewrite(create_app(api_key=api_key, spec_path=spec), request=answer_get)


def rate_limited(api_key: str, spec: Path = SPEC_PATH, every: int = 4, retry_after: str = "0") -> ASGIApp:
    """Answers every fourth request (every `every`-th) with the documented 429 and `Retry-After: 0`
    (`retry_after`): a limit, not a fault. The client's end-to-end retry tests use other values."""
    count = [0]
    shape = ErrorShape.of(load_spec(spec))

    def limit(request: Request) -> Request | Reply:
        count[0] += 1
        if count[0] % every == 0:
            error = APIError(
                429,
                "Slow down.",
                error_type="requests",
                code="rate_limit_exceeded",
                headers={"retry-after": retry_after},
            )
            return _error_reply(error, shape)
        return request

    return Rewrite(create_app(api_key=api_key, spec_path=spec), request=limit)


CONFORMING = {
    "other_habits": other_habits,
    "numbers_as_doubles": numbers_as_doubles,
    "body_before_key": body_before_key,
    "lists_assistants": lists_assistants,
    "rate_limited": rate_limited,
}
