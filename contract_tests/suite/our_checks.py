"""The suite's own checks: rules that follow from the spec and the API's statement but that
schemathesis's built-in checks do not test (see README, "What the contract suite checks").

Each check takes an exchange and returns None when it holds, a one-line reason when it is broken, or
NOT_APPLICABLE when the response gives it nothing to judge.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from contract_tests.spec import UNIQUE, UNIXTIME, escape_pointer
from contract_tests.suite.context import RunContext
from contract_tests.suite.exchange import NOT_JSON, Exchange
from contract_tests.suite.jsonvalues import (
    MISSING,
    Difference,
    as_double,
    first_difference,
    is_number,
    length_note,
    show,
)
from contract_tests.suite.masking import Masker
from contract_tests.suite.operation import Operation

NOT_APPLICABLE = "not applicable"
Verdict = str | None
# created_at must be the current time in seconds: a day either way tolerates any sane clock skew
# between the suite and the server, and still rejects milliseconds, zero or a constant from the docs.
CREATED_AT_WINDOW_SECONDS = 24 * 60 * 60


def schema_problem(validator: jsonschema.Validator, value: Any, what: str, mask: Masker) -> Verdict:
    """Where `value` breaks the schema, as a JSON pointer, and how: descending into the `oneOf` branch
    the value is closest to, so that the message names the field at fault."""
    if value is NOT_JSON:
        return f"the body is not JSON, expected {what}"
    error = best_match(validator.iter_errors(value), key=_relevance)
    if error is None:
        return None
    error = _deepest(error)
    where = mask.cut(_pointer(error.absolute_path) or "/", 200)
    return f"the body is not {what}: at {where}: {mask.cut(_message(error), 200, '')}"


def _relevance(error: jsonschema.ValidationError) -> tuple[int, ...]:
    return (-len(error.absolute_path),)


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For a `oneOf`/`anyOf` failure, the error of the branch the value matched best (the deepest
    failure), so that it names a field; when every branch fails on the same value's enum or const (an
    unknown tool `type`), one error listing every value the branches allow."""
    while error.context:
        deepest = max(len(sub.absolute_path) for sub in error.context)
        candidates = [sub for sub in error.context if len(sub.absolute_path) == deepest]
        if len(candidates) > 1 and all(sub.validator in ("enum", "const") for sub in candidates):
            allowed: list[Any] = []
            for sub in candidates:
                given = sub.validator_value
                for value in given if sub.validator == "enum" and isinstance(given, list) else [given]:
                    if value not in allowed:
                        allowed.append(value)
            return jsonschema.ValidationError(
                "",
                validator="enum",
                validator_value=allowed,
                instance=candidates[0].instance,
                path=candidates[0].absolute_path,
            )
        error = max(candidates, key=lambda sub: sub.validator != "const")
    return error


def _message(error: jsonschema.ValidationError) -> str:
    """What the keyword demands, then the value (shown as JSON, not as a Python repr), so that cutting
    the message keeps the reason. Not cut here: the caller masks the whole text first."""
    keyword, expected, instance = error.validator, error.validator_value, error.instance
    if keyword == "required" and isinstance(instance, dict) and isinstance(expected, list):
        missing = [name for name in expected if name not in instance]
        return f"required property {show(missing[0] if missing else '?')} is missing"
    if keyword == "type":
        return f"not of type {show(expected)}: {show(instance)}"
    if keyword in ("maxLength", "minLength") and isinstance(instance, str):
        return f"{keyword} is {expected}, got {len(instance)} characters: {show(instance)}"
    if keyword in ("maxItems", "minItems", "maxProperties", "minProperties") and isinstance(
        instance, list | dict
    ):
        return f"{keyword} is {expected}, got {len(instance)}"
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        return error.message.replace("'", '"')
    return f"{keyword} {show(expected)} does not hold for {show(instance)}"


def _pointer(path: Any) -> str:
    return "".join(f"/{escape_pointer(str(part))}" for part in path)


def _error_body_problem(exchange: Exchange, ctx: RunContext) -> Verdict:
    """The documented error shape: JSON content type and a body valid against the error schema."""
    if not exchange.response_media_type.endswith("json"):
        got = exchange.response_media_type or "(none)"
        return f"error response has content type {got!r}, expected application/json"
    return schema_problem(
        ctx.operation_for(exchange).error, exchange.received_json, "the documented error object", ctx.mask
    )


def _expect_status(
    exchange: Exchange, ctx: RunContext, allowed: frozenset[int] | range, expected: str
) -> Verdict:
    status = exchange.status
    if status not in allowed and status not in exchange.also_allowed:
        also = sorted(set(exchange.also_allowed) - set(allowed))
        if len(also) > 3:
            expected += " or another 4xx"
        elif also:
            expected += "".join(f" or {code}" for code in also)
        return f"got {status}, expected {expected}"
    return _error_body_problem(exchange, ctx)


def valid_request_accepted(exchange: Exchange, ctx: RunContext) -> Verdict:
    """A request the spec allows gets the documented success status, content type and body."""
    op = ctx.operation_for(exchange)
    expected = op.success_status
    if exchange.status != expected:
        return f"a valid request got {exchange.status}, expected {expected}"
    if not exchange.response_media_type.endswith("json"):
        got = exchange.response_media_type or "(none)"
        return f"content type {got!r}, expected application/json"
    if op.assistant is None:
        return None
    return schema_problem(op.assistant, exchange.received_json, "the documented success body", ctx.mask)


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


def open_paths(op: Operation, value: Any, pointer: str, path: str = "") -> set[str]:
    """The pointers (within `value`, prefixed by `path`) of its objects a response may add fields to:
    those whose schema lists properties and says nothing of others (a tool, a function definition).
    User data stays closed: a map (`additionalProperties`: metadata) or free-form content (a
    function's JSON Schema `parameters`) comes back as sent, no more."""
    values = op.values
    branches = values.branches(pointer)
    if branches:
        chosen = next((branch for _, branch in branches if values.is_valid(branch, value)), None)
        return open_paths(op, value, chosen, path) if chosen is not None else set()
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
                found |= open_paths(op, item, child, f"{path}/{escape_pointer(key)}")
    elif isinstance(value, list):
        items = values.child(pointer, "items")
        if items is not None:
            for index, item in enumerate(value):
                found |= open_paths(op, item, items, f"{path}/{index}")
    return found


def assistant_reflects_request(exchange: Exchange, ctx: RunContext) -> Verdict:
    """Every request field the assistant also has comes back as sent, or as its documented default."""
    sent, got = exchange.sent_json, exchange.received_json
    op = ctx.operation_for(exchange)
    if not isinstance(sent, dict) or not isinstance(got, dict) or not 200 <= exchange.status < 300:
        return NOT_APPLICABLE
    if op.assistant_schema_pointer is None or op.request_schema_pointer is None:
        return NOT_APPLICABLE
    response_fields = op.values.properties(op.assistant_schema_pointer)
    for name, request_pointer in op.values.properties(op.request_schema_pointer).items():
        response_pointer = response_fields.get(name)
        if response_pointer is None:
            continue
        if name in sent:
            expected = defined_part(sent[name], {"$ref": "#" + request_pointer}, op.resolve)
        elif name in op.defaults:
            expected = op.defaults[name]
        else:
            continue
        if not op.values.is_valid(response_pointer, expected):
            continue  # the response schema cannot carry it (a null it does not allow): nothing to expect
        where = f"/{escape_pointer(name)}"
        opened = open_paths(op, expected, request_pointer, where)
        difference = first_difference(
            expected, got.get(name, MISSING), is_open=opened.__contains__, pointer=where
        )
        if difference is not None:
            return _reflection_failure(name, sent, difference, ctx.mask)
    return None


def _reflection_failure(name: str, request: dict[str, Any], difference: Difference, mask: Masker) -> str:
    how = "as sent" if name in request else "as its documented default"
    note = f"; {difference.note}" if difference.note else ""
    expected, actual = difference.expected, difference.actual
    if isinstance(expected, str) and isinstance(actual, str):
        # Long strings: show them from a little before where they part, not from their start.
        start = max(_common_prefix(expected, actual) - 20, 0)
        lead = f" (from character {start})" if start else ""
        sent, got = (mask.cut(show(text[start:]), 100) for text in (expected, actual))
        length = length_note(expected, actual)
        where = f"{difference.pointer}{lead}"
        return f"{name!r} does not come back {how}: at {where} sent {sent}, got {got}{length}{note}"
    sent, got = mask.cut(show(expected), 100), mask.cut(show(actual), 100)
    return f"{name!r} does not come back {how}: at {difference.pointer} sent {sent}, got {got}{note}"


def _common_prefix(left: str, right: str) -> int:
    return next(
        (index for index, (a, b) in enumerate(zip(left, right, strict=False)) if a != b),
        min(len(left), len(right)),
    )


def assistant_fields_plausible(exchange: Exchange, ctx: RunContext) -> Verdict:
    """Fields the spec marks `x-unique` are new for every assistant, `format: unixtime` ones the
    current Unix time in seconds."""
    got = exchange.received_json
    op = ctx.operation_for(exchange)
    if not isinstance(got, dict) or not 200 <= exchange.status < 300 or op.assistant_schema_pointer is None:
        return NOT_APPLICABLE
    for name, pointer in op.values.properties(op.assistant_schema_pointer).items():
        schema = op.values.schema(pointer)
        if name not in got:
            continue
        value = got[name]
        if schema.get(UNIQUE) is True:
            if value in ("", None):
                return f"{name} is {mask_show(ctx, value)}, expected a value of its own"
            key = f"{op.operation_id}/{name}/{json.dumps(value, sort_keys=True)}"
            if key in ctx.seen_ids:
                first = ctx.seen_ids[key]
                return f"{name} {mask_show(ctx, value)} was already given to the assistant of {first!r}"
            ctx.seen_ids[key] = exchange.label
        if schema.get("format") == UNIXTIME:
            verdict = _current_time(name, value, ctx)
            if verdict is not None:
                return verdict
    return None


def mask_show(ctx: RunContext, value: Any) -> str:
    return ctx.mask.cut(show(value), 200)


def _current_time(name: str, value: Any, ctx: RunContext) -> Verdict:
    now = time.time()
    seconds = as_double(value) if is_number(value) else None
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,20}", value):
        seconds = float(value)
    if seconds is None or not seconds.is_integer() or abs(seconds - now) > CREATED_AT_WINDOW_SECONDS:
        return (
            f"{name} is {mask_show(ctx, value)}, expected the current Unix time in seconds (about {int(now)})"
        )
    return None


def invalid_body_rejected(exchange: Exchange, ctx: RunContext) -> Verdict:
    """A JSON body the spec forbids gets 400 and the documented error object."""
    return _expect_status(exchange, ctx, frozenset({400}), "400 for a body the spec forbids")


def malformed_body_rejected(exchange: Exchange, ctx: RunContext) -> Verdict:
    """A body that is not a JSON object, or not sent as JSON, gets a 4xx and the documented error object."""
    return _expect_status(exchange, ctx, range(400, 500), "a 4xx")


def api_key_required(exchange: Exchange, ctx: RunContext) -> Verdict:
    """No API key, or a wrong one, gets 401 and the documented error object, on every operation."""
    return _expect_status(exchange, ctx, frozenset({401}), "401")


def beta_header_required(exchange: Exchange, ctx: RunContext) -> Verdict:
    """A missing or wrong required header (OpenAI-Beta) gets 400 and the documented error object."""
    return _expect_status(exchange, ctx, frozenset({400}), "400")


def other_methods_rejected(exchange: Exchange, ctx: RunContext) -> Verdict:
    """A method the spec does not give a path gets 405 and the error object; GET gets 405 or a 2xx."""
    # The full Assistants API implements more than this spec (GET lists assistants): a server may too.
    if exchange.request.method == "GET" and 200 <= exchange.status < 300:
        return None
    return _expect_status(exchange, ctx, frozenset({405}), "405")


def api_key_not_echoed(exchange: Exchange, ctx: RunContext) -> Verdict:
    """No response header or body contains the API key the request carried (a masked form is fine)."""
    key = exchange.sent_key
    if not key or exchange.response is None:
        return NOT_APPLICABLE
    if key.encode("utf-8") in exchange.content:
        return "the response body contains the API key sent"
    for name, values in exchange.response_headers.items():
        if any(key in value for value in values):
            return f"the response header {name!r} contains the API key sent"
    return None


def server_answers_every_request(exchange: Exchange, ctx: RunContext) -> Verdict:
    """Every request gets an HTTP response: no connection closed or reset without one, no hang past the
    timeout, nothing that is not HTTP."""
    return exchange.fault


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
        server_answers_every_request,
    )
}
