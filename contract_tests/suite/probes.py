"""Fixed requests about keys, parameters, headers and transport, for every operation of the spec.

Each probe changes one thing in an otherwise valid request (the operation's first example, or a value
built from its schema; the id of a resource the run created where the path names one), so the check it
feeds can only be about that one thing:

- on every operation that needs the key: no key, a wrong key in each scheme the spec declares, keys one
  slip from the right one, the bare key without its scheme word and under another one; the right key in
  each other alternative of the security requirement;
- on every operation: each required parameter (a header, a query or path parameter) left out, and each
  parameter at the limits of its schema (valid) and one step past them (invalid);
- on every operation with a JSON body: malformed JSON, an empty body, bodies of another JSON type, NaN
  and Infinity where the schema allows any value, data after the value, a byte that is not UTF-8 inside
  a string, a field given twice, the body as text/plain or without a Content-Type;
- on every path: each of GET, POST, PUT, PATCH, DELETE it does not define.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from contract_tests.api.media import MULTIPART, PARTS, encode, value_of_parts
from contract_tests.api.model import Api, Operation, Parameter
from contract_tests.api.parameters import ABSENT, read, text_of
from contract_tests.api.resources import Role
from contract_tests.api.security import BASIC, BEARER
from contract_tests.masking import near_misses
from contract_tests.rules.checks import VALID_CHECKS
from contract_tests.rules.parts import read_parts
from contract_tests.suite.bodies import BodyFactory
from contract_tests.suite.context import Credentials, credentials

WRONG_KEY = "sk-contract-suite-wrong-key-0000"  # made up: any real server must refuse it
# Values of every JSON type: an object that may be just {key: any of them} is free-form (JSON Schema
# parameters, say), unlike an open object such as a tool, which still has its required fields.
_ANY_VALUES: tuple[Any, ...] = ("x", 7, 1.5, None, True, [], {"a": 1})
_FREE_KEY = "contract_probe"
# HEAD, OPTIONS and TRACE are often answered by frameworks and proxies themselves: not probed.
PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_WRONG_HEADER_VALUES = ("assistants=v2", "garbage", "")
PARAMETER_VALUES = 6  # valid values per parameter, at most (its limits and enum values)


@dataclass(frozen=True)
class Probe:
    label: str
    checks: tuple[str, ...]
    operation: str  # operationId the probe is counted for
    method: str
    path: str  # with its parameters filled in
    headers: dict[str, str]  # without credentials, unless the probe is about them
    body: bytes | None
    query: tuple[tuple[str, str], ...] = ()
    credentials: Credentials | None = None  # None: the caller's key, as the operation's first alternative
    key: str | None = None  # the key the credentials carry (to mask and to tell the caller's from others)
    removes: bool = False  # a DELETE that must be refused: sent against a resource of its own
    expect: dict[str, Any] = field(default_factory=dict)  # what its check needs to know beyond the wire


@dataclass
class Request:
    """An operation's valid request, that each probe changes in one place."""

    op: Operation
    path: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes | None
    extra_headers: dict[str, str] = field(default_factory=dict)

    def url_path(self, api: Api, path: dict[str, str] | None = None) -> str:
        filled = self.op.path
        for name, value in (self.path if path is None else path).items():
            filled = filled.replace("{" + name + "}", value)
        return filled

    def probe(
        self,
        api: Api,
        label: str,
        checks: tuple[str, ...],
        *,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        path: dict[str, str] | None = None,
        body: bytes | Any | None = ...,
        credentials: Credentials | None = None,
        key: str | None = None,
        method: str | None = None,
    ) -> Probe:
        return Probe(
            label,
            checks,
            self.op.operation_id,
            method or self.op.method,
            self.url_path(api, path),
            dict(self.headers if headers is None else headers),
            self.body if body is ... else body,
            tuple((self.query if query is None else query).items()),
            credentials,
            key,
            removes=method is None and self.op.method == "DELETE",
        )


def json_text(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


def valid_request(
    api: Api, op: Operation, path: dict[str, str], body: Any = ..., pins: Callable[[Any], Any] | None = None
) -> Request:
    """The operation's valid request: its path parameters `path`, its required headers and query
    parameters at their examples, its first request example as the body."""
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    for parameter in op.parameters:
        if not parameter.required or parameter.location in ("path", "cookie"):
            continue
        value = text_of(api.parameter_example(parameter))
        (headers if parameter.location == "header" else query)[parameter.name] = value
    raw = None
    if op.body is not None:
        value = api.example_body(op) if body is ... else body
        if pins is not None:
            value = pins(value)
        raw, content_type = encode(api.values, op.body.schema_pointer, op.body.kind, value)
        headers["Content-Type"] = content_type or op.body.media_type
    return Request(op, path, query, headers, raw)


def example_probe(api: Api, request: Request) -> Probe:
    """The operation's valid request, with the caller's key: sent first, to tell a wrong key at once."""
    examples = api.examples(request.op)
    name = next(iter(examples), None)
    label = f"spec example {name!r}, sent first" if name else "a request built from the spec, sent first"
    return request.probe(api, label, VALID_CHECKS)


def key_probes(api: Api, request: Request, api_key: str) -> list[Probe]:
    """No key, a wrong key, keys one slip from the caller's, the key in forms the spec does not declare:
    each must be refused. The key in each other alternative the spec declares: each must be accepted."""
    op = request.op
    security = op.security
    if not security.testable:
        return []
    first = security.usable[0]
    refused = ("api_key_required",)
    found = [request.probe(api, "no API key", refused, credentials=Credentials())]
    for scheme in security.schemes:
        found.append(
            request.probe(
                api,
                f"a wrong API key in {scheme.label}",
                refused,
                credentials=credentials((scheme,), WRONG_KEY),
                key=WRONG_KEY,
            )
        )
    # A server comparing keys by prefix, or ignoring case, accepts one of the near misses.
    for label, near in near_misses(api_key).items():
        found.append(request.probe(api, label, refused, credentials=credentials(first, near), key=near))
    for scheme in first:
        if scheme.kind not in (BEARER, BASIC) or scheme.location != "header":
            continue
        # The slips of hand-written key checks: the scheme word stripped without being required, or not
        # compared (`strings.TrimPrefix`, `split(" ")[1]`).
        for label, value in (
            (f"the bare API key in {scheme.parameter}, without {scheme.kind.capitalize()}", api_key),
            (f"the API key in {scheme.parameter} under another scheme (Token)", f"Token {api_key}"),
        ):
            others = credentials(tuple(other for other in first if other is not scheme), api_key)
            found.append(
                request.probe(
                    api,
                    label,
                    refused,
                    credentials=Credentials(
                        {**others.headers, scheme.parameter: value}, others.query, others.cookies
                    ),
                    key=api_key,
                )
            )
        if len(first) > 1:
            partial = credentials(tuple(other for other in first if other is not scheme), api_key)
            found.append(
                request.probe(
                    api, f"the key without {scheme.label}", refused, credentials=partial, key=api_key
                )
            )
    for alternative in security.usable[1:]:
        names = " and ".join(scheme.label for scheme in alternative)
        found.append(
            request.probe(
                api,
                f"the API key in {names} alone",
                ("api_key_accepted", *VALID_CHECKS),
                credentials=credentials(alternative, api_key),
                key=api_key,
            )
        )
    return found


def parameter_probes(api: Api, request: Request) -> list[Probe]:
    """Each required parameter left out; each parameter at its schema's limits (valid) and past them."""
    op = request.op
    found = []
    role = api.role(op)
    cursors = {p.name for p in role[0].paging.cursors} if role is not None and role[1] is Role.LIST else set()
    for parameter in op.parameters:
        if parameter.location == "cookie":
            continue
        if parameter.required and parameter.location != "path":
            headers, query = _without(request, parameter)
            found.append(
                request.probe(
                    api,
                    f"no {parameter.label}",
                    ("invalid_parameter_rejected",),
                    headers=headers,
                    query=query,
                )
            )
        for label, text, valid in _parameter_values(api, parameter, request):
            checks = VALID_CHECKS if valid else ("invalid_parameter_rejected",)
            headers, query = _without(request, parameter)
            path = dict(request.path)
            if parameter.location == "header":
                headers[parameter.name] = text
            elif parameter.location == "query":
                if valid and parameter.name in cursors:
                    continue  # a cursor other than an object's id names no object: nothing to judge
                query[parameter.name] = text
            else:
                if valid:
                    continue  # another valid id names another resource: nothing to judge
                path[parameter.name] = text
            found.append(
                request.probe(
                    api, f"{parameter.label} {label}", checks, headers=headers, query=query, path=path
                )
            )
    return found


def _without(request: Request, parameter: Parameter) -> tuple[dict[str, str], dict[str, str]]:
    headers = {
        name: value for name, value in request.headers.items() if name.lower() != parameter.name.lower()
    }
    query = {name: value for name, value in request.query.items() if name != parameter.name}
    return headers, query


def _parameter_values(api: Api, parameter: Parameter, request: Request) -> Iterator[tuple[str, str, bool]]:
    """(label, text, valid) for the parameter: the limits of its schema, as text, each confirmed by reading
    the text back as the spec types it and validating it."""
    if parameter.schema_pointer is None:
        return
    validator = api.values.validator(parameter.schema_pointer)
    items = api.values.child(parameter.schema_pointer, "items")
    item_schema = api.values.schema(items) if items else None
    factory = BodyFactory.for_schema(api.values, parameter.schema_pointer, api.parameter_example(parameter))
    seen: set[str] = set()
    kept_valid = 0
    candidates = [(body.label, body.value, True) for body in factory.valid()]
    candidates += [(body.label, body.value, False) for body in factory.invalid()]
    if parameter.location == "header":
        candidates += [(f"= {json.dumps(wrong)}", wrong, False) for wrong in _WRONG_HEADER_VALUES]
    for label, value, valid in candidates:
        if isinstance(value, dict) or (isinstance(value, list) and "array" not in parameter.types):
            continue
        if value is None:
            continue  # a parameter's text cannot say null apart from the text "null"
        text = text_of(value)
        if text in seen or (parameter.location == "header" and not _header_safe(text)):
            continue
        if parameter.location == "path" and (text == "" or "/" in text):
            continue
        read_back = read(parameter, [text], item_schema)
        if read_back is ABSENT or bool(validator.is_valid(read_back)) != valid:
            continue
        if valid:
            if kept_valid >= PARAMETER_VALUES or text == request.query.get(parameter.name):
                continue
            kept_valid += 1
        seen.add(text)
        said = label.removeprefix("spec example 'example'").replace("the body", "").strip()
        yield said or f"= {json.dumps(text)}", text, valid


def _header_safe(text: str) -> bool:
    """Whether a header can carry `text` as it is (no line breaks, no surrounding space, Latin-1)."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return text == text.strip(" \t") and not any(char in text for char in "\r\n\0")


def _objects(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every JSON object in `value`, outermost first."""
    if isinstance(value, dict):
        yield path
        for key, item in value.items():
            yield from _objects(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects(item, (*path, index))


def _with_free_value(body: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """`body` with the object at `path` replaced by {_FREE_KEY: value}."""
    if not path:
        return {_FREE_KEY: value}
    changed = copy.deepcopy(body)
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = {_FREE_KEY: value}
    return changed


def free_form_bodies(api: Api, op: Operation, values: tuple[float, ...]) -> list[bytes]:
    """The operation's examples with each of `values` (NaN, Infinity) where the schema allows any value.

    The place is found with the spec's validator (a free-form object, e.g. a function's `parameters`):
    there the only thing wrong with the body is the constant, which is not JSON, so a server must reject
    it for that reason alone. Empty when the spec has no such place.
    """
    if op.body is None:
        return []
    validator = api.values.validator(op.body.schema_pointer)
    for example in [*api.examples(op).values(), api.example_body(op)]:
        for path in _objects(example):
            if all(validator.is_valid(_with_free_value(example, path, value)) for value in _ANY_VALUES):
                return [json.dumps(_with_free_value(example, path, value)).encode() for value in values]
    return []


def stream_probes(api: Api, request: Request) -> list[Probe]:
    """Where the spec says a flag streams (`stream: true`): the valid request with it set, which must be
    answered as a stream of the documented events where the success lists them, and may be answered so
    where only the flag's prose promises one (else as the listed JSON). (An `Accept: text/event-stream`
    alone is a preference a server may set aside: not probed.)"""
    op = request.op
    if op.body is None or not op.body.is_json:
        return []
    found = []
    flag = api.stream_flag(op)
    body = json.loads(request.body) if request.body else None
    if flag is not None and isinstance(body, dict):
        streamed = {**body, flag: True}
        if api.values.is_valid(op.body.schema_pointer, streamed):
            found.append(
                request.probe(
                    api, f"the valid request with {flag}: true", VALID_CHECKS, body=json_text(streamed)
                )
            )
    return found


def body_probes(api: Api, request: Request) -> list[Probe]:
    """Bodies that are not what their media type says, not of the schema's type, or not sent as the spec's
    media type: each gets a 4xx. An optional body sent empty is no body: that request is valid."""
    op = request.op
    if op.body is None or request.body is None:
        return []
    if not op.body.required:
        empty = request.probe(api, "an empty body, which is optional: no body", VALID_CHECKS, body=b"")
        return [empty, *_probes_of_kind(api, request)]
    return [
        request.probe(api, "an empty body", ("malformed_body_rejected",), body=b""),
        *_probes_of_kind(api, request),
    ]


def _probes_of_kind(api: Api, request: Request) -> list[Probe]:
    op = request.op
    assert op.body is not None and request.body is not None
    if op.body.kind in PARTS:
        return _parts_probes(api, request)
    if not op.body.is_json:
        return [_no_content_type(api, request)]
    body = request.body
    nan, infinity = free_form_bodies(api, op, (float("nan"), float("inf"))) or (None, None)
    types = api.values.types(op.body.schema_pointer)
    found = []
    malformed = ("malformed_body_rejected",)
    for label, raw in (
        ("malformed JSON", body[: len(body) // 2]),
        ("a JSON array body", b"[]" if "array" not in types else None),
        ("a JSON string body", b'"x"' if "string" not in types else None),
        ("a JSON number body", b"7" if not {"number", "integer"} & set(types) else None),
        ("a JSON null body", b"null" if "null" not in types else None),
        ("NaN where the schema allows any value", nan),
        ("Infinity where the schema allows any value", infinity),
    ):
        if raw is not None:
            found.append(request.probe(api, label, malformed, body=raw))
    # What other stacks' readers let through: data after the value (Go's json.Decoder.Decode), bytes that
    # are not UTF-8 inside a string (replaced by U+FFFD in Go, by a lone surrogate elsewhere).
    found.append(request.probe(api, "data after the JSON value", malformed, body=body + b" garbage"))
    latin1 = _latin1_inside_a_string(api, op, body)
    if latin1 is not None:
        found.append(request.probe(api, "a Latin-1 byte inside a string (not UTF-8)", malformed, body=latin1))
    duplicated = _duplicated_key(api, op, request)
    if duplicated is not None:
        found.append(duplicated)
    unlisted = next((name for name in _STRANGE_TYPES if not op.body.lists(name)), None)
    if unlisted is not None:  # a media type the spec lists is one the server must take
        found.append(
            request.probe(
                api,
                f"a JSON body sent as {unlisted}",
                malformed,
                headers={**request.headers, "Content-Type": unlisted},
            )
        )
    found.append(_no_content_type(api, request))
    return found


# Media types a body is sent as to see it refused, the first the spec does not list for it.
_STRANGE_TYPES = ("text/plain", "application/xml", "application/octet-stream")


def _no_content_type(api: Api, request: Request) -> Probe:
    assert request.op.body is not None
    return request.probe(
        api,
        f"a {request.op.body.media_type} body with no Content-Type",
        ("malformed_body_rejected",),
        headers={name: value for name, value in request.headers.items() if name != "Content-Type"},
    )


def _parts_probes(api: Api, request: Request) -> list[Probe]:
    """A form or an upload that is not one: no boundary, cut before its end, sent as JSON."""
    op = request.op
    assert op.body is not None and request.body is not None
    malformed = ("malformed_body_rejected",)
    content_type = request.headers.get("Content-Type", op.body.media_type)
    found = []
    if op.body.kind == MULTIPART:
        bare_type = content_type.split(";", 1)[0]
        found.append(
            request.probe(
                api,
                "a multipart body whose Content-Type names no boundary",
                malformed,
                headers={**request.headers, "Content-Type": bare_type},
            )
        )
        closing = request.body.rstrip().rfind(b"\r\n--")
        if closing > 0:
            found.append(
                request.probe(
                    api,
                    "a multipart body cut before its closing boundary",
                    malformed,
                    body=request.body[:closing],
                )
            )
    if not op.body.lists("application/json"):  # else the same fields as JSON are a valid request
        found.append(
            request.probe(
                api,
                f"the {op.body.media_type} body's fields sent as application/json",
                malformed,
                headers={**request.headers, "Content-Type": "application/json"},
                body=json.dumps(value_of_body(api, request)).encode("utf-8"),
            )
        )
    found.append(_no_content_type(api, request))
    return found


def value_of_body(api: Api, request: Request) -> Any:
    """The value a valid request's form or multipart body carries, read back as a server reads it."""
    assert request.op.body is not None and request.body is not None
    parts = read_parts(request.headers.get("Content-Type", ""), request.body)
    return value_of_parts(api.values, request.op.body.schema_pointer, parts)


def _free_text(api: Api, op: Operation, value: Any) -> tuple[str, str] | None:
    """(name, value) of the body's first top-level string field that takes any text."""
    if op.body is None or not isinstance(value, dict):
        return None
    for name, where in api.values.properties(op.body.schema_pointer).items():
        schema = api.values.schema(where)
        free = not {"pattern", "enum", "const", "format"} & schema.keys()
        if free and isinstance(value.get(name), str) and value[name]:
            return name, value[name]
    return None


def _latin1_inside_a_string(api: Api, op: Operation, body: bytes) -> bytes | None:
    """The body with a Latin-1 byte (0xE9, e-acute) at the end of a free-text string: valid JSON text in
    Latin-1, not UTF-8, which RFC 8259 requires."""
    found = _free_text(api, op, json.loads(body))
    if found is None:
        return None
    name, text = found
    pair = json.dumps(name).encode() + b": " + json.dumps(text).encode()
    at = body.find(pair)
    if at < 0:
        return None
    end = at + len(pair) - 1  # before the closing quote
    return body[:end] + bytes([0xE9]) + body[end:]


def _duplicated_key(api: Api, op: Operation, request: Request) -> Probe | None:
    """The body with a field given twice: its valid value first, then one its schema forbids (RFC 8259
    leaves the reading to the parser: a server may refuse it, or read either value, but must not check one
    and keep the other)."""
    if request.body is None or op.body is None:
        return None
    value = json.loads(request.body)
    found = _free_text(api, op, value)
    body = request.body.rstrip()
    if found is None or not body.endswith(b"}"):
        return None
    name, _ = found
    wrong = 7
    raw = body[:-1] + b", " + json.dumps(name).encode() + b": " + json.dumps(wrong).encode() + b"}"
    label = f"{name!r} given twice: a valid value, then {wrong}"
    probe = request.probe(api, label, ("duplicate_keys_consistent",), body=raw)
    return dataclasses.replace(probe, expect={"name": name, "first": value[name], "second": wrong})


def method_probes(api: Api, requests_by_path: dict[str, Request]) -> list[Probe]:
    """Every method a path of the spec does not define, on that path: each must get 405."""
    found = []
    for path, request in requests_by_path.items():
        defined = api.methods_of(path)  # those of operations not testable too: the server has them
        for method in PROBED_METHODS:
            if method not in defined:
                found.append(
                    request.probe(
                        api, f"method {method} on {path}", ("other_methods_rejected",), method=method
                    )
                )
    return found
