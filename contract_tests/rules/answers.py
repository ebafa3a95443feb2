"""A success body of every kind, judged by its media type: JSON against its schema; bytes and text by
their documented content type; a stream of server-sent events event by event (each event's data against
the stream's schema, the stream ended where an event ends and, where the spec names one, by its last
event); and how any response is framed (RFC 9112, 6)."""

from __future__ import annotations

from contract_tests.api.media import (
    BINARY,
    EVENTS,
    EVENTS_TYPE,
    JSON,
    TEXT,
    is_terminator,
    matches,
    parse_events,
)
from contract_tests.api.model import Api, Operation
from contract_tests.masking import Masker
from contract_tests.rules.exchange import NOT_JSON, Exchange, Sent, parse_json
from contract_tests.rules.messages import schema_problem
from contract_tests.rules.requests import request_value


def wants_stream(api: Api, op: Operation, sent: Sent) -> bool:
    """Whether the request asked for its answer as server-sent events, where the spec lists them: by the
    flag the spec says streams (`stream: true`); always, where only they are. (An Accept header alone is a
    preference: a server may answer it either way.)"""
    success = op.success
    if success.kind == EVENTS:
        return True
    if success.stream_schema_pointer is None:
        return False
    flag = api.stream_flag(op)
    value = request_value(api, op, sent)
    return flag is not None and isinstance(value, dict) and value.get(flag) is True


def success_body_problem(api: Api, op: Operation, exchange: Exchange, mask: Masker) -> str | None:
    """What is wrong with a success response's body for what the request asked, or None."""
    success = op.success
    got = exchange.response_media_type
    # A stream asked for must come as one; one a server chose to send (to an Accept) is judged as one.
    chosen = success.stream_schema_pointer is not None and matches(got, EVENTS_TYPE)
    if wants_stream(api, op, exchange.request) or chosen:
        pointer = success.stream_schema_pointer or success.other_schema_pointer
        if not matches(got, EVENTS_TYPE):
            return (
                f"content type {got or '(none)'!r}, expected {EVENTS_TYPE} (the request asked for a stream)"
            )
        return events_problem(api, op, exchange.content, pointer, mask)
    if success.kind == JSON:
        return _json_problem(api, op, exchange, mask)
    return _bytes_problem(op, exchange)


def _bytes_problem(op: Operation, exchange: Exchange) -> str | None:
    """Bytes or text: of the documented media type (a range such as `audio/*` allows any audio), text in
    UTF-8."""
    kind, documented, got = op.success.kind, op.success.other_media_type or "", exchange.response_media_type
    if kind in (BINARY, TEXT) and not matches(got, documented):
        return f"content type {got or '(none)'!r}, expected {documented}"
    if kind == TEXT:
        try:
            exchange.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"the {documented} body is not UTF-8 text (byte {exc.start})"
    return None


def _json_problem(api: Api, op: Operation, exchange: Exchange, mask: Masker) -> str | None:
    pointer, got = op.success.schema_pointer, exchange.response_media_type
    if pointer is None:
        return None
    if not got.endswith("json"):
        return f"content type {got or '(none)'!r}, expected application/json"
    problem = schema_problem(
        api.values.validator(pointer), exchange.received_json, "the documented success body", mask
    )
    return None if problem is None else f"the body is not the documented success body: {problem}"


def events_problem(api: Api, op: Operation, raw: bytes, pointer: str | None, mask: Masker) -> str | None:
    """What is wrong with a stream of server-sent events: cut short, empty, an event whose data is not
    JSON or not of the schema, or no last event where the spec names one (`data: [DONE]`)."""
    stream = parse_events(raw)
    if not stream.complete:
        return (
            f"the event stream was cut short: it ended inside an event, after {len(stream.events)} whole ones"
        )
    events = list(stream.events)
    terminator = api.stream_terminator(op)
    if terminator is not None:
        if not events or events[-1].data != terminator:
            return f"the event stream was cut short: it ended without its last event, data: {terminator}"
        events.pop()
    elif events and is_terminator(events[-1].data):
        events.pop()
    if not events:
        return "the event stream carried no event"
    for number, event in enumerate(events, 1):
        value = parse_json(event.data)
        if value is NOT_JSON:
            return f"event {number} of the stream is not JSON: data: {mask.cut(event.data, 80)}"
        if pointer is None:
            continue
        problem = schema_problem(api.values.validator(pointer), value, "the documented event", mask)
        if problem is not None:
            return f"event {number} of the stream is not the documented event: {problem}"
    return None


def framing_problem(headers: list[tuple[str, str]], body: bytes) -> str | None:
    """What breaks HTTP/1.1's framing of a response (RFC 9112, 6): a Transfer-Encoding that does not end
    in chunked, one beside a Content-Length, or a Content-Length that is not the body's length."""
    encodings = [value for name, value in headers if name.lower() == "transfer-encoding"]
    lengths = [value for name, value in headers if name.lower() == "content-length"]
    if encodings:
        codings = [part.strip().lower() for value in encodings for part in value.split(",")]
        if not codings or codings[-1] != "chunked":
            shown = ", ".join(encodings) or '""'
            return f"Transfer-Encoding is {shown!r}: it must end in chunked (RFC 9112, 6.1)"
        if lengths:
            return "the response has both Transfer-Encoding and Content-Length (RFC 9112, 6.1)"
        return None
    if lengths:
        if len(set(lengths)) > 1 or not lengths[0].strip().isdigit():
            return f"Content-Length is {', '.join(lengths)!r}: it must be one number (RFC 9110, 8.6)"
        encoded = any(name.lower() == "content-encoding" for name, _ in headers)
        if not encoded and int(lengths[0]) != len(body):
            return f"Content-Length says {lengths[0].strip()} bytes, the body has {len(body)}"
    return None
