"""The broken servers: each is the reference server with one defect, and the check that must catch it.

Every defect is stated in the spec's terms, not its field names ("accepts strings longer than their
maxLength", "drops the fields the request cannot set"), and found in the loaded spec when a server is
built, so that the gallery keeps its teeth when the spec is edited.
"""

from __future__ import annotations

import atexit
import copy
import json
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema import ValidationError

from contract_tests.gallery.faults import Action, FaultyFront
from contract_tests.gallery.rewrite import EditReply, EditRequest, Reply, Request, Rewrite
from contract_tests.server import create_app
from contract_tests.server.rules import SEED_OPERATION_ID, all_operations, follow, operation_rules
from contract_tests.spec import (
    SPEC_PATH,
    UNIQUE,
    UNIXTIME,
    SpecValidator,
    inlined_validator,
    load_spec,
    node_at,
)
from contract_tests.values import Values, json_types

AppFactory = Callable[[str, Path], Any]  # (API key, spec) -> app (ASGI, or ASGI behind a FaultyFront)
SpecRequest = Callable[[Path], EditRequest]  # an edit made for the spec at a path
SpecReply = Callable[[Path], EditReply]


@dataclass(frozen=True)
class BrokenServer:
    defect: str
    caught_by: str  # the check of the suite that must fail
    factory: AppFactory

    def build(self, api_key: str, spec: Path | str = SPEC_PATH) -> Any:
        """The server, for the spec at `spec`."""
        return self.factory(api_key, Path(spec))


def _same(edit: Any) -> Callable[[Path], Any]:
    """An edit that does not depend on the spec."""
    return lambda spec: edit


def wrapped(*, request: SpecRequest | None = None, reply: SpecReply | None = None) -> AppFactory:
    """The reference server behind a request and/or reply edit."""
    return lambda api_key, spec: Rewrite(
        create_app(api_key=api_key, spec_path=spec),
        request=request(spec) if request else None,
        reply=reply(spec) if reply else None,
    )


# --- what the spec says, found by keyword ----------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """The seed operation's schemas in one document."""

    document: dict[str, Any]
    values: Values
    request: str  # pointer of the request body's schema
    response: str | None  # pointer of the success body's schema

    @classmethod
    def of(cls, document: dict[str, Any]) -> Seed:
        rules = operation_rules(document, SEED_OPERATION_ID)
        assert rules.request_pointer is not None
        return cls(document, Values(document), follow(document, rules.request_pointer), rules.success_pointer)

    def request_nodes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(pointer, node) of every schema reachable from the request's, each once (`$ref`s followed)."""
        seen: set[str] = set()
        stack = [self.request]
        while stack:
            pointer = list(self.values.chain(stack.pop()))[-1]
            node = node_at(self.document, pointer)
            if pointer in seen or not isinstance(node, dict):
                continue
            seen.add(pointer)
            yield pointer, node
            stack += list(self.values.properties(pointer).values())
            for keyword in ("items", "additionalProperties", "propertyNames"):
                child = self.values.child(pointer, keyword)
                if child is not None:
                    stack.append(child)
            stack += [branch for _, branch in self.values.branches(pointer)]

    def response_fields(self) -> dict[str, dict[str, Any]]:
        """The success body's property name -> its keywords."""
        if self.response is None:
            return {}
        return {
            name: self.values.schema(where) for name, where in self.values.properties(self.response).items()
        }

    def request_fields(self) -> set[str]:
        return set(self.values.properties(self.request))


_scratch: list[Path] = []


def relaxed(edit: Callable[[Seed], None]) -> AppFactory:
    """The reference server built from an edited copy of the spec: it enforces one rule less."""

    def build(api_key: str, spec: Path) -> Any:
        document = copy.deepcopy(load_spec(spec))
        edit(Seed.of(document))
        if not _scratch:
            _scratch.append(Path(tempfile.mkdtemp(prefix="contract-gallery-")))
            atexit.register(shutil.rmtree, _scratch[0], True)
        path = _scratch[0] / f"spec-{len(list(_scratch[0].iterdir()))}.yaml"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        return create_app(api_key=api_key, spec_path=path)

    return build


def _drop_everywhere(keyword: str) -> Callable[[Seed], None]:
    def edit(seed: Seed) -> None:
        for _, node in seed.request_nodes():
            node.pop(keyword, None)

    return edit


def _no_required(seed: Seed) -> None:
    node_at(seed.document, list(seed.values.chain(seed.request))[-1]).pop("required", None)


def _open_body(seed: Seed) -> None:
    node_at(seed.document, list(seed.values.chain(seed.request))[-1]).pop("additionalProperties", None)


def _nested_nulls(seed: Seed) -> None:
    """Every property below the body's own (inside each tool, the function definition) also takes
    null, as a server with Optional[...] fields does."""
    top = {list(seed.values.chain(where))[-1] for where in seed.values.properties(seed.request).values()}
    for pointer, node in list(seed.request_nodes()):
        if pointer == seed.request or (pointer in top and "properties" not in node):
            continue
        for name, prop in list(node.get("properties", {}).items()):
            if not isinstance(prop, dict):
                continue
            node["properties"][name] = {"anyOf": [prop, {"type": "null"}], "description": "or null"}


def _counting(length: Callable[[str], int]) -> Any:
    """Request validators whose `minLength`/`maxLength` count with `length` instead of code points."""

    def max_length(validator: Any, limit: int, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if isinstance(instance, str) and length(instance) > limit:
            yield ValidationError(f"{instance[:20]!r}... is longer than {limit}")

    def min_length(validator: Any, limit: int, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if isinstance(instance, str) and length(instance) < limit:
            yield ValidationError(f"{instance[:20]!r}... is shorter than {limit}")

    cls = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        SpecValidator, {"maxLength": max_length, "minLength": min_length}
    )
    return lambda pointer, document: inlined_validator(pointer, document, cls)


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _nfc_code_points(text: str) -> int:
    return len(unicodedata.normalize("NFC", text))


def counting(length: Callable[[str], int]) -> AppFactory:
    return lambda api_key, spec: create_app(api_key=api_key, spec_path=spec, validator=_counting(length))


# --- edits of requests and replies -------------------------------------------------------------------------


def edit_created(change: Callable[[dict[str, Any], Seed], None]) -> SpecReply:
    """Change the body of each success (a created assistant)."""

    def for_spec(spec: Path) -> EditReply:
        seed = Seed.of(load_spec(spec))

        def edit(request: Request, reply: Reply) -> Reply:
            if 200 <= reply.status < 300 and reply.body:
                body = json.loads(reply.body)
                if isinstance(body, dict):
                    change(body, seed)
                    reply.body = json.dumps(body).encode()
            return reply

        return edit

    return for_spec


def edit_errors(change: Callable[[dict[str, Any]], Any]) -> EditReply:
    """Replace the body of each error response."""

    def edit(request: Request, reply: Reply) -> Reply:
        if reply.status >= 400 and reply.body:
            reply.body = json.dumps(change(json.loads(reply.body))).encode()
        return reply

    return edit


def _fields(test: Callable[[str, dict[str, Any], Seed], bool]) -> Callable[[dict[str, Any], Seed], list[str]]:
    return lambda body, seed: [
        name for name, schema in seed.response_fields().items() if test(name, schema, seed)
    ]


def _set_fields(
    test: Callable[[str, dict[str, Any], Seed], bool], value: Callable[[Any], Any]
) -> Callable[[dict[str, Any], Seed], None]:
    def change(body: dict[str, Any], seed: Seed) -> None:
        for name in _fields(test)(body, seed):
            if name in body:
                body[name] = value(body[name])

    return change


def _drop_assigned(body: dict[str, Any], seed: Seed) -> None:
    """Drops every required field the request cannot set (the server's own: id, created_at...)."""
    required = seed.values.schema(seed.response or "").get("required", [])
    for name in required:
        if name not in seed.request_fields():
            body.pop(name, None)


def _numbers(name: str, schema: dict[str, Any], seed: Seed) -> bool:
    return set(json_types(schema)) <= {"integer", "number"}


def _strings(name: str, schema: dict[str, Any], seed: Seed) -> bool:
    return "string" in json_types(schema) and name in seed.request_fields()


def _lists(name: str, schema: dict[str, Any], seed: Seed) -> bool:
    return "array" in json_types(schema) and name in seed.request_fields()


def _maps(name: str, schema: dict[str, Any], seed: Seed) -> bool:
    return isinstance(schema.get("additionalProperties"), dict) and name in seed.request_fields()


def _marked(keyword: str, value: Any) -> Callable[[str, dict[str, Any], Seed], bool]:
    return lambda name, schema, seed: schema.get(keyword) == value


def with_valid_headers(spec: Path) -> EditRequest:
    """Every required header of the spec set to a valid value, whatever was sent."""
    document = load_spec(spec)
    values = Values(document)
    headers = {
        rule.name.lower(): values.example(rule.schema_pointer)
        for rules in all_operations(document)
        for rule in rules.headers
        if rule.required
    }

    def edit(request: Request) -> Request:
        request.headers.update({name: str(value) for name, value in headers.items()})
        return request

    return edit


def _with_key(api_key: str) -> EditRequest:
    """Every request reaches the server as if it carried the right key."""

    def edit(request: Request) -> Request:
        request.headers["authorization"] = f"Bearer {api_key}"
        return request

    return edit


def _status(status: Callable[[int], int]) -> EditReply:
    def edit(request: Request, reply: Reply) -> Reply:
        if 200 <= reply.status < 300:
            reply.status = status(reply.status)
        return reply

    return edit


def _content_type(value: str) -> EditReply:
    def edit(request: Request, reply: Reply) -> Reply:
        if 200 <= reply.status < 300:
            reply.headers["content-type"] = value
        return reply

    return edit


def _not_json(request: Request, reply: Reply) -> Reply:
    if 200 <= reply.status < 300:
        reply.body = b"assistant created"
    return reply


def _loose_key(matches: Callable[[str, str], bool]) -> AppFactory:
    """A key check that accepts a token `matches(token, key)` says is close enough."""

    def build(api_key: str, spec: Path) -> Any:
        def edit(request: Request) -> Request:
            token = request.headers.get("authorization", "").partition(" ")[2]
            if token and matches(token, api_key):
                request.headers["authorization"] = f"Bearer {api_key}"
            return request

        return Rewrite(create_app(api_key=api_key, spec_path=spec), request=edit)

    return build


def _echo_key(request: Request, reply: Reply) -> Reply:
    reply.headers["x-debug-authorization"] = request.headers.get("authorization", "")
    return reply


def _accept_text_plain(request: Request) -> Request:
    if request.headers.get("content-type", "").startswith("text/plain"):
        request.headers["content-type"] = "application/json"
    return request


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


def _crash_on_non_ascii(request: Request) -> Request | Reply:
    try:
        body = json.loads(request.body)
    except ValueError:
        return request
    if any(not text.isascii() for text in _strings_in(body)):
        error = {"message": "internal error", "type": "server_error", "param": None, "code": None}
        return Reply(500, {"content-type": "application/json"}, json.dumps({"error": error}).encode())
    return request


def _accept_non_json_constants(request: Request) -> Request:
    # Plain json.loads reads NaN and Infinity, which are not JSON: the body then passes as valid.
    try:
        value = json.loads(request.body, parse_constant=lambda _: 0)
    except ValueError:
        return request
    request.body = json.dumps(value).encode()
    return request


def _answer_undefined_methods(spec: Path) -> EditRequest:
    defined = {rules.method for rules in all_operations(load_spec(spec))}

    def edit(request: Request) -> Request | Reply:
        # GET may list assistants on a path that does not define it: see other_methods_rejected.
        if request.method not in defined and request.method != "GET":
            return Reply(200, {"content-type": "application/json"}, b"[]")
        return request

    return edit


def _front(decide: Callable[[bytes], Action]) -> AppFactory:
    return lambda api_key, spec: FaultyFront(
        create_app(api_key=api_key, spec_path=spec), lambda head, body: decide(body)
    )


def _drop_astral(body: bytes) -> Action:
    """Closes the connection, without a response, on a body with a character outside the BMP (as a
    server storing text in a 3-byte UTF-8 column, MySQL's `utf8`, crashes)."""
    try:
        value = json.loads(body)
    except ValueError:
        return "forward"
    return (
        "drop" if any(max(map(ord, text), default=0) > 0xFFFF for text in _strings_in(value)) else "forward"
    )


def _hang_on_bad_json(body: bytes) -> Action:
    """Never answers a body that is not JSON (a parser waiting for the rest of it)."""
    if not body.strip():
        return "forward"  # no body (a GET, a DELETE), or an empty one: answered
    try:
        json.loads(body)
    except ValueError:
        return "hang"
    return "forward"


GALLERY: dict[str, BrokenServer] = {
    "missing_response_field": BrokenServer(
        "a created assistant lacks the required fields the request cannot set (`id`, `created_at`...)",
        "response_schema_conformance",
        wrapped(reply=edit_created(_drop_assigned)),
    ),
    "wrong_field_type": BrokenServer(
        "the assistant's number fields are strings",
        "response_schema_conformance",
        wrapped(reply=edit_created(_set_fields(_numbers, str))),
    ),
    "wrong_status_code": BrokenServer(
        "a created assistant comes with another 2xx than the documented one",
        "valid_request_accepted",
        wrapped(reply=_same(_status(lambda status: 201 if status != 201 else 200))),
    ),
    "wrong_content_type": BrokenServer(
        "a created assistant is sent as text/plain",
        "content_type_conformance",
        wrapped(reply=_same(_content_type("text/plain"))),
    ),
    "body_not_json": BrokenServer(
        "a created assistant's body is not JSON",
        "response_schema_conformance",
        wrapped(reply=_same(_not_json)),
    ),
    "accepts_too_many_items": BrokenServer(
        "accepts lists longer than their `maxItems` (tools, on this spec)",
        "invalid_body_rejected",
        relaxed(_drop_everywhere("maxItems")),
    ),
    "accepts_long_strings": BrokenServer(
        "accepts strings longer than their `maxLength` (a name, on this spec)",
        "invalid_body_rejected",
        relaxed(_drop_everywhere("maxLength")),
    ),
    "accepts_unknown_fields": BrokenServer(
        "accepts fields the request schema does not define",
        "invalid_body_rejected",
        relaxed(_open_body),
    ),
    "accepts_bad_patterns": BrokenServer(
        "accepts strings outside their `pattern` (a function name with a space)",
        "invalid_body_rejected",
        relaxed(_drop_everywhere("pattern")),
    ),
    "accepts_too_many_properties": BrokenServer(
        "accepts maps with more pairs than their `maxProperties` (metadata, on this spec)",
        "invalid_body_rejected",
        relaxed(_drop_everywhere("maxProperties")),
    ),
    "accepts_missing_required": BrokenServer(
        "accepts a request without its required fields",
        "invalid_body_rejected",
        relaxed(_no_required),
    ),
    "accepts_nested_nulls": BrokenServer(
        "accepts null for every property inside the body's objects (a tool's, the function's)",
        "invalid_body_rejected",
        relaxed(_nested_nulls),
    ),
    "counts_utf16_units": BrokenServer(
        "counts string lengths in UTF-16 code units (JavaScript's `.length`), not code points",
        "valid_request_accepted",
        counting(_utf16_units),
    ),
    "normalizes_before_counting": BrokenServer(
        "counts string lengths after NFC normalization, not as sent",
        "invalid_body_rejected",
        counting(_nfc_code_points),
    ),
    "conflict_on_valid": BrokenServer(
        "answers 409 to every valid request",
        "positive_data_acceptance",
        wrapped(reply=_same(_status(lambda _: 409))),
    ),
    "api_key_not_checked": BrokenServer(
        "accepts any API key, or none",
        "api_key_required",
        lambda api_key, spec: Rewrite(
            create_app(api_key=api_key, spec_path=spec), request=_with_key(api_key)
        ),
    ),
    "beta_header_not_checked": BrokenServer(
        "accepts a missing or wrong OpenAI-Beta header (any required header)",
        "beta_header_required",
        wrapped(request=with_valid_headers),
    ),
    "accepts_text_plain": BrokenServer(
        "accepts a JSON body sent as text/plain",
        "malformed_body_rejected",
        wrapped(request=_same(_accept_text_plain)),
    ),
    "server_error_on_unicode": BrokenServer(
        "answers 500 to a valid request with non-ASCII text",
        "not_a_server_error",
        wrapped(request=_same(_crash_on_non_ascii)),
    ),
    "wrong_error_shape": BrokenServer(
        'error bodies are `{"message": ...}`, not the error object',
        "response_schema_conformance",
        wrapped(reply=_same(edit_errors(lambda body: {"message": body["error"]["message"]}))),
    ),
    "strings_truncated": BrokenServer(
        "stores only the first 100 characters of each string the request sets",
        "assistant_reflects_request",
        wrapped(
            reply=edit_created(
                _set_fields(_strings, lambda text: text[:100] if isinstance(text, str) else text)
            )
        ),
    ),
    "lists_dropped": BrokenServer(
        "returns the assistant with its lists (tools, file ids) empty",
        "assistant_reflects_request",
        wrapped(reply=edit_created(_set_fields(_lists, lambda _: []))),
    ),
    "maps_dropped": BrokenServer(
        "returns the assistant with its maps (metadata) empty",
        "assistant_reflects_request",
        wrapped(reply=edit_created(_set_fields(_maps, lambda _: {}))),
    ),
    "time_in_milliseconds": BrokenServer(
        "`format: unixtime` fields (`created_at`) in milliseconds",
        "assistant_fields_plausible",
        wrapped(reply=edit_created(_set_fields(_marked("format", UNIXTIME), lambda seconds: seconds * 1000))),
    ),
    "same_id_every_time": BrokenServer(
        "every assistant gets the same `x-unique` values (`id`)",
        "assistant_fields_plausible",
        wrapped(reply=edit_created(_set_fields(_marked(UNIQUE, True), lambda value: "asst_0000"))),
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
        "echoes the Authorization header in a response header",
        "api_key_not_echoed",
        wrapped(reply=_same(_echo_key)),
    ),
    "accepts_nan": BrokenServer(
        "parses bodies with plain json.loads, accepting NaN and Infinity",
        "malformed_body_rejected",
        wrapped(request=_same(_accept_non_json_constants)),
    ),
    "other_methods_answered": BrokenServer(
        "answers the methods a path does not define (PUT, PATCH, DELETE) with 200",
        "other_methods_rejected",
        wrapped(request=_answer_undefined_methods),
    ),
    "drops_connection": BrokenServer(
        "closes the connection without a response on a body with an astral-plane character",
        "server_answers_every_request",
        _front(_drop_astral),
    ),
    "hangs_on_malformed_json": BrokenServer(
        "never answers a body that is not JSON",
        "server_answers_every_request",
        _front(_hang_on_bad_json),
    ),
}
