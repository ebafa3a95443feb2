"""The suite's own checks: rules that follow from the spec and the API's statement but that
schemathesis's built-in checks do not test (see README, "What the contract suite checks").

Each check takes an exchange and returns None when it holds, a one-line reason when it is broken, or
NOT_APPLICABLE when the response gives it nothing to judge.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from contract_tests.suite.context import RunContext
from contract_tests.suite.exchange import NOT_JSON, Exchange
from contract_tests.suite.masking import Masker

NOT_APPLICABLE = "not applicable"
Verdict = str | None
# created_at must be the current time in seconds: a day either way tolerates any sane clock skew
# between the suite and the server, and still rejects milliseconds, zero or a constant from the docs.
CREATED_AT_WINDOW_SECONDS = 24 * 60 * 60


def _schema_problem(validator: jsonschema.Validator, value: Any, what: str, mask: Masker) -> Verdict:
    if value is NOT_JSON:
        return f"the body is not JSON, expected {what}"
    error = best_match(validator.iter_errors(value), key=lambda e: -len(e.absolute_path))
    if error is None:
        return None
    where = mask.cut("/".join(str(part) for part in error.absolute_path) or "(root)", 200)
    return f"the body is not {what}: at {where}: {mask.cut(error.message, 200, '')}"


def _error_body_problem(exchange: Exchange, ctx: RunContext) -> Verdict:
    """The documented error shape: JSON content type and a body valid against the error schema."""
    if exchange.response_media_type != "application/json":
        got = exchange.response_media_type or "(none)"
        return f"error response has content type {got!r}, expected application/json"
    return _schema_problem(
        ctx.operation.error, exchange.received_json, "the documented error object", ctx.mask
    )


def _expect_status(
    exchange: Exchange, ctx: RunContext, allowed: Callable[[int], bool], expected: str
) -> Verdict:
    status = exchange.response.status_code
    if not allowed(status) and status not in exchange.also_allowed:
        also = "".join(f" or {code}" for code in sorted(exchange.also_allowed))
        also = " or another 4xx" if len(exchange.also_allowed) > 3 else also
        return f"got {status}, expected {expected}{also}"
    return _error_body_problem(exchange, ctx)


def valid_request_accepted(exchange: Exchange, ctx: RunContext) -> Verdict:
    """A request the spec allows gets the documented success status, content type and assistant."""
    expected = ctx.operation.success_status
    if exchange.response.status_code != expected:
        return f"a valid request got {exchange.response.status_code}, expected {expected}"
    if exchange.response_media_type != ctx.operation.content_type:
        got = exchange.response_media_type or "(none)"
        return f"content type {got!r}, expected {ctx.operation.content_type}"
    return _schema_problem(
        ctx.operation.assistant, exchange.received_json, "a valid assistant object", ctx.mask
    )


def _matches(expected: Any, actual: Any, *, open_objects: bool) -> bool:
    """Whether `actual` reflects `expected`; open objects (tools) may carry extra fields."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and _matches_object(expected, actual, open_objects=open_objects)
    if isinstance(expected, list):
        return isinstance(actual, list) and _matches_list(expected, actual, open_objects=open_objects)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return bool(expected == actual)


def _matches_object(expected: dict[str, Any], actual: dict[str, Any], *, open_objects: bool) -> bool:
    if not open_objects and expected.keys() != actual.keys():
        return False
    return all(
        key in actual and _matches(value, actual[key], open_objects=open_objects)
        for key, value in expected.items()
    )


def _matches_list(expected: list[Any], actual: list[Any], *, open_objects: bool) -> bool:
    if len(expected) != len(actual):
        return False
    remaining = list(actual)
    # Each item sent must come back once; the order of a list is not part of the contract.
    for item in expected:
        found = next(
            (i for i, other in enumerate(remaining) if _matches(item, other, open_objects=open_objects)), None
        )
        if found is None:
            return False
        remaining.pop(found)
    return True


def defined_part(value: Any, schema: Any, resolve: Callable[[Any], Any]) -> Any:
    """The part of a sent value that the spec defines.

    An object schema that lists its properties and says nothing of others (no `additionalProperties`)
    lets a request carry unknown fields, but not what the server does with them: they are left out of
    the comparison. Arbitrary content the spec allows explicitly (metadata, JSON Schema parameters) stays.
    """
    schema = resolve(schema)
    if not isinstance(schema, dict):
        return value
    mapping = schema.get("discriminator", {}).get("mapping", {})
    if isinstance(value, dict) and mapping:
        variant = mapping.get(value.get(schema["discriminator"]["propertyName"]))
        return defined_part(value, {"$ref": variant}, resolve) if variant else value
    if isinstance(value, list) and "items" in schema:
        return [defined_part(item, schema["items"], resolve) for item in value]
    if isinstance(value, dict) and "properties" in schema:
        known = schema["properties"]
        keep_unknown = "additionalProperties" in schema
        return {
            key: defined_part(item, known[key], resolve) if key in known else item
            for key, item in value.items()
            if key in known or keep_unknown
        }
    return value


def assistant_reflects_request(exchange: Exchange, ctx: RunContext) -> Verdict:
    """Every request field the assistant also has comes back as sent, or as its documented default."""
    sent, got = exchange.sent_json, exchange.received_json
    if not isinstance(sent, dict) or not isinstance(got, dict) or exchange.response.status_code >= 300:
        return NOT_APPLICABLE
    op = ctx.operation
    assistant_fields = op.assistant_schema.get("properties", {})
    for name in op.request_schema.get("properties", {}):
        if name not in assistant_fields:
            continue
        if name in sent:
            expected = defined_part(sent[name], op.request_schema["properties"][name], op.resolve)
        elif name in op.defaults:
            expected = op.defaults[name]
        else:
            continue
        # Tools are open objects (a server may add e.g. a function's default parameters); user data is not.
        open_objects = name == "tools"
        if name not in got or not _matches(expected, got[name], open_objects=open_objects):
            difference = _difference(expected, got.get(name, "(missing)"), ctx.mask)
            return f"{name!r} does not reflect the request: {difference}"
    return None


def assistant_fields_plausible(exchange: Exchange, ctx: RunContext) -> Verdict:
    """The new assistant has a non-empty id of its own and a created_at that is the current Unix time."""
    got = exchange.received_json
    if not isinstance(got, dict) or exchange.response.status_code >= 300:
        return NOT_APPLICABLE
    assistant_id, created_at = got.get("id"), got.get("created_at")
    if not isinstance(assistant_id, str) or not assistant_id.strip():
        return f"id is {ctx.mask.cut(repr(assistant_id), 200)}, expected a non-empty string"
    if assistant_id in ctx.seen_ids:
        first = ctx.seen_ids[assistant_id]
        return f"id {ctx.mask.cut(repr(assistant_id), 200)} was already given to the assistant of {first!r}"
    ctx.seen_ids[assistant_id] = exchange.label
    now = time.time()
    if (
        not isinstance(created_at, int)
        or isinstance(created_at, bool)
        or abs(created_at - now) > CREATED_AT_WINDOW_SECONDS
    ):
        shown = ctx.mask.cut(repr(created_at), 200)
        return f"created_at is {shown}, expected the current Unix time in seconds (about {int(now)})"
    return None


def invalid_body_rejected(exchange: Exchange, ctx: RunContext) -> Verdict:
    """A JSON body the spec forbids gets 400 and the documented error object."""
    return _expect_status(exchange, ctx, lambda status: status == 400, "400 for a body the spec forbids")


def malformed_body_rejected(exchange: Exchange, ctx: RunContext) -> Verdict:
    """A body that is not a JSON object, or not sent as JSON, gets a 4xx and the documented error object."""
    return _expect_status(exchange, ctx, lambda status: 400 <= status < 500, "a 4xx")


def api_key_required(exchange: Exchange, ctx: RunContext) -> Verdict:
    """No API key, or a wrong one, gets 401 and the documented error object."""
    return _expect_status(exchange, ctx, lambda status: status == 401, "401")


def beta_header_required(exchange: Exchange, ctx: RunContext) -> Verdict:
    """A missing or wrong OpenAI-Beta header gets 400 and the documented error object."""
    return _expect_status(exchange, ctx, lambda status: status == 400, "400")


def other_methods_rejected(exchange: Exchange, ctx: RunContext) -> Verdict:
    """PUT, PATCH, DELETE get 405 and the documented error object; GET gets 405 or a 2xx, never a 5xx."""
    # The full Assistants API lists assistants with GET on this path: a server may implement that too.
    if exchange.request.method == "GET" and 200 <= exchange.response.status_code < 300:
        return None
    return _expect_status(exchange, ctx, lambda status: status == 405, "405")


def api_key_not_echoed(exchange: Exchange, ctx: RunContext) -> Verdict:
    """No response header or body contains the API key the request carried (a masked form is fine)."""
    key = exchange.sent_key
    if not key:
        return NOT_APPLICABLE
    if key.encode("utf-8") in exchange.response.content:
        return "the response body contains the API key sent"
    for name, values in exchange.response.headers.items():
        if any(key in value for value in values):
            return f"the response header {name!r} contains the API key sent"
    return None


def _difference(sent: Any, got: Any, mask: Masker) -> str:
    """How a returned value differs from the one sent, readable even for 256,000-character strings."""
    sent_text, got_text = mask.cut(repr(sent), 60), mask.cut(repr(got), 60)
    if isinstance(sent, str | list) and isinstance(got, type(sent)) and len(sent) != len(got):
        unit = "characters" if isinstance(sent, str) else "items"
        return f"sent {len(sent)} {unit} ({sent_text}), got {len(got)} ({got_text})"
    return f"sent {sent_text}, got {got_text}"


OUR_CHECKS: dict[str, Callable[[Exchange, RunContext], Verdict]] = {
    check.__name__: check
    for check in (
        valid_request_accepted,
        assistant_reflects_request,
        assistant_fields_plausible,
        invalid_body_rejected,
        malformed_body_rejected,
        api_key_required,
        beta_header_required,
        other_methods_rejected,
        api_key_not_echoed,
    )
}
