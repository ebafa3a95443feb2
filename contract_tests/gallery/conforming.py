"""Servers that keep the contract with habits other than the reference server's: the suite must pass
them. They guard against checks that learnt the reference server instead of the spec."""

from __future__ import annotations

import json
import math
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp

from contract_tests.api import prose
from contract_tests.api.document import SPEC_PATH, UNIQUE, UNIXTIME
from contract_tests.api.errors import fit_error
from contract_tests.api.faults import Fault
from contract_tests.api.model import Api, Operation, load_api
from contract_tests.api.resources import Role
from contract_tests.gallery.faults import ClosingFront
from contract_tests.gallery.mounted import served_under_a_prefix
from contract_tests.gallery.rewrite import Reply, Request, Rewrite, acted_on
from contract_tests.gallery.servers import AppFactory, ServerFactory, StoreWrapper, response_fields, written


def _other_assistant(body: dict[str, Any], api: Api, op: Operation) -> dict[str, Any]:
    """Other ids, an extra field, reversed key and list order, a clock an hour ahead, integral numbers
    written as integers; the same for the same object every time it is answered (a resource's id stays
    its own: it names the object in the paths that read it)."""
    fields = response_fields(api, op)
    role = api.role(op)
    ids = {role[0].id_pointer[1:]} if role is not None else set()
    for name, schema in fields.items():
        if name not in body:
            continue
        if schema.get(UNIQUE) is True and isinstance(body[name], str) and name not in ids:
            body[name] = f"other-{uuid.uuid5(uuid.NAMESPACE_URL, body[name])}"
        if schema.get("format") == UNIXTIME and isinstance(body[name], int | float):
            body[name] += 3600
        if isinstance(body[name], float) and body[name].is_integer():
            body[name] = int(body[name])
        if isinstance(body[name], list):
            body[name] = list(reversed(body[name]))
    extra = next(name for name in ("x_server_field", "x_server_field_2") if name not in fields)
    body[extra] = {}  # the object is open: servers may add fields
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


def other_habits(base: ServerFactory, api_key: str, spec: Path = SPEC_PATH) -> ASGIApp:
    """The reference server with every habit above."""
    api = load_api(spec)

    def habits(request: Request, reply: Reply) -> Reply:
        if reply.status >= 400 and reply.body:
            return _other_error(request, reply)
        found = api.match(request.method, request.path)
        role = api.role(found[0]) if found is not None else None
        if 200 <= reply.status < 300 and reply.body and found is not None:
            body = json.loads(reply.body)
            if isinstance(body, dict) and (role is None or role[1] not in (Role.LIST, Role.DELETE)):
                body = _other_assistant(body, api, found[0])
            reply.body = json.dumps(body, ensure_ascii=True).encode()
            reply.headers["content-type"] = "application/json; charset=utf-8"
        return reply

    return Rewrite(base(api_key=api_key, spec_path=spec), reply=habits)


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


def numbers_as_doubles(base: ServerFactory, api_key: str, spec: Path = SPEC_PATH) -> ASGIApp:
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

    return Rewrite(base(api_key=api_key, spec_path=spec), reply=as_javascript)


def _error_reply(api: Api, op: Operation | None, status: int, message: str, headers: dict[str, str]) -> Reply:
    """The error object the spec documents for the status (OpenAI's, where it fits)."""
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    body = fit_error(api, op, status, {"error": error}, message)
    return Reply(status, {"content-type": "application/json", **headers}, json.dumps(body).encode())


def _invalid(api: Api, request: Request) -> bool:  # noqa: PLR0911 (a return per rule)
    """Whether the request breaks the spec in its headers or body (what this server checks first)."""
    found = api.match(request.method, request.path)
    if found is None:
        return True
    op = found[0]
    for parameter in op.headers:
        value = request.headers.get(parameter.name.lower())
        if value is None:
            if parameter.required:
                return True
            continue
        if parameter.schema_pointer is not None and not api.values.is_valid(parameter.schema_pointer, value):
            return True
    if op.body is None:
        return False
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != op.body.media_type.lower() or len(request.body) > 8 * 1024 * 1024:
        return True
    try:
        value = json.loads(request.body, parse_constant=_not_json_constant)
    except ValueError:
        return True
    return not api.values.is_valid(op.body.schema_pointer, value)


def _not_json_constant(name: str) -> Any:
    raise ValueError(name)


def body_before_key(base: ServerFactory, api_key: str, spec: Path = SPEC_PATH) -> ASGIApp:
    """Validates headers and body before the key: an invalid request without a key gets 400 (or 413,
    415), not 401; a valid one 401, and nothing is done (a valid request without the key gets 401,
    never what the operation would answer it, a 404 for a resource it has not got included)."""
    api = load_api(spec)
    right = f"Bearer {api_key}"

    def check_key_last(request: Request) -> Request | Reply:
        if request.headers.get("authorization") == right:
            return request
        if _invalid(api, request):
            request.headers["authorization"] = right  # the server answers the fault, and does nothing
            return request
        found = api.match(request.method, request.path)
        return _error_reply(api, found[0] if found else None, 401, "Unauthorized.", {})

    return Rewrite(base(api_key=api_key, spec_path=spec), request=check_key_last)


def lists_assistants(base: ServerFactory, api_key: str, spec: Path = SPEC_PATH) -> ASGIApp:
    """Answers GET on every path of the spec that does not define it, with a page of the full API's
    list shape (the full API lists assistants with GET /v1/assistants, which the seed's spec leaves
    out); a GET the spec defines is the reference server's."""
    api = load_api(spec)

    def answer_get(request: Request) -> Request | Reply:
        undefined = api.match("GET", request.path) is None
        if (
            request.method == "GET"
            and undefined
            and request.headers.get("authorization") == f"Bearer {api_key}"
        ):
            page: dict[str, Any] = {
                "object": "list",
                "data": [],
                "first_id": None,
                "last_id": None,
                "has_more": False,
            }
            return Reply(200, {"content-type": "application/json"}, json.dumps(page).encode())
        return request

    return Rewrite(base(api_key=api_key, spec_path=spec), request=answer_get)


def rate_limited(
    base: ServerFactory, api_key: str, spec: Path = SPEC_PATH, every: int = 4, retry_after: str = "0"
) -> ASGIApp:
    """Answers every fourth request (every `every`-th) with the documented 429 and `Retry-After: 0`
    (`retry_after`): a limit, not a fault. The client's end-to-end retry tests use other values."""
    count = [0]
    api = load_api(spec)

    def limit(request: Request) -> Request | Reply:
        count[0] += 1
        if count[0] % every == 0:
            found = api.match(request.method, request.path)
            return _error_reply(
                api, found[0] if found else None, 429, "Slow down.", {"retry-after": retry_after}
            )
        return request

    return Rewrite(base(api_key=api_key, spec_path=spec), request=limit)


def strict_cursors(base: ServerFactory, api_key: str, spec: Path = SPEC_PATH) -> ASGIApp:
    """Refuses a list whose cursor (`after`, `before`) names no object it holds, with the spec's status
    for an invalid parameter: the schema says only that a cursor is a string, and many servers look the
    object up before they page."""
    api = load_api(spec)
    held: set[str] = set()

    def check_cursor(request: Request) -> Request | Reply:
        acted = acted_on(api, request)
        if acted is None or acted.role is not Role.LIST:
            return request
        if request.headers.get("authorization") != f"Bearer {api_key}":
            return request  # the key is checked first
        query = parse_qs(request.query, keep_blank_values=True)
        for cursor in acted.resource.paging.cursors:
            for value in query.get(cursor.name, []):
                if value not in held:
                    status = acted.op.statuses(Fault.INVALID).answer
                    return _error_reply(api, acted.op, status, f"No object {value!r} to page from.", {})
        return request

    def keep_ids(request: Request, reply: Reply) -> Reply:
        acted = acted_on(api, request)
        if acted is None or not 200 <= reply.status < 300:
            return reply
        if acted.role is Role.CREATE:
            made = acted.resource.id_of(json.loads(reply.body))
            if isinstance(made, str | int):
                held.add(str(made))
        elif acted.role is Role.DELETE:
            held.discard(acted.path.get(acted.resource.id_parameter, ""))
        return reply

    return Rewrite(base(api_key=api_key, spec_path=spec), request=check_cursor, reply=keep_ids)


def closes_kept_alive(base: ServerFactory, api_key: str, spec: Path = SPEC_PATH) -> Any:
    """Closes a kept-alive connection after each error it answers, without saying so (no `Connection:
    close`): the next request on it, whatever its method, ends with no answer at all, as HTTP allows
    (RFC 9112, 9.6). A client opens a new connection after an error, and sends an idempotent request
    that met a closed one again (9.3.1)."""
    return ClosingFront(base(api_key=api_key, spec_path=spec), closes=lambda status: status >= 400)


def holds_prose_bounds(base: ServerFactory, api_key: str, spec: Path = SPEC_PATH) -> Any:
    """Holds to the bounds the spec states in its descriptions only (a `limit` that "can range between 1
    and 100", metadata of "16 key-value pairs"), as the real API does: beyond them, the documented error."""
    return base(api_key=api_key, spec_path=written(load_api(spec).prose.values.document))


def _time_fields(api: Api) -> tuple[str, ...]:
    """The names of the fields a resource's schema describes as a Unix time in seconds."""
    values, found = api.values, dict[str, None]()
    for pointer in (resource.schema_pointer for resource in api.resources if resource.schema_pointer):
        for name, where in values.properties(pointer).items():
            if prose.timestamp_unit(values.schema(where), values.types(where)) == "s":
                found[name] = None
    return tuple(found)


def ties_newest_first(base: ServerFactory, api_key: str, spec: Path = SPEC_PATH) -> Any:
    """Lists by creation time in seconds, objects of one second newest first (a list sorted by its time
    field, ties broken by something of its own): a walk's order holds only between seconds. Where the
    objects show no time, by one it keeps to itself."""
    fields = _time_fields(load_api(spec))

    class TiesNewestFirst(StoreWrapper):
        def __init__(self, store: Any) -> None:
            super().__init__(store)
            self.made: dict[tuple[str, str], int] = {}

        def put(self, collection: str, key: str, value: Any) -> None:
            self.made.setdefault((collection, key), int(time.time()))
            self.store.put(collection, key, value)

        def items(self, collection: str) -> list[tuple[str, Any]]:
            kept = list(self.store.items(collection))

            def when(pair: tuple[int, tuple[str, Any]]) -> tuple[float, int]:
                index, (key, value) = pair
                said = [value.get(name) for name in fields] if isinstance(value, dict) else []
                own = self.made.get((collection, key), 0)
                seconds = next((at for at in said if isinstance(at, int | float)), own)
                return (seconds, -index)

            return [pair for _, pair in sorted(enumerate(kept), key=when)]

    return base(api_key=api_key, spec_path=spec, wrap_store=TiesNewestFirst)


CONFORMING: dict[str, AppFactory] = {
    "ties_newest_first": ties_newest_first,
    "closes_kept_alive": closes_kept_alive,
    "holds_prose_bounds": holds_prose_bounds,
    "other_habits": other_habits,
    "numbers_as_doubles": numbers_as_doubles,
    "body_before_key": body_before_key,
    "lists_assistants": lists_assistants,
    "rate_limited": rate_limited,
    "strict_cursors": strict_cursors,
    "served_under_a_prefix": served_under_a_prefix,
}
