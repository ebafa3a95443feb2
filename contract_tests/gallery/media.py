"""Broken servers of the media types a real API uses (uploads, downloads, event streams, forms) and of
what a spec leaves the server to make (objects no request can create): each the reference server with
one defect, and the check that must catch it. They apply to a spec that has what they break (OpenAI's
published spec, tests/fixtures/media.yaml); `applies` says which.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contract_tests.api.media import BINARY, EVENTS_TYPE, FORM, MULTIPART, PARTS, TEXT, bare
from contract_tests.api.model import Api, Operation, load_api
from contract_tests.api.resources import Role
from contract_tests.gallery.rewrite import EditReply, EditRequest, Reply, Request, acted_on
from contract_tests.gallery.servers import BrokenServer, relaxed, request_nodes, wrapped


def _operation(api: Api, request: Request) -> Operation | None:
    found = api.match(request.method, request.path)
    return found[0] if found is not None else None


# --- which specs a defect applies to -----------------------------------------------------------------


def _sends(*kinds: str) -> Callable[[Api], bool]:
    return lambda api: any(op.body is not None and op.body.kind in kinds for op in api.operations)


def _answers(*kinds: str) -> Callable[[Api], bool]:
    return lambda api: any(op.success.kind in kinds for op in api.operations)


def _streams(api: Api) -> bool:
    return any(op.success.stream_schema_pointer is not None and api.stream_flag(op) for op in api.operations)


def _uncreatable(api: Api) -> bool:
    return any(
        resource.first(Role.CREATE) is None and resource.first(Role.LIST) and resource.first(Role.RETRIEVE)
        for resource in api.resources
    )


# --- the defects -----------------------------------------------------------------------------------------


def _parts_not_required(api: Api) -> None:
    """A form's or an upload's parts are all optional: a body without a required one is taken."""
    roots = [op.body.schema_pointer for op in api.operations if op.body is not None and op.body.kind in PARTS]
    for _, node in request_nodes(api, roots):
        node.pop("required", None)


def _form_fields_untyped(api: Api) -> None:
    """A form's fields take any text: their types and limits are gone."""
    roots = [op.body.schema_pointer for op in api.operations if op.body is not None and op.body.kind == FORM]
    for _, node in request_nodes(api, roots):
        for prop in (node.get("properties") or {}).values():
            if isinstance(prop, dict):
                for keyword in ("type", "minimum", "maximum", "maxLength", "enum"):
                    prop.pop(keyword, None)


def _bytes_as_json(request: Request, reply: Reply) -> Reply:
    """A download's bytes labelled application/json (as a JSON framework labels whatever it returns)."""
    media = bare(reply.headers.get("content-type"))
    if 200 <= reply.status < 300 and not media.endswith("json") and media != EVENTS_TYPE:
        reply.headers["content-type"] = "application/json"
    return reply


def _empty_transfer_encoding(spec: Path) -> EditReply:
    """The response headers the spec documents copied as they are: its `Transfer-Encoding: chunked`
    documented for speech sent with no value, beside a Content-Length."""
    api = load_api(spec)

    def edit(request: Request, reply: Reply) -> Reply:
        op = _operation(api, request)
        documented = op is not None and any(
            header.name.lower() == "transfer-encoding" for header in op.success.headers
        )
        if documented and 200 <= reply.status < 300:
            reply.headers["transfer-encoding"] = ""
        return reply

    return edit


def _events(reply: Reply) -> list[str] | None:
    if not (200 <= reply.status < 300 and bare(reply.headers.get("content-type")) == EVENTS_TYPE):
        return None
    return [block for block in reply.body.decode("utf-8").split("\n\n") if block.strip()]


def _stream_cut(request: Request, reply: Reply) -> Reply:
    """The stream closed before its last event (a worker that times out, a proxy's buffer)."""
    events = _events(reply)
    if events:
        reply.body = "".join(f"{event}\n\n" for event in events[:-1]).encode()
    return reply


def _events_without_required(spec: Path) -> EditReply:
    """Each event's data without the first field its schema requires."""
    api = load_api(spec)

    def edit(request: Request, reply: Reply) -> Reply:
        op = _operation(api, request)
        events = _events(reply)
        pointer = op.success.stream_schema_pointer if op is not None else None
        if not events or pointer is None:
            return reply
        required = api.values.schema(pointer).get("required") or []
        changed = []
        for event in events:
            data = event.removeprefix("data: ")
            try:
                value = json.loads(data)
            except ValueError:
                changed.append(event)
                continue
            if isinstance(value, dict) and required:
                value.pop(required[0], None)
            changed.append(f"data: {json.dumps(value)}")
        reply.body = "".join(f"{event}\n\n" for event in changed).encode()
        return reply

    return edit


def _stream_flag_ignored(spec: Path) -> EditRequest:
    """The request's ask for a stream dropped: the server answers one JSON body instead."""
    api = load_api(spec)

    def edit(request: Request) -> Request:
        op = _operation(api, request)
        flag = api.stream_flag(op) if op is not None else None
        if flag is None:
            return request
        try:
            value = json.loads(request.body)
        except ValueError:
            return request
        if isinstance(value, dict) and value.get(flag) is True:
            value[flag] = False
            request.body = json.dumps(value).encode()
            request.headers["content-length"] = str(len(request.body))
        request.headers.pop("accept", None)
        return request

    return edit


def _listed_not_retrievable(spec: Path) -> EditRequest:
    """An object its own list shows, not found by id: the retrieve of a resource no request creates
    looks in the wrong table."""
    api = load_api(spec)

    def edit(request: Request) -> Request | Reply:
        acted = acted_on(api, request)
        if acted is None or acted.role is not Role.RETRIEVE or acted.resource.first(Role.CREATE) is not None:
            return request
        error = {
            "error": {"message": "Not found.", "type": "invalid_request_error", "param": None, "code": None}
        }
        return Reply(404, {"content-type": "application/json"}, json.dumps(error).encode())

    return edit


def _text_as_latin1(request: Request, reply: Reply) -> Reply:
    """Text answered in Latin-1 under a UTF-8 (or no) charset."""
    if 200 <= reply.status < 300 and bare(reply.headers.get("content-type")).startswith("text/plain"):
        reply.body = reply.body.decode("utf-8", "replace").encode("latin-1", "replace") + b" caf\xe9"
    return reply


def _same(edit: Any) -> Callable[[Path], Any]:
    return lambda spec: edit


MEDIA_GALLERY: dict[str, BrokenServer] = {
    "upload_part_unchecked": BrokenServer(
        "accepts an upload (multipart/form-data) without a part its schema requires",
        "invalid_body_rejected",
        relaxed(_parts_not_required),
        applies=_sends(MULTIPART),
    ),
    "form_fields_untyped": BrokenServer(
        "accepts a form (x-www-form-urlencoded) field of a type or value its schema forbids",
        "invalid_body_rejected",
        relaxed(_form_fields_untyped),
        applies=_sends(FORM),
    ),
    "download_as_json": BrokenServer(
        "labels a download's bytes application/json",
        "valid_request_accepted",
        wrapped(reply=_same(_bytes_as_json)),
        applies=_answers(BINARY),
    ),
    "transfer_encoding_empty": BrokenServer(
        "copies the documented Transfer-Encoding header with no value into its answer",
        "response_framed",
        wrapped(reply=_empty_transfer_encoding),
        applies=lambda api: any(
            header.name.lower() == "transfer-encoding"
            for op in api.operations
            for header in op.success.headers
        ),
    ),
    "stream_cut_short": BrokenServer(
        "ends an event stream before its last event",
        "valid_request_accepted",
        wrapped(reply=_same(_stream_cut)),
        applies=_streams,
    ),
    "stream_events_invalid": BrokenServer(
        "streams events without a field their schema requires",
        "valid_request_accepted",
        wrapped(reply=_events_without_required),
        applies=_streams,
    ),
    "stream_ignored": BrokenServer(
        "answers one JSON body where the request asked for an event stream",
        "valid_request_accepted",
        wrapped(request=_stream_flag_ignored),
        applies=_streams,
    ),
    "listed_not_retrievable": BrokenServer(
        "answers 404 to an object its own list shows (of a resource no request can create)",
        "valid_request_accepted",
        wrapped(request=_listed_not_retrievable),
        applies=_uncreatable,
    ),
    "text_not_utf8": BrokenServer(
        "answers text/plain in Latin-1",
        "valid_request_accepted",
        wrapped(reply=_same(_text_as_latin1)),
        applies=_answers(TEXT),
    ),
}
