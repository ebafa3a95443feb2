"""The broken servers: each is the reference server with one defect, and the check that must catch it."""

from __future__ import annotations

import atexit
import copy
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from starlette.types import ASGIApp

from contract_tests.gallery.rewrite import EditReply, EditRequest, Reply, Request, Rewrite
from contract_tests.server import create_app
from contract_tests.spec import load_spec

AppFactory = Callable[[str], ASGIApp]  # API key -> app


@dataclass(frozen=True)
class BrokenServer:
    defect: str
    caught_by: str  # the check of the suite that must fail
    build: AppFactory


def wrapped(*, request: EditRequest | None = None, reply: EditReply | None = None) -> AppFactory:
    """The reference server behind a request and/or reply edit."""
    return lambda api_key: Rewrite(create_app(api_key=api_key), request=request, reply=reply)


_scratch: list[Path] = []


def relaxed(edit: Callable[[dict[str, Any]], None]) -> AppFactory:
    """The reference server built from an edited copy of the spec: it enforces one rule less."""

    def build(api_key: str) -> ASGIApp:
        document = copy.deepcopy(load_spec())
        edit(document)
        if not _scratch:
            _scratch.append(Path(tempfile.mkdtemp(prefix="contract-gallery-")))
            atexit.register(shutil.rmtree, _scratch[0], True)
        path = _scratch[0] / f"spec-{len(list(_scratch[0].iterdir()))}.yaml"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        return create_app(api_key=api_key, spec_path=path)

    return build


def schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def request_property(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda document: schema(document, "CreateAssistantRequest")["properties"][name]


def edit_created(change: Callable[[dict[str, Any]], None]) -> EditReply:
    """Change the body of each 200 (a created assistant)."""

    def edit(request: Request, reply: Reply) -> Reply:
        if reply.status == 200:
            body = json.loads(reply.body)
            change(body)
            reply.body = json.dumps(body).encode()
        return reply

    return edit


def edit_errors(change: Callable[[dict[str, Any]], Any]) -> EditReply:
    """Replace the body of each error response."""

    def edit(request: Request, reply: Reply) -> Reply:
        if reply.status >= 400 and reply.body:
            reply.body = json.dumps(change(json.loads(reply.body))).encode()
        return reply

    return edit


def with_headers(**headers: str) -> EditRequest:
    def edit(request: Request) -> Request:
        request.headers.update({name.replace("_", "-").lower(): value for name, value in headers.items()})
        return request

    return edit


def _drop(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda body: body.pop(name, None)


def _set(name: str, value: Callable[[Any], Any]) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body[name] = value(body[name])

    return change


def _status(status: int) -> EditReply:
    def edit(request: Request, reply: Reply) -> Reply:
        if reply.status == 200:
            reply.status = status
        return reply

    return edit


def _content_type(value: str) -> EditReply:
    def edit(request: Request, reply: Reply) -> Reply:
        if reply.status == 200:
            reply.headers["content-type"] = value
        return reply

    return edit


def _not_json(request: Request, reply: Reply) -> Reply:
    if reply.status == 200:
        reply.body = b"assistant created"
    return reply


def _ignore_key(api_key: str) -> ASGIApp:
    # Every request reaches the server as if it carried the right key.
    return Rewrite(create_app(api_key=api_key), request=with_headers(authorization=f"Bearer {api_key}"))


def _loose_key(matches: Callable[[str, str], bool]) -> AppFactory:
    """A key check that accepts a token `matches(token, key)` says is close enough."""

    def build(api_key: str) -> ASGIApp:
        def edit(request: Request) -> Request:
            token = request.headers.get("authorization", "").partition(" ")[2]
            if token and matches(token, api_key):
                request.headers["authorization"] = f"Bearer {api_key}"
            return request

        return Rewrite(create_app(api_key=api_key), request=edit)

    return build


def _echo_key(request: Request, reply: Reply) -> Reply:
    reply.headers["x-debug-authorization"] = request.headers.get("authorization", "")
    return reply


def _accept_text_plain(request: Request) -> Request:
    if request.headers.get("content-type", "").startswith("text/plain"):
        request.headers["content-type"] = "application/json"
    return request


def _crash_on_non_ascii_name(request: Request) -> Request | Reply:
    try:
        name = json.loads(request.body).get("name", "")
    except (ValueError, AttributeError):
        return request
    if isinstance(name, str) and not name.isascii():
        body = {"error": {"message": "internal error", "type": "server_error", "param": None, "code": None}}
        return Reply(500, {"content-type": "application/json"}, json.dumps(body).encode())
    return request


def _accept_non_json_constants(request: Request) -> Request:
    # Plain json.loads reads NaN and Infinity, which are not JSON: the body then passes as valid.
    try:
        value = json.loads(request.body, parse_constant=lambda _: 0)
    except ValueError:
        return request
    request.body = json.dumps(value).encode()
    return request


def _answer_other_methods(request: Request) -> Request | Reply:
    if request.method not in ("POST", "GET"):  # GET may list assistants: see other_methods_rejected
        return Reply(200, {"content-type": "application/json"}, b"[]")
    return request


_constant_id = _set("id", lambda _: "asst_0000")


GALLERY: dict[str, BrokenServer] = {
    "missing_response_field": BrokenServer(
        "a created assistant lacks the required `created_at`",
        "response_schema_conformance",
        wrapped(reply=edit_created(_drop("created_at"))),
    ),
    "wrong_field_type": BrokenServer(
        "`created_at` is a string",
        "response_schema_conformance",
        wrapped(reply=edit_created(_set("created_at", str))),
    ),
    "wrong_status_code": BrokenServer(
        "a created assistant comes with 201, not 200", "valid_request_accepted", wrapped(reply=_status(201))
    ),
    "wrong_content_type": BrokenServer(
        "a created assistant is sent as text/plain",
        "content_type_conformance",
        wrapped(reply=_content_type("text/plain")),
    ),
    "body_not_json": BrokenServer(
        "a created assistant's body is not JSON", "response_schema_conformance", wrapped(reply=_not_json)
    ),
    "accepts_too_many_tools": BrokenServer(
        "accepts more tools than `maxItems`",
        "invalid_body_rejected",
        relaxed(lambda d: request_property("tools")(d).pop("maxItems")),
    ),
    "accepts_long_name": BrokenServer(
        "accepts a name longer than `maxLength`",
        "invalid_body_rejected",
        relaxed(lambda d: request_property("name")(d).pop("maxLength")),
    ),
    "accepts_unknown_fields": BrokenServer(
        "accepts fields the request schema does not define",
        "invalid_body_rejected",
        relaxed(lambda d: schema(d, "CreateAssistantRequest").pop("additionalProperties")),
    ),
    "accepts_bad_function_name": BrokenServer(
        "accepts function names outside the `pattern`",
        "invalid_body_rejected",
        relaxed(lambda d: schema(d, "FunctionDefinition")["properties"]["name"].pop("pattern")),
    ),
    "accepts_too_much_metadata": BrokenServer(
        "accepts more metadata pairs than `maxProperties`",
        "invalid_body_rejected",
        relaxed(lambda d: schema(d, "Metadata").pop("maxProperties")),
    ),
    "accepts_missing_instructions": BrokenServer(
        "accepts a request without the required `instructions`",
        "invalid_body_rejected",
        relaxed(lambda d: schema(d, "CreateAssistantRequest")["required"].remove("instructions")),
    ),
    "conflict_on_valid": BrokenServer(
        "answers 409 to every valid request",
        "positive_data_acceptance",
        wrapped(reply=_status(409)),
    ),
    "api_key_not_checked": BrokenServer("accepts any API key, or none", "api_key_required", _ignore_key),
    "beta_header_not_checked": BrokenServer(
        "accepts a missing or wrong OpenAI-Beta header",
        "beta_header_required",
        wrapped(request=with_headers(openai_beta="assistants=v1")),
    ),
    "accepts_text_plain": BrokenServer(
        "accepts a JSON body sent as text/plain",
        "malformed_body_rejected",
        wrapped(request=_accept_text_plain),
    ),
    "server_error_on_unicode": BrokenServer(
        "answers 500 to a valid request with a non-ASCII name",
        "not_a_server_error",
        wrapped(request=_crash_on_non_ascii_name),
    ),
    "wrong_error_shape": BrokenServer(
        "error bodies are {'message': ...}, not the error object",
        "response_schema_conformance",
        wrapped(reply=edit_errors(lambda body: {"message": body["error"]["message"]})),
    ),
    "name_truncated": BrokenServer(
        "stores only the first 100 characters of the name",
        "assistant_reflects_request",
        wrapped(reply=edit_created(_set("name", lambda name: name[:100]))),
    ),
    "tools_dropped": BrokenServer(
        "returns the assistant without its tools",
        "assistant_reflects_request",
        wrapped(reply=edit_created(_set("tools", lambda _: []))),
    ),
    "metadata_dropped": BrokenServer(
        "returns the assistant without its metadata",
        "assistant_reflects_request",
        wrapped(reply=edit_created(_set("metadata", lambda _: {}))),
    ),
    "created_at_in_milliseconds": BrokenServer(
        "`created_at` is in milliseconds",
        "assistant_fields_plausible",
        wrapped(reply=edit_created(_set("created_at", lambda seconds: seconds * 1000))),
    ),
    "same_id_every_time": BrokenServer(
        "every assistant gets the same id",
        "assistant_fields_plausible",
        wrapped(reply=edit_created(_constant_id)),
    ),
    "key_prefix_accepted": BrokenServer(
        "accepts any proper prefix of the API key (a compare cut at the shorter length)",
        "api_key_required",
        _loose_key(lambda token, key: key.startswith(token)),
    ),
    "key_case_insensitive": BrokenServer(
        "compares API keys ignoring case",
        "api_key_required",
        _loose_key(lambda token, key: token.lower() == key.lower()),
    ),
    "echoes_api_key": BrokenServer(
        "echoes the Authorization header in a response header", "api_key_not_echoed", wrapped(reply=_echo_key)
    ),
    "accepts_nan": BrokenServer(
        "parses bodies with plain json.loads, accepting NaN and Infinity",
        "malformed_body_rejected",
        wrapped(request=_accept_non_json_constants),
    ),
    "other_methods_answered": BrokenServer(
        "answers PUT, PATCH and DELETE with 200",
        "other_methods_rejected",
        wrapped(request=_answer_other_methods),
    ),
}
