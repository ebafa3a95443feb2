"""The rules a server must keep, as named checks of one exchange: each returns None when it holds, a
one-line reason when it is broken, or NOT_APPLICABLE when the exchange gives it nothing to judge.

They follow from the spec (its model: contract_tests.api) and from what HTTP and REST owe a client; they
are what schemathesis's own checks do not test. `CHECKS` registers every one, in the order the summary
lists them.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contract_tests.api import prose
from contract_tests.api.document import UNIQUE, UNIXTIME, escape_pointer
from contract_tests.api.faults import Fault
from contract_tests.api.media import matches
from contract_tests.api.model import Api, Operation
from contract_tests.api.parameters import text_of
from contract_tests.api.resources import Role
from contract_tests.masking import Masker
from contract_tests.rules.answers import framing_problem, success_body_problem
from contract_tests.rules.exchange import NOT_JSON, Exchange, Walk
from contract_tests.rules.jsonvalues import (
    MISSING,
    Difference,
    as_double,
    first_difference,
    is_number,
    length_note,
)
from contract_tests.rules.jsonvalues import (
    show as show_value,
)
from contract_tests.rules.messages import schema_problem
from contract_tests.rules.requests import beyond_prose, request_value, unbounded_extreme

NOT_APPLICABLE = "not applicable"
# A verdict that says what the spec should state rather than what the server broke: counted, not failed.
WARNING = "warning: "
Verdict = str | None
# A `format: unixtime` field must be the current time in seconds: a day either way tolerates any sane
# clock skew between the suite and the server, and still rejects milliseconds, zero or a constant.
UNIXTIME_WINDOW_SECONDS = 24 * 60 * 60


@dataclass
class Judge:
    """What the checks of one run (or one mock, one proxy) consult: the API and what was seen."""

    api: Api
    mask: Masker
    seen: dict[str, str] = field(default_factory=dict)  # a unique value -> the case that got it first

    def operation(self, exchange: Exchange) -> Operation:
        return self.api.operation(exchange.operation)

    def role(self, exchange: Exchange) -> Role | None:
        found = self.api.role(self.operation(exchange))
        return found[1] if found is not None else None


def _show(ctx: Judge, value: Any, limit: int = 100) -> str:
    return ctx.mask.cut(show_value(value), limit)


def error_body_problem(exchange: Exchange, ctx: Judge) -> Verdict:
    """The error body the operation documents for the status, where it documents one."""
    op = ctx.operation(exchange)
    response = op.response_for(exchange.status)
    if response is None or (response.status.startswith("2")):
        return None  # an undocumented status: HTTP's rules gave it, the spec says nothing of its body
    if response.schema_pointer is None:
        return None
    if not exchange.response_media_type.endswith("json"):
        got = exchange.response_media_type or "(none)"
        return f"the error response has content type {got!r}, expected application/json"
    problem = schema_problem(
        ctx.api.values.validator(response.schema_pointer),
        exchange.received_json,
        f"the error body documented for {exchange.status}",
        ctx.mask,
    )
    return None if problem is None else f"the body is not the documented error object: {problem}"


def _expect(exchange: Exchange, ctx: Judge, allowed: frozenset[int], expected: str) -> Verdict:
    if exchange.status not in allowed and exchange.status not in exchange.also_allowed:
        extra = sorted(set(exchange.also_allowed) - allowed)
        if len(extra) > 3:
            expected += " or another 4xx"
        elif extra:
            expected += "".join(f" or {code}" for code in extra)
        return f"got {exchange.status}, expected {expected}"
    return error_body_problem(exchange, ctx)


def _fault(exchange: Exchange, ctx: Judge, fault: Fault, why: str) -> Verdict:
    statuses = ctx.operation(exchange).statuses(fault)
    said = "" if statuses.documented else " (the spec documents none: HTTP's rule)"
    return _expect(exchange, ctx, statuses.allowed, f"{statuses.describe()} for {why}{said}")


# --- requests the spec allows ------------------------------------------------------------------------------


def valid_request_accepted(exchange: Exchange, ctx: Judge) -> Verdict:
    """A request the spec allows gets the documented success status, content type and body (where its
    path names a resource the run does not know of, the documented 404 also)."""
    op = ctx.operation(exchange)
    known = exchange.known
    if known is not None and not known.exists and known.listed is None:
        return NOT_APPLICABLE  # a deleted resource: use_after_free judges it
    expected = op.success_status
    if exchange.status != expected:
        missing = op.statuses(Fault.NOT_FOUND)
        # An id the run does not know of may be missing; one the server's own list showed may not.
        listed = exchange.expect.get("listed", False)
        if known is None and not listed and op.path_parameters and exchange.status in missing.allowed:
            return error_body_problem(exchange, ctx)
        refusal = _refused(exchange, ctx, op)
        return (
            f"a valid request got {exchange.status}, expected {expected}"
            if refusal == _UNEXPLAINED
            else refusal
        )
    return success_body_problem(ctx.api, op, exchange, ctx.mask)


_UNEXPLAINED = "unexplained"  # a refusal nothing of the request explains: the failure it is


def _refused(exchange: Exchange, ctx: Judge, op: Operation) -> Verdict:
    """A valid request refused, judged for what may explain it: a cursor naming no object the run saw, or a
    value beyond a bound the spec states in prose only, may be refused (with the documented error); a
    value the schema leaves unbounded that servers commonly refuse gets a warning (the spec should state
    the bound), not a failure. `_UNEXPLAINED` where nothing explains the refusal."""
    if exchange.expect.get("strange_cursor") and exchange.status in exchange.also_allowed:
        return error_body_problem(exchange, ctx)
    if exchange.status not in op.statuses(Fault.INVALID).allowed or error_body_problem(exchange, ctx):
        return _UNEXPLAINED
    if beyond_prose(ctx.api, op, exchange.request) is not None:
        return None
    extreme = unbounded_extreme(ctx.api, op, exchange.request)
    if extreme is None:
        return _UNEXPLAINED
    return (
        f"{WARNING}the server refused {extreme} with the documented error ({exchange.status}): if that is"
        " its bound, the spec should state it in the schema (a minimum, a maximum, a maxLength...)"
    )


def defined_part(api: Api, value: Any, pointer: str) -> Any:
    """The part of a sent value that the spec defines.

    An object schema that lists its properties and says nothing of others (no `additionalProperties`)
    lets a request carry unknown fields, but not what the server does with them: they are left out of
    the comparison. Arbitrary content the spec allows explicitly (metadata, JSON Schema parameters) stays.
    """
    values = api.values
    schema = values.schema(pointer)
    branches = values.branches(pointer)
    if branches:
        chosen = next((where for _, where in branches if values.is_valid(where, value)), None)
        return defined_part(api, value, chosen) if chosen is not None else value
    if isinstance(value, list) and (items := values.child(pointer, "items")) is not None:
        return [defined_part(api, item, items) for item in value]
    if isinstance(value, dict) and "properties" in schema:
        known = values.properties(pointer)
        keep_unknown = "additionalProperties" in schema
        return {
            key: defined_part(api, item, known[key]) if key in known else item
            for key, item in value.items()
            if key in known or keep_unknown
        }
    return value


def open_paths(api: Api, value: Any, pointer: str, path: str = "") -> set[str]:
    """The pointers (within `value`, prefixed by `path`) of its objects a response may add fields to:
    those whose schema lists properties and says nothing of others (a tool, a function definition).
    User data stays closed: a map (`additionalProperties`: metadata) or free-form content (a
    function's JSON Schema `parameters`) comes back as sent, no more."""
    values = api.values
    branches = values.branches(pointer)
    if branches:
        chosen = next((branch for _, branch in branches if values.is_valid(branch, value)), None)
        return open_paths(api, value, chosen, path) if chosen is not None else set()
    schema = values.schema(pointer)
    found: set[str] = set()
    if isinstance(value, dict):
        if "properties" in schema and "additionalProperties" not in schema:
            found.add(path)
        properties = values.properties(pointer)
        extra = values.child(pointer, "additionalProperties")
        extra = extra if extra is not None and isinstance(values.document_node(extra), dict) else None
        for key, item in value.items():
            child = properties.get(key) or extra
            if child is not None:
                found |= open_paths(api, item, child, f"{path}/{escape_pointer(key)}")
    elif isinstance(value, list):
        items = values.child(pointer, "items")
        if items is not None:
            for index, item in enumerate(value):
                found |= open_paths(api, item, items, f"{path}/{index}")
    return found


def response_reflects_request(exchange: Exchange, ctx: Judge) -> Verdict:
    """Every request field the response object also has comes back as sent, or as its documented default
    (an update keeps what it is not sent instead: update_keeps_unsent_fields)."""
    op = ctx.operation(exchange)
    sent, got = request_value(ctx.api, op, exchange.request), exchange.received_json
    if not isinstance(sent, dict) or not isinstance(got, dict) or not 200 <= exchange.status < 300:
        return NOT_APPLICABLE
    if op.success.schema_pointer is None or op.body is None:
        return NOT_APPLICABLE
    values = ctx.api.values
    response_fields = values.properties(op.success.schema_pointer)
    defaults = ctx.api.defaults(op) if ctx.role(exchange) is not Role.UPDATE else {}
    for name, request_pointer in values.properties(op.body.schema_pointer).items():
        response_pointer = response_fields.get(name)
        if response_pointer is None:
            continue
        if name in sent:
            expected = defined_part(ctx.api, sent[name], request_pointer)
        elif name in defaults:
            expected = defaults[name]
        else:
            continue
        if not values.is_valid(response_pointer, expected):
            continue  # the response schema cannot carry it (a null it does not allow): nothing to expect
        where = f"/{escape_pointer(name)}"
        opened = open_paths(ctx.api, expected, request_pointer, where)
        difference = first_difference(
            expected, got.get(name, MISSING), is_open=opened.__contains__, pointer=where
        )
        if difference is not None:
            how = "as sent" if name in sent else "as its documented default"
            return _difference(f"{name!r} does not come back {how}", difference, ctx.mask)
    return None


def _difference(lead: str, difference: Difference, mask: Masker) -> str:
    note = f"; {difference.note}" if difference.note else ""
    expected, actual = difference.expected, difference.actual
    if isinstance(expected, str) and isinstance(actual, str):
        # Long strings: show them from a little before where they part, not from their start.
        start = max(_common_prefix(expected, actual) - 20, 0)
        from_note = f" (from character {start})" if start else ""
        sent, got = (mask.cut(show_value(text[start:]), 100) for text in (expected, actual))
        return (
            f"{lead}: at {difference.pointer}{from_note} expected {sent}, got {got}"
            f"{length_note(expected, actual)}{note}"
        )
    sent, got = mask.cut(show_value(expected), 100), mask.cut(show_value(actual), 100)
    return f"{lead}: at {difference.pointer} expected {sent}, got {got}{note}"


def _common_prefix(left: str, right: str) -> int:
    return next(
        (index for index, (a, b) in enumerate(zip(left, right, strict=False)) if a != b),
        min(len(left), len(right)),
    )


def server_fields_plausible(exchange: Exchange, ctx: Judge) -> Verdict:
    """A field the spec marks `x-unique` (and a created resource's id) is new for every created object,
    one of `format: unixtime` the current Unix time in seconds, and one its description says is a Unix
    time in seconds ("The Unix timestamp (in seconds) for when...") a plausible one, at any depth."""
    got = exchange.received_json
    op = ctx.operation(exchange)
    pointer = op.success.schema_pointer
    if not isinstance(got, dict) or not 200 <= exchange.status < 300 or pointer is None:
        return NOT_APPLICABLE
    role = ctx.api.role(op)
    creates = op.method == "POST" and (role is None or role[1] is Role.CREATE)
    id_name = role[0].id_pointer[1:] if role is not None and role[0].id_pointer.count("/") == 1 else None
    values = ctx.api.values
    # A time the request gives (an expiry the client chose) is the client's value, echoed: only the
    # server's own are judged.
    given = _body_properties(ctx, op)
    if role is not None:
        for writes in (Role.CREATE, Role.UPDATE):
            given |= _body_properties(ctx, role[0].first(writes))
    for name, where in values.properties(pointer).items():
        if name not in got:
            continue
        schema = values.schema(where)
        value = got[name]
        if creates and (schema.get(UNIQUE) is True or name == id_name):
            if value in ("", None):
                return f"{name} is {_show(ctx, value)}, expected a value of its own"
            key = f"{op.operation_id}/{name}/{json.dumps(value, sort_keys=True)}"
            if key in ctx.seen:
                return f"{name} {_show(ctx, value)} was already given to the object of {ctx.seen[key]!r}"
            ctx.seen[key] = exchange.label
        if schema.get("format") == UNIXTIME and name not in given:
            verdict = _current_time(name, value, ctx)
            if verdict is not None:
                return verdict
    return _seconds_everywhere(ctx, pointer, got, "", skip=given)


def _body_properties(ctx: Judge, op: Operation | None) -> frozenset[str]:
    if op is None or op.body is None or not op.body.schema_pointer:
        return frozenset()
    return frozenset(ctx.api.values.properties(op.body.schema_pointer))


# A Unix time in seconds the spec describes so ("The Unix timestamp (in seconds) for when..."): plausible
# from 2001 to 2100; milliseconds (1.7e12), zero or a count are not.
_PLAUSIBLE_SECONDS = (978_307_200, 4_102_444_800)
_TIME_DEPTH = 6


def _seconds_everywhere(
    ctx: Judge, pointer: str, value: Any, where: str, depth: int = 0, *, skip: frozenset[str] = frozenset()
) -> Verdict:
    """Every field of the body the spec describes as a Unix time in seconds holds one."""
    values = ctx.api.values
    if depth > _TIME_DEPTH:
        return None
    if isinstance(value, list):
        items = values.child(pointer, "items")
        for index, item in enumerate(value if items is not None else []):
            found = _seconds_everywhere(ctx, items, item, f"{where}/{index}", depth + 1, skip=skip)  # type: ignore[arg-type]
            if found is not None:
                return found
        return None
    if not isinstance(value, dict):
        return None
    for name, place in values.properties(pointer).items():
        if name not in value or name in skip:
            continue
        item, at = value[name], f"{where}/{escape_pointer(name)}"
        found = _not_seconds(ctx, place, item, at) or _seconds_everywhere(
            ctx, place, item, at, depth + 1, skip=skip
        )
        if found is not None:
            return found
    return None


def _not_seconds(ctx: Judge, place: str, item: Any, at: str) -> Verdict:
    values = ctx.api.values
    if item is None or prose.timestamp_unit(values.schema(place), values.types(place)) != "s":
        return None
    seconds = as_double(item) if is_number(item) and not isinstance(item, bool) else None
    low, high = _PLAUSIBLE_SECONDS
    if seconds is not None and low <= seconds <= high:
        return None
    said = prose.description(values.schema(place))
    return (
        f"{at} is {_show(ctx, item)}, not a Unix time in seconds, as its description says"
        f" ({ctx.mask.cut(said, 80)!r})"
    )


def _current_time(name: str, value: Any, ctx: Judge) -> Verdict:
    now = time.time()
    seconds = as_double(value) if is_number(value) else None
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,20}", value):
        seconds = float(value)
    if seconds is None or not seconds.is_integer() or abs(seconds - now) > UNIXTIME_WINDOW_SECONDS:
        return f"{name} is {_show(ctx, value)}, expected the current Unix time in seconds (about {int(now)})"
    return None


# --- requests the spec forbids -------------------------------------------------------------------------


def invalid_body_rejected(exchange: Exchange, ctx: Judge) -> Verdict:
    """A JSON body the spec forbids gets the status the operation documents for an invalid request (400,
    422...) and its error object."""
    return _fault(exchange, ctx, Fault.INVALID, "a body the spec forbids")


def malformed_body_rejected(exchange: Exchange, ctx: Judge) -> Verdict:
    """A body that is not JSON, not of the schema's JSON type, or not sent as JSON gets a 4xx and the
    documented error object."""
    return _expect(exchange, ctx, frozenset(range(400, 500)), "a 4xx")


def duplicate_keys_consistent(exchange: Exchange, ctx: Judge) -> Verdict:
    """A body giving a field twice (a valid value, then one its schema forbids) is refused with a 4xx, or
    read as one of its values throughout: never checked as one and kept as the other (RFC 8259 leaves
    the choice to the parser, not the inconsistency)."""
    name, first, second = (exchange.expect.get(key) for key in ("name", "first", "second"))
    if not isinstance(name, str):
        return NOT_APPLICABLE
    if 400 <= exchange.status < 500:
        return error_body_problem(exchange, ctx)
    if not 200 <= exchange.status < 300:
        return f"got {exchange.status}, expected a 4xx, or the success of the request read with one value"
    got = exchange.received_json
    if isinstance(got, dict) and name in got and first_difference(second, got[name]) is None:
        return (
            f"{name!r} was given twice ({_show(ctx, first)}, then {_show(ctx, second)}): the request was"
            f" accepted, so checked with the first value, and {name!r} came back as the second, which its"
            " schema forbids"
        )
    return None


def invalid_parameter_rejected(exchange: Exchange, ctx: Judge) -> Verdict:
    """A required parameter (a header, a query or path parameter) left out, or a value its schema forbids,
    gets the status documented for an invalid request and the error object."""
    return _fault(exchange, ctx, Fault.INVALID, "a parameter the spec forbids")


def api_key_required(exchange: Exchange, ctx: Judge) -> Verdict:
    """No key, a wrong one, or the key in a form the spec does not declare gets 401 (or the status the
    operation documents for it) and the error object, on every operation that needs the key."""
    return _fault(exchange, ctx, Fault.CREDENTIALS, "a missing or wrong key")


def api_key_accepted(exchange: Exchange, ctx: Judge) -> Verdict:
    """The key is accepted in every security alternative the operation declares (a second header scheme,
    a query parameter...), each alone."""
    refused = ctx.operation(exchange).statuses(Fault.CREDENTIALS).allowed
    if exchange.status in refused:
        return f"the right key, sent as this alternative declares, got {exchange.status}"
    return None


def other_methods_rejected(exchange: Exchange, ctx: Judge) -> Verdict:
    """A method the spec does not give a path gets 405 and the error object; GET gets 405 or a 2xx."""
    # A fuller API than the spec may list the collection with GET: a server may too.
    if exchange.request.method == "GET" and 200 <= exchange.status < 300:
        return None
    return _expect(exchange, ctx, frozenset({405}), "405")


def response_matches_spec(exchange: Exchange, ctx: Judge) -> Verdict:  # noqa: PLR0911, PLR0912 (per rule)
    """A response's status is documented (or HTTP's rules give it to the request), its content type is
    one documented for it, its body valid against the schema of its status, and its required headers
    present and valid. (The suite leaves this to schemathesis's own checks; the proxy judges with it.)"""
    if exchange.response is None:
        return NOT_APPLICABLE
    op = ctx.operation(exchange)
    status = exchange.status
    response = op.response_for(status)
    if response is None:
        if status in exchange.also_allowed:
            return None  # HTTP's rule for a fault the spec names no status for
        documented = ", ".join(r.status for r in op.responses)
        return f"status {status} is not documented for {op.operation_id} (it documents {documented})"
    got = exchange.response_media_type
    listed = [media.split(";")[0].strip().lower() for media in response.media_types]
    if listed and exchange.content and not any(matches(got, media) for media in listed):
        return f"content type {got or '(none)'!r} is not one documented for {status} ({', '.join(listed)})"
    if response is op.success and 200 <= status < 300:
        problem = success_body_problem(ctx.api, op, exchange, ctx.mask)
        if problem is not None:
            return problem
    elif response.schema_pointer is not None and got == (response.media_type or "").lower():
        problem = schema_problem(
            ctx.api.values.validator(response.schema_pointer),
            exchange.received_json,
            f"the body documented for {status}",
            ctx.mask,
        )
        if problem is not None:
            return f"the body is not the one documented for {status}: {problem}"
    for header in response.headers:
        value = exchange.response.header(header.name)
        if value is None:
            if header.required:
                return f"the required response header {header.name} is missing"
            continue
        if header.schema_pointer is not None:
            from contract_tests.api.parameters import scalar  # noqa: PLC0415

            typed = scalar(value, ctx.api.values.types(header.schema_pointer))
            if not ctx.api.values.is_valid(header.schema_pointer, typed):
                return f"the response header {header.name} is {_show(ctx, value)}, which its schema forbids"
    return None


def response_framed(exchange: Exchange, ctx: Judge) -> Verdict:
    """Every response is framed as HTTP/1.1 says (RFC 9112, 6): a Transfer-Encoding ends in chunked and
    comes without a Content-Length; a Content-Length is one number, the body's length. (A header the spec
    documents for framing, such as `Transfer-Encoding: chunked`, is the server's to frame, not a value.)"""
    if exchange.response is None:
        return NOT_APPLICABLE
    return framing_problem(exchange.response.headers, exchange.content)


def api_key_not_echoed(exchange: Exchange, ctx: Judge) -> Verdict:
    """No response header or body contains the API key the request carried (a masked form is fine)."""
    key = exchange.sent_key
    if not key or exchange.response is None:
        return NOT_APPLICABLE
    if key.encode("utf-8") in exchange.content:
        return "the response body contains the API key sent"
    for name, value in exchange.response.headers:
        if key in value:
            return f"the response header {name!r} contains the API key sent"
    return None


def server_answers_every_request(exchange: Exchange, ctx: Judge) -> Verdict:
    """Every request gets an HTTP response: no connection closed or reset without one, no hang past the
    timeout, nothing that is not HTTP."""
    return exchange.fault


# --- state: what every REST resource owes its clients --------------------------------------------------


def ensure_resource_availability(exchange: Exchange, ctx: Judge) -> Verdict:
    """A resource just created (and not deleted) can be retrieved: its retrieve gets a 2xx."""
    known = exchange.known
    if known is None or not known.exists or ctx.role(exchange) is not Role.RETRIEVE:
        return NOT_APPLICABLE
    if not 200 <= exchange.status < 300:
        shown = _show(ctx, known.id)
        return f"the resource {shown} created before could not be retrieved: got {exchange.status}"
    return None


def read_after_write(exchange: Exchange, ctx: Judge) -> Verdict:
    """After a successful create or update, a retrieve returns what that write returned."""
    known = exchange.known
    if known is None or not known.exists or known.last is NOT_JSON or ctx.role(exchange) is not Role.RETRIEVE:
        return NOT_APPLICABLE
    got = exchange.received_json
    if not 200 <= exchange.status < 300 or got is NOT_JSON:
        return NOT_APPLICABLE  # ensure_resource_availability and the body checks judge that
    difference = first_difference(known.last, got)
    if difference is None:
        difference = first_difference(got, known.last)
        if difference is not None:
            difference = Difference(difference.pointer, difference.actual, difference.expected, "not written")
    if difference is None:
        return None
    return _difference(
        f"the retrieve of {_show(ctx, known.id)} is not what its last write returned", difference, ctx.mask
    )


def update_keeps_unsent_fields(exchange: Exchange, ctx: Judge) -> Verdict:
    """An update changes the fields it is sent and keeps the others: every field the request could have
    set, and the id, is as it was before."""
    known = exchange.known
    op = ctx.operation(exchange)
    if known is None or not known.exists or ctx.role(exchange) is not Role.UPDATE or op.body is None:
        return NOT_APPLICABLE
    sent = request_value(ctx.api, ctx.operation(exchange), exchange.request)
    got, before = exchange.received_json, known.before
    if not isinstance(got, dict) or not isinstance(before, dict) or not 200 <= exchange.status < 300:
        return NOT_APPLICABLE
    sent = sent if isinstance(sent, dict) else {}
    role = ctx.api.role(op)
    id_name = role[0].id_pointer[1:] if role is not None and role[0].id_pointer.count("/") == 1 else None
    kept = [name for name in ctx.api.values.properties(op.body.schema_pointer) if name not in sent]
    for name in [*kept, *([id_name] if id_name else [])]:
        if name not in before:
            continue
        difference = first_difference(
            before[name], got.get(name, MISSING), pointer=f"/{escape_pointer(name)}"
        )
        if difference is not None:
            return _difference(f"{name!r} was not sent, yet changed", difference, ctx.mask)
    return None


def use_after_free(exchange: Exchange, ctx: Judge) -> Verdict:
    """After a delete, a retrieve, an update and a delete of the same resource get 404."""
    known = exchange.known
    if known is None or known.exists or known.listed is not None or known.never:
        return NOT_APPLICABLE
    statuses = ctx.operation(exchange).statuses(Fault.NOT_FOUND)
    return _expect(exchange, ctx, statuses.allowed, f"{statuses.describe()} for the resource deleted before")


def unknown_id_not_found(exchange: Exchange, ctx: Judge) -> Verdict:
    """A request naming an id the server never gave gets 404 (and its error object), not a 2xx or a 5xx."""
    known = exchange.known
    if known is None or not known.never:
        return NOT_APPLICABLE
    statuses = ctx.operation(exchange).statuses(Fault.NOT_FOUND)
    return _expect(exchange, ctx, statuses.allowed, f"{statuses.describe()} for an id no object has")


def list_shows_resources(exchange: Exchange, ctx: Judge) -> Verdict:
    """A list reaches a created resource by paging, never shows a deleted one, and a page after or before
    an object does not show that object."""
    known = exchange.known
    if known is None or known.listed is None:
        return NOT_APPLICABLE
    shown = any(_same_id(known.id, listed) for listed in known.listed)
    if known.cursor is not None:
        itself = _show(ctx, known.id)
        return f"the page {known.cursor}={itself} shows {itself} itself" if shown else None
    pages = f"{len(known.listed)} items listed"
    if known.exists and not shown:
        if not known.pages_done:
            return NOT_APPLICABLE  # more pages than the run reads: it cannot tell
        return f"the resource {_show(ctx, known.id)} created before is on no page of the list ({pages})"
    if not known.exists and shown:
        return f"the resource {_show(ctx, known.id)} deleted before is still listed"
    return None


def list_pages_consistent(exchange: Exchange, ctx: Judge) -> Verdict:
    """Walking a list page by page with its cursor reaches every object once, in the order the list
    declares (`order`); `has_more` is false only where no page follows; `first_id` and `last_id` name each
    page's ends; a page before an object holds only objects that come before it."""
    walk = exchange.known.walk if exchange.known is not None else None
    if walk is None:
        return NOT_APPLICABLE
    if walk.pivot is not None:
        return _page_before(walk, ctx)
    return _reached(walk, ctx) or _more_said(walk) or _ends_said(walk, ctx)


def _reached(walk: Walk, ctx: Judge) -> Verdict:
    """Every object of the walk on exactly one page, in the declared order (the anchor with them, where a
    walk shows it: alone in its second, it tells a list in the wrong order)."""
    made = _made(walk)
    ours = [item for page in walk.pages for item in page if item in made]
    for item in walk.created:
        if ours.count(item) > 1:
            pages = [number for number, page in enumerate(walk.pages, 1) if item in page]
            return f"{_show(ctx, item)} is on pages {pages} of one walk ({walk.cursor}=the last id of each)"
        # One made in the anchor's second (a clock that stepped back) may sort before the anchor.
        if item not in ours and (walk.anchor is None or _second(walk, item) > _second(walk, walk.anchor)):
            ordered = f", order={walk.order}" if walk.order else ""
            hint = (
                " (walked from the newest, as the order asks: a list in another order reaches them last)"
                if (walk.order or "").lower() == "desc"
                else ""
            )
            return (
                f"{_show(ctx, item)}, created before the walk, is on none of its {len(walk.pages)} pages"
                f"{ordered}{hint}"
            )
    if walk.order is None:
        return None
    descending = walk.order.lower() == "desc"
    for before, after in itertools.pairwise(ours):
        if _comes_before(walk, after, before) if not descending else _comes_before(walk, before, after):
            expected = sorted(ours, key=lambda item: _rank(walk, item), reverse=descending)
            return (
                f"order={walk.order} reached the objects as {_show(ctx, ours)}, expected"
                f" {_show(ctx, expected)}{_timed(walk)}"
            )
    return None


def _made(walk: Walk) -> tuple[str, ...]:
    """The objects of the walk in the order the run made them, its anchor first."""
    return (walk.anchor, *walk.created) if walk.anchor is not None else walk.created


def _second(walk: Walk, item: str) -> int:
    """The second an object was made in, where every object of the walk says when; else 0 for the anchor
    (made a full second before the rest) and 1 for the rest, whose order among themselves is not known."""
    made = _made(walk)
    if all(each in walk.times for each in made):
        return math.floor(walk.times[item])
    return 0 if item == walk.anchor else 1


def _rank(walk: Walk, item: str) -> tuple[int, int]:
    """Where an object sorts: by the second it was made in, then by when the run made it."""
    return (_second(walk, item), _made(walk).index(item))


def _comes_before(walk: Walk, one: str, other: str) -> bool:
    """Whether `one` must come before `other` in ascending order: made in an earlier second (objects of one
    second may come in any order, as ties broken by id do, whatever finer time they show)."""
    return _second(walk, one) < _second(walk, other)


def _timed(walk: Walk) -> str:
    if not walk.times:
        return " (the objects made after the anchor may come in any order among themselves)"
    return " (objects made in the same second may come in either order among themselves)"


def _more_said(walk: Walk) -> Verdict:
    for number, (page, more) in enumerate(zip(walk.pages, walk.more, strict=False), 1):
        following = walk.pages[number] if number < len(walk.pages) else ()
        if more is False and following:
            return (
                f"has_more is false on page {number}, but page {number + 1} followed with"
                f" {len(following)} objects"
            )
        if more is True and not page:
            return f"has_more is true on page {number}, which is empty"
    return None


def _ends_said(walk: Walk, ctx: Judge) -> Verdict:
    for number, (page, ends) in enumerate(zip(walk.pages, walk.ends, strict=False), 1):
        # Ids compared as the path writes them (a number id is its text).
        if ends is not None and page and (_as_text(ends[0]) != page[0] or _as_text(ends[1]) != page[-1]):
            shown = _show(ctx, [page[0], page[-1]])
            return f"page {number} names its ends {_show(ctx, list(ends))}, but shows {shown}"
    return None


def _as_text(value: Any) -> Any:
    return text_of(value) if isinstance(value, str | int) and not isinstance(value, bool) else value


def _page_before(walk: Walk, ctx: Judge) -> Verdict:
    """A page before an object shows none that the list puts after it, nor the object itself; and it is not
    empty where the run made objects that the list puts before it."""
    target = walk.pivot
    assert target is not None
    descending = (walk.order or "").lower() == "desc"
    page = walk.pages[0] if walk.pages else ()
    pivot = _show(ctx, target)
    if target in page:
        return f"the page {walk.cursor}={pivot} shows {pivot} itself"

    def ahead(item: str) -> bool:  # the list must put it before the pivot
        return _comes_before(walk, target, item) if descending else _comes_before(walk, item, target)

    def behind(item: str) -> bool:  # the list must put it after the pivot (one of its second may be either)
        return _comes_before(walk, item, target) if descending else _comes_before(walk, target, item)

    made = [item for item in _made(walk) if item != target]
    wrong = [item for item in page if item in made and behind(item)]
    if wrong:
        return f"the page {walk.cursor}={pivot} shows {_show(ctx, wrong[0])}, which comes after it"
    earlier = [item for item in made if ahead(item)]
    if earlier and not page:
        ordered = f", order={walk.order}" if walk.order else ""
        return (
            f"the page {walk.cursor}={pivot}{ordered} is empty, though {len(earlier)} objects the run made"
            f" come before it ({_show(ctx, earlier[0])}...)"
        )
    return None


def delete_confirmed(exchange: Exchange, ctx: Judge) -> Verdict:
    """A delete that succeeds says so where its answer says it: a boolean its confirmation requires and
    gives no value of (`deleted`) is true."""
    op = ctx.operation(exchange)
    got = exchange.received_json
    if ctx.role(exchange) is not Role.DELETE or not 200 <= exchange.status < 300 or not isinstance(got, dict):
        return NOT_APPLICABLE
    role = ctx.api.role(op)
    if role is not None and op.success.schema_pointer == role[0].schema_pointer:
        return NOT_APPLICABLE  # the deleted object itself: its booleans are its own, not a confirmation
    for name in _confirmations(ctx.api, op):
        if got.get(name) is not True:
            return (
                f"/{escape_pointer(name)} is {_show(ctx, got.get(name))}: a delete that succeeded says true"
            )
    return None


def _confirmations(api: Api, op: Operation) -> list[str]:
    pointer = op.success.schema_pointer
    if pointer is None:
        return []
    values = api.values
    required = values.schema(pointer).get("required") or []
    return [
        name
        for name, where in values.properties(pointer).items()
        if name in required
        and values.types(where) == ("boolean",)
        and not {"const", "enum", "default"} & values.schema(where).keys()
    ]


def children_follow_parents(exchange: Exchange, ctx: Judge) -> Verdict:  # noqa: PLR0911 (one per case)
    """A resource below another stays with its parent: a child asked for under another parent, under an
    unknown one, or under one deleted, is not found (no 2xx); another parent's list does not show it; its
    field named as the parent's id (a message's `thread_id`) is the parent's id."""
    about = exchange.expect.get("nesting")
    if about is None:
        return NOT_APPLICABLE
    child = exchange.expect.get("child")
    if about == "elsewhere":
        if 200 <= exchange.status < 300:
            where = exchange.expect.get("where", "another parent")
            if child is None:
                return f"a child was created under {where}: got {exchange.status}, expected 404"
            return (
                f"the child {_show(ctx, child)} was found under {where}: got {exchange.status}, expected 404"
            )
        return None
    if about == "foreign list":
        listed = exchange.expect.get("listed") or []
        return f"another parent's list shows the child {_show(ctx, child)}" if child in listed else None
    got = exchange.received_json
    field_name, parent_id = exchange.expect.get("field"), exchange.expect.get("parent_id")
    named = isinstance(got, dict) and field_name in got and parent_id is not None
    if about == "created" and named and text_of(got[field_name]) != parent_id:
        return (
            f"/{field_name} is {_show(ctx, got[field_name])}, but the child was created under"
            f" {_show(ctx, parent_id)}"
        )
    return None


def _same_id(left: Any, right: Any) -> bool:
    return left == right or (is_number(left) and is_number(right) and as_double(left) == as_double(right))


Check = Callable[[Exchange, Judge], Verdict]

# Every check of this module, in the order a summary lists them.
CHECKS: dict[str, Check] = {
    check.__name__: check
    for check in (
        valid_request_accepted,
        response_reflects_request,
        server_fields_plausible,
        invalid_body_rejected,
        malformed_body_rejected,
        duplicate_keys_consistent,
        invalid_parameter_rejected,
        api_key_required,
        api_key_accepted,
        other_methods_rejected,
        response_matches_spec,
        response_framed,
        api_key_not_echoed,
        server_answers_every_request,
        ensure_resource_availability,
        read_after_write,
        update_keeps_unsent_fields,
        use_after_free,
        unknown_id_not_found,
        list_shows_resources,
        list_pages_consistent,
        children_follow_parents,
        delete_confirmed,
    )
}
# What kind of case each check judges: where a run had none, the summary says the check judged nothing
# and why ("no case of this run was <this>").
JUDGES = {
    "valid_request_accepted": "a request the spec allows",
    "response_reflects_request": "a 2xx to a request with a body",
    "server_fields_plausible": "a 2xx with a field the server assigns",
    "invalid_body_rejected": "a body its schema forbids",
    "malformed_body_rejected": "a body that is not what its media type says",
    "duplicate_keys_consistent": "a JSON body with a free-text field to give twice",
    "invalid_parameter_rejected": "a request with a parameter its schema forbids",
    "api_key_required": "a request without the key, or with a wrong one",
    "api_key_accepted": "the key in another alternative of the security requirement",
    "other_methods_rejected": "a method the path does not define",
    "response_matches_spec": "an answer",
    "response_framed": "an answer",
    "api_key_not_echoed": "an answer",
    "server_answers_every_request": "a request",
    "ensure_resource_availability": "a read of an object the run created",
    "read_after_write": "a read of an object the run created or changed",
    "update_keeps_unsent_fields": "an update of an object the run created",
    "use_after_free": "a request about an object the run deleted",
    "unknown_id_not_found": "a request naming an id no object has",
    "list_shows_resources": "a list after the run created objects",
    "list_pages_consistent": "a walk of a list's pages over objects the run created",
    "children_follow_parents": "a child asked for under a parent it is not under",
    "delete_confirmed": "a delete that succeeded",
}
# The checks that judge only what a 2xx (or a request building on one) gives.
NEEDS_SUCCESS = frozenset(
    {
        "response_reflects_request",
        "server_fields_plausible",
        "ensure_resource_availability",
        "read_after_write",
        "update_keeps_unsent_fields",
        "use_after_free",
        "list_shows_resources",
        "list_pages_consistent",
    }
)
VALID_CHECKS = (
    "valid_request_accepted",
    "response_reflects_request",
    "server_fields_plausible",
    "delete_confirmed",
)
STATE_CHECKS = (
    "ensure_resource_availability",
    "read_after_write",
    "update_keeps_unsent_fields",
    "use_after_free",
    "unknown_id_not_found",
    "list_shows_resources",
    "list_pages_consistent",
)


def _assigns(api: Api, op: Operation) -> bool:
    """Whether the success body has a field the server assigns (`x-unique`, `format: unixtime`, an id, a
    time its description says is in seconds)."""
    pointer = op.success.schema_pointer
    if pointer is None:
        return False
    role = api.role(op)
    if role is not None and role[1] is Role.CREATE:
        return True
    return any(
        api.values.schema(where).get(UNIQUE) is True or api.values.schema(where).get("format") == UNIXTIME
        for where in api.values.properties(pointer).values()
    ) or _has_seconds(api, pointer, 0)


def _has_seconds(api: Api, pointer: str, depth: int) -> bool:
    values = api.values
    if depth > _TIME_DEPTH:
        return False
    items = values.child(pointer, "items")
    if items is not None and _has_seconds(api, items, depth + 1):
        return True
    for place in values.properties(pointer).values():
        if prose.timestamp_unit(values.schema(place), values.types(place)) == "s":
            return True
        if _has_seconds(api, place, depth + 1):
            return True
    return False


def _first_of_path(api: Api, op: Operation) -> bool:
    return next(other for other in api.operations if other.path == op.path) is op


def rule_of(name: str) -> str:
    """The first line of a check's docstring: its rule, for summaries and reports."""
    doc = CHECKS[name].__doc__ or ""
    return " ".join(doc.strip().split("\n\n")[0].split())


def applies(name: str, api: Api, op: Operation) -> bool:  # noqa: PLR0911, PLR0912 (one per check)
    """Whether the check can judge some exchange of `op`."""
    role = api.role(op)
    if name in ("response_reflects_request",):
        return op.body is not None and op.success.schema_pointer is not None
    if name == "server_fields_plausible":
        return _assigns(api, op)
    if name in ("invalid_body_rejected", "malformed_body_rejected", "duplicate_keys_consistent"):
        return op.body is not None
    if name == "invalid_parameter_rejected":
        return any(
            parameter.location != "path" or parameter.types != ("string",) for parameter in op.parameters
        )
    if name == "api_key_required":
        return op.security.testable
    if name == "other_methods_rejected":
        return _first_of_path(api, op)
    if name == "response_matches_spec":
        return False  # the suite has schemathesis's own checks for it: judged on traffic only
    if name == "api_key_accepted":
        return len(op.security.usable) > 1
    if name in ("ensure_resource_availability", "read_after_write"):
        return role is not None and role[1] is Role.RETRIEVE and role[0].first(Role.CREATE) is not None
    if name == "update_keeps_unsent_fields":
        return role is not None and role[1] is Role.UPDATE and role[0].first(Role.CREATE) is not None
    if name == "use_after_free":
        return (
            role is not None
            and role[1] in (Role.RETRIEVE, Role.UPDATE, Role.REPLACE, Role.DELETE)
            and role[0].first(Role.DELETE) is not None
            and role[0].first(Role.CREATE) is not None
        )
    if name == "unknown_id_not_found":
        return role is not None and role[1] in (Role.RETRIEVE, Role.UPDATE, Role.REPLACE, Role.DELETE)
    if name == "list_shows_resources":
        return role is not None and role[1] is Role.LIST and role[0].first(Role.CREATE) is not None
    if name == "delete_confirmed":
        return role is not None and role[1] is Role.DELETE and bool(_confirmations(api, op))
    if name == "children_follow_parents":
        return (
            role is not None
            and role[0].parent is not None
            and role[0].first(Role.CREATE) is not None
            and (role[1] in (Role.CREATE, Role.RETRIEVE, Role.LIST))
        )
    if name == "list_pages_consistent":
        paging = role[0].paging if role is not None else None
        return (
            role is not None
            and role[1] is Role.LIST
            and role[0].first(Role.CREATE) is not None
            and paging is not None
            and paging.limit is not None
            and paging.after is not None
            and paging.after in paging.cursors
        )
    return True
