"""The model of the API: the whole OpenAPI document read once, for every part of the project.

`load_api(path)` reads the document and builds an `Api`: its operations, each with its parameters (path,
query, header, cookie) and their schemas, its security requirement, its JSON request body with the
examples, its responses by status with their schemas, headers and links, and the statuses it answers each
kind of fault with; and the resources the operations act on (contract_tests.api.resources). The suite,
the reference server, the gallery, the client tests and the spec check all read the API through it, so
that they read the same thing, and a spec edit reaches all of them at once.

Everything is addressed by JSON pointer into the (normalized) document; nothing here names an operation,
a field, a header or a status of any particular spec.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from contract_tests.api import prose
from contract_tests.api.document import (
    METHODS,
    SPEC_PATH,
    SpecError,
    deref,
    escape_pointer,
    follow,
    follow_schema,
    load_spec,
    node_at,
    normalized,
    pointer_of,
)
from contract_tests.api.faults import Fault, Statuses, covers, fault_statuses
from contract_tests.api.flaws import Flaw, closure, find_flaws, reach, within
from contract_tests.api.media import EVENTS, JSON, kind_of, matches, preferred
from contract_tests.api.security import Scheme, Security, read_schemes, read_security
from contract_tests.api.values import Values, json_types

if TYPE_CHECKING:
    from contract_tests.api.bounds import ProseBounds
    from contract_tests.api.resources import Resource, Role

# OpenAPI 3.1 (4.8.12.1): header parameters of these names are ignored; security schemes, request
# bodies and responses say them.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


@dataclass(frozen=True)
class Parameter:
    """A parameter of an operation (its own, or its path item's)."""

    name: str
    location: str  # "path", "query", "header" or "cookie"
    required: bool
    pointer: str  # of the parameter object
    schema_pointer: str | None  # None for a `content` parameter (its value is not checked)
    types: tuple[str, ...]  # the JSON types its schema allows, to read its text as
    style: str
    explode: bool

    @property
    def label(self) -> str:
        return (
            f"{self.location} parameter {self.name}" if self.location != "header" else f"header {self.name}"
        )


@dataclass(frozen=True)
class RequestBody:
    """An operation's request body, as a client sends it: its JSON media type where the spec lists one,
    else a form or multipart one (uploads), else the first it lists (contract_tests.api.media)."""

    media_type: str  # "application/json", "multipart/form-data"...
    schema_pointer: str  # its `$ref`s followed (a body listed without a schema: any value, `{}`)
    required: bool
    examples: dict[str, Any]  # the media type's named examples (and `example`), by name
    media_types: tuple[str, ...]  # every media type the spec lists
    kind: str = JSON  # contract_tests.api.media: JSON, FORM, MULTIPART, TEXT or BINARY
    alternatives: tuple[RequestBody, ...] = ()  # the body as each other media type listed (a form, bytes)

    @property
    def is_json(self) -> bool:
        return self.kind == JSON

    def lists(self, content_type: str) -> bool:
        """Whether the spec lists the media type for this body (ranges included: `text/*`, `*/*`)."""
        return any(matches(content_type, listed) for listed in self.media_types)

    def as_sent(self, content_type: str | None) -> RequestBody:
        """The body as the media type a request sent it in, where the spec lists it; else this one."""
        if content_type and not matches(content_type, self.media_type):
            for other in self.alternatives:
                if matches(content_type, other.media_type):
                    return other
        return self


@dataclass(frozen=True)
class Header:
    """A response header the spec documents."""

    name: str
    required: bool
    schema_pointer: str | None


@dataclass(frozen=True)
class Link:
    """An OpenAPI link of a response: the operation it leads to and the values it gives its parameters."""

    name: str
    operation_id: str
    parameters: dict[str, str]  # parameter name -> runtime expression (`$response.body#/id`)


@dataclass(frozen=True)
class Response:
    status: str  # "200", "4XX" or "default"
    pointer: str  # of the response object (`$ref`s followed)
    media_type: str | None  # its JSON media type, if it has one
    schema_pointer: str | None  # of that media type's schema, `$ref`s followed
    media_types: tuple[str, ...]  # every media type it lists
    headers: tuple[Header, ...]
    links: tuple[Link, ...]
    # The media type a server answers with where it lists no JSON one (a download's bytes, an event
    # stream, text), its kind (contract_tests.api.media) and the pointer of its schema, if any.
    other_media_type: str | None = None
    other_kind: str | None = None
    other_schema_pointer: str | None = None
    # Where it lists an event stream beside JSON (a completion streamed on request): its schema's pointer.
    stream_schema_pointer: str | None = None

    @property
    def kind(self) -> str | None:
        """The kind of body a server answers with: JSON where listed, else the other one's, else None."""
        return JSON if self.media_type is not None else self.other_kind


@dataclass(frozen=True, eq=False)
class Operation:
    """One operation of the spec and everything it declares."""

    operation_id: str
    method: str  # upper case
    path: str  # as the spec writes it, without the servers' base path
    pointer: str  # of the operation object
    parameters: tuple[Parameter, ...]
    security: Security
    body: RequestBody | None
    responses: tuple[Response, ...]  # in the document's order
    success: Response  # the lowest 2xx the spec documents
    tags: tuple[str, ...] = ()
    extensions: dict[str, Any] = field(default_factory=dict)  # its `x-` keys

    @property
    def label(self) -> str:
        where = f"{self.method} {self.path}"
        return where if self.operation_id == where else f"{self.operation_id} ({where})"

    @property
    def success_status(self) -> int:
        return int(self.success.status)

    @property
    def documented(self) -> frozenset[str]:
        return frozenset(response.status for response in self.responses)

    @property
    def secured(self) -> bool:
        """Credentials are required and the project can send them."""
        return self.security.testable

    def in_location(self, location: str) -> tuple[Parameter, ...]:
        return tuple(parameter for parameter in self.parameters if parameter.location == location)

    @property
    def path_parameters(self) -> tuple[Parameter, ...]:
        return self.in_location("path")

    @property
    def headers(self) -> tuple[Parameter, ...]:
        return self.in_location("header")

    @property
    def query(self) -> tuple[Parameter, ...]:
        return self.in_location("query")

    def response_for(self, status: int) -> Response | None:
        """The response documenting `status`: by number, else by range, else `default`."""
        by_status = {response.status: response for response in self.responses}
        code = str(status)
        return by_status.get(code) or by_status.get(f"{code[0]}XX") or by_status.get("default")

    def documents(self, status: int) -> bool:
        return covers(self.documented, status)

    def statuses(self, fault: Fault) -> Statuses:
        """The statuses right for `fault` on this operation (contract_tests.api.faults)."""
        return fault_statuses(fault, self.documented)

    def faults(self) -> dict[Fault, str]:
        """The faults a request to this operation can have, each with why (for the spec check)."""
        found: dict[Fault, str] = {}
        if self.secured:
            found[Fault.CREDENTIALS] = "a missing or wrong key"
        invalid = []
        if any(_can_be_invalid(parameter) for parameter in self.parameters):
            invalid.append("parameter")
        if self.body is not None:
            invalid.append("body")
        if invalid:
            found[Fault.INVALID] = "an invalid " + " or ".join(invalid)
        if self.body is not None:
            found[Fault.MEDIA_TYPE] = "a body of another content type"
            found[Fault.TOO_LARGE] = "a body over the size limit"
        if self.path_parameters:
            found[Fault.NOT_FOUND] = "a resource the server has not got"
        return found


def _can_be_invalid(parameter: Parameter) -> bool:
    """Whether some request breaks the parameter: one that may be left out, or any value but free text."""
    if parameter.location != "path":
        return True  # a header or query value can always be sent wrong, or left out
    return parameter.types != ("string",) or parameter.schema_pointer is None


@dataclass(frozen=True, eq=False)
class Api:
    """The whole API of one OpenAPI document."""

    path: Path  # the file it was read from
    raw: dict[str, Any]  # the document as written (3.0 or 3.1)
    document: dict[str, Any]  # as OpenAPI 3.1 reads it: every pointer of `raw` is the same here
    values: Values
    base_path: str  # the path of the first server's URL ("/v1"), "" for none
    operations: tuple[Operation, ...]
    schemes: dict[str, Scheme]
    flaws: tuple[Flaw, ...] = ()  # where the document breaks OpenAPI (contract_tests.api.flaws)
    # Operations that could not be read at all, by label ("POST /x"), with why: they are not served.
    unread: dict[str, str] = field(default_factory=dict)
    _by_id: dict[str, Operation] = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        return str(self.raw.get("openapi", ""))

    def operation(self, operation_id: str) -> Operation:
        if not self._by_id:
            self._by_id.update({op.operation_id: op for op in self.operations})
        try:
            return self._by_id[operation_id]
        except KeyError:
            raise SpecError(f"the spec has no operation {operation_id!r}") from None

    @functools.cached_property
    def untestable(self) -> dict[str, str]:
        """The operations no request can be judged on, by operationId (or label), each with why, naming
        the JSON pointer of the flaw: one no value of a schema can be built for, one read from a flawed
        part of the document. Every other operation is judged as usual."""
        found = dict(self.unread)
        for op in self.operations:
            reason = _unusable(self, op)
            if reason is not None:
                found[op.operation_id] = reason
        return found

    @functools.cached_property
    def testable(self) -> Api:
        """This API without its untestable operations (its resources found again from what is left)."""
        kept = tuple(op for op in self.operations if op.operation_id not in self.untestable)
        if len(kept) == len(self.operations):
            return self
        narrowed = dataclasses.replace(self, operations=kept, _by_id={})
        narrowed.__dict__["untestable"] = self.untestable
        narrowed.__dict__["testable"] = narrowed
        return narrowed

    @functools.cached_property
    def prose(self) -> ProseBounds:
        """The bounds the spec states in prose only (contract_tests.api.bounds)."""
        from contract_tests.api.bounds import read_bounds  # noqa: PLC0415 (it reads this model's document)

        return read_bounds(self.document)

    def methods_of(self, path: str) -> frozenset[str]:
        """The methods the document declares on a path (as the spec writes it), read or not."""
        try:
            item = deref(self.document, (self.document.get("paths") or {}).get(path) or {})
        except SpecError:
            return frozenset()
        return frozenset(method.upper() for method in METHODS if isinstance(item.get(method), dict))

    def flaws_of(self, op: Operation) -> list[Flaw]:
        """The flaws inside what `op` reaches (its own node, its path item's parameters, its `$ref`s)."""
        places = reach(self.document, op.pointer)
        return [flaw for flaw in self.flaws if within(flaw, places)]

    @functools.cached_property
    def resources(self) -> tuple[Resource, ...]:
        from contract_tests.api.resources import find_resources  # noqa: PLC0415 (it reads this model)

        return find_resources(self)

    def role(self, op: Operation) -> tuple[Resource, Role] | None:
        """The resource `op` acts on and how (create, list, retrieve, update, replace, delete), if any."""
        for resource in self.resources:
            role = resource.role_of(op)
            if role is not None:
                return resource, role
        return None

    def match(
        self, method: str, path: str, prefixes: Iterable[str] | None = None
    ) -> tuple[Operation, dict[str, str]] | None:
        """The operation a request's method and URL path are for, and its path parameters' values.

        The API may be served under any prefix (the servers' base path `/v1`, a mount such as `/api` or
        `/api/v1`, none), or, given `prefixes`, only under one of them. The operation whose path takes
        more of the URL's segments wins (`/assistants/{id}/files/{file_id}` over `/files/{file_id}`), then
        a literal segment over a parameter (`/things/search` over `/things/{id}`)."""
        parts = segments(path)
        allowed = None if prefixes is None else {tuple(segments(prefix)) for prefix in prefixes}
        found: list[tuple[int, int, Operation, dict[str, str]]] = []
        for op in self.operations:
            if op.method != method.upper():
                continue
            start = len(parts) - len(segments(op.path))
            if start < 0 or (allowed is not None and tuple(parts[:start]) not in allowed):
                continue
            values = path_values(op.path, parts[start:])
            if values is not None:
                found.append((start, len(values), op, values))
        if not found:
            return None
        _, _, op, values = min(found, key=lambda item: item[:2])
        return op, values

    def stream_flag(self, op: Operation) -> str | None:
        """The request's boolean that asks for the answer as server-sent events, where the spec says so in
        its description (`stream`: "...sent as data-only server-sent events")."""
        if op.body is None:
            return None
        for name, pointer in self.values.every_property(op.body.schema_pointer).items():
            if "boolean" in self.values.types(pointer) and prose.is_stream_flag(self.values.schema(pointer)):
                return name
        return None

    def stream_terminator(self, op: Operation) -> str | None:
        """The data of the event that ends a stream, where the spec names one (`data: [DONE]`)."""
        texts = [str(node_at(self.document, op.pointer).get("description", ""))]
        flag = self.stream_flag(op)
        if flag is not None and op.body is not None:
            texts.append(
                prose.description(
                    self.values.schema(self.values.every_property(op.body.schema_pointer)[flag])
                )
            )
        for text in texts:
            found = prose.terminator(text)
            if found is not None:
                return found
        return None

    def prefix_of(self, path: str, prefixes: Iterable[str]) -> str | None:
        """The first of `prefixes` under which `path` is the path of some operation (any method), or None."""
        parts = segments(path)
        for prefix in prefixes:
            head = segments(prefix)
            if parts[: len(head)] != head:
                continue
            rest = parts[len(head) :]
            if any(path_values(op.path, rest) is not None for op in self.operations):
                return prefix
        return None

    def examples(self, op: Operation) -> dict[str, Any]:
        """The request examples of `op` valid against its schema, by name (a spec's invalid example is not
        used: `make generate` refuses one in the project's own spec)."""
        if op.body is None:
            return {}
        pointer = op.body.schema_pointer
        return {
            name: value for name, value in op.body.examples.items() if self.values.is_valid(pointer, value)
        }

    def example_body(self, op: Operation) -> Any:
        """The operation's first request example, else a value built from its request schema; None for an
        operation without a JSON body."""
        if op.body is None:
            return None
        examples = self.examples(op)
        if examples:
            return next(iter(examples.values()))
        return self.values.example(op.body.schema_pointer)

    def defaults(self, op: Operation) -> dict[str, Any]:
        """The `default` of each top-level property of the request body that has one."""
        if op.body is None:
            return {}
        found = {}
        for name, pointer in self.values.properties(op.body.schema_pointer).items():
            schema = self.values.schema(pointer)
            # A default its own schema refuses is a flaw of the spec (contract_tests.api.flaws): not used.
            if "default" in schema and self.values.is_valid(pointer, schema["default"]):
                found[name] = schema["default"]
        return found

    def parameter_example(self, parameter: Parameter) -> Any:
        """A valid value of the parameter: its own example, its schema's default or example, else built."""
        node = node_at(self.document, parameter.pointer)
        if "example" in node:
            return node["example"]
        if isinstance(node.get("examples"), dict):
            for example in node["examples"].values():
                value = deref(self.document, example)
                if isinstance(value, dict) and "value" in value:
                    return value["value"]
        if parameter.schema_pointer is None:
            return "x"
        return self.values.example(parameter.schema_pointer)


def segments(path: str) -> list[str]:
    """A URL path's segments, as written (`/v1/assistants/` is `v1`, `assistants`)."""
    return [part for part in path.split("/") if part]


def path_values(template: str, parts: list[str]) -> dict[str, str] | None:
    """The values of a path template's parameters in a path's segments, or None when they do not match."""
    expected = segments(template)
    if len(expected) != len(parts):
        return None
    found = {}
    for pattern, actual in zip(expected, parts, strict=True):
        if pattern.startswith("{") and pattern.endswith("}"):
            found[pattern[1:-1]] = unquote(actual)
        elif pattern != actual:
            return None
    return found


def trailing_values(template: str, path: str) -> dict[str, str] | None:
    """The values of a path template's parameters in the last segments of a URL path, whatever prefix the
    API is served under (`/api/v1/assistants/a1` of `/assistants/{id}`), or None when they do not match."""
    parts = segments(path)
    wanted = len(segments(template))
    if wanted > len(parts):
        return None
    return path_values(template, parts[len(parts) - wanted :])


def _json_media(content: dict[str, Any]) -> str | None:
    """The JSON media type (`application/json`, `application/problem+json`...) of a content map."""
    for name in content:
        kind = media_type(str(name))
        if kind == "application/json" or kind.endswith("+json"):
            return str(name)
    return None


def media_type(content_type: str | None) -> str:
    """`application/json` of `Application/JSON; charset=utf-8`."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _parameters(document: dict[str, Any], pointer: str) -> tuple[Parameter, ...]:
    """The operation's parameters and its path item's, the operation's winning (OpenAPI 3.1, 4.8.10)."""
    item_pointer = pointer.rsplit("/", 1)[0]
    found: dict[tuple[str, str], Parameter] = {}
    for owner in (item_pointer, pointer):
        listed = node_at(document, owner).get("parameters", [])
        for index in range(len(listed) if isinstance(listed, list) else 0):
            where = follow(document, f"{owner}/parameters/{index}")
            node = node_at(document, where)
            location = node.get("in")
            if not isinstance(node, dict) or location not in ("path", "query", "header", "cookie"):
                continue
            name = str(node.get("name", ""))
            if location == "header" and name.lower() in _IGNORED_HEADERS:
                continue
            schema_pointer = follow_schema(document, f"{where}/schema") if "schema" in node else None
            schema = node_at(document, schema_pointer) if schema_pointer else {}
            style = str(node.get("style") or ("form" if location in ("query", "cookie") else "simple"))
            key = (name.lower() if location == "header" else name, location)
            found[key] = Parameter(
                name=name,
                location=location,
                required=bool(node.get("required")) or location == "path",
                pointer=where,
                schema_pointer=schema_pointer,
                types=_types(document, schema),
                style=style,
                explode=bool(node.get("explode", style == "form")),
            )
    return tuple(found.values())


def _types(document: dict[str, Any], schema: Any) -> tuple[str, ...]:
    schema = deref(document, schema)
    if not isinstance(schema, dict):
        return ("string",)
    types = json_types(schema)
    if len(types) > 3:  # the schema says nothing of its type: read text as text
        return ("string",)
    return types


def _examples(document: dict[str, Any], content_pointer: str) -> dict[str, Any]:
    media = node_at(document, content_pointer)
    found: dict[str, Any] = {}
    for name, example in (media.get("examples") or {}).items():
        value = deref(document, example)
        if isinstance(value, dict) and "value" in value:
            found[str(name)] = value["value"]
    if "example" in media:
        found.setdefault("example", media["example"])
    return found


def _request_body(document: dict[str, Any], pointer: str) -> RequestBody | None:
    operation = node_at(document, pointer)
    if "requestBody" not in operation:
        return None
    body_pointer = follow(document, f"{pointer}/requestBody")
    node = node_at(document, body_pointer)
    content = node.get("content") or {}
    media = preferred(str(name) for name in content)
    if media is None:
        return None
    body = _body_as(document, body_pointer, media)
    if body is None:
        return None
    others = (_body_as(document, body_pointer, str(name)) for name in content if str(name) != media)
    return dataclasses.replace(body, alternatives=tuple(other for other in others if other is not None))


def _body_as(document: dict[str, Any], body_pointer: str, media: str) -> RequestBody | None:
    """The body as sent in one of the media types its content lists."""
    node = node_at(document, body_pointer)
    content = node.get("content") or {}
    kind = kind_of(media)
    content_pointer = f"{body_pointer}/content/{escape_pointer(media)}"
    has_schema = isinstance(content[media], dict) and "schema" in content[media]
    if not has_schema and kind == JSON:
        return None
    return RequestBody(
        media_type=media,
        # Without a schema, the media type object itself: as a schema, it allows any value.
        schema_pointer=follow_schema(document, f"{content_pointer}/schema")
        if has_schema
        else content_pointer,
        required=bool(node.get("required")),
        examples=_examples(document, content_pointer),
        media_types=tuple(str(name) for name in content),
        kind=kind,
    )


def _response(document: dict[str, Any], pointer: str, status: str) -> Response:
    where = follow(document, pointer)
    node = node_at(document, where)
    content = node.get("content") or {}
    media = _json_media(content)
    schema_pointer = None
    if media is not None and "schema" in (content[media] or {}):
        schema_pointer = follow_schema(document, f"{where}/content/{escape_pointer(media)}/schema")
    other: tuple[str | None, str | None, str | None] = (None, None, None)  # media type, kind, schema
    stream: str | None = None
    for name, item in content.items():
        kind = kind_of(str(name))
        listed = isinstance(item, dict) and "schema" in item
        schema = (
            follow_schema(document, f"{where}/content/{escape_pointer(str(name))}/schema") if listed else None
        )
        if kind == EVENTS and media is not None:
            stream = stream or schema
        elif kind != JSON and media is None and other[0] is None:
            other = (str(name), kind, schema)
    headers = []
    for name in node.get("headers") or {}:
        header_pointer = follow(document, f"{where}/headers/{escape_pointer(str(name))}")
        header = node_at(document, header_pointer)
        if str(name).lower() == "content-type" or not isinstance(header, dict):
            continue  # OpenAPI 3.1 (4.8.17.1): a Content-Type header is ignored
        headers.append(
            Header(
                str(name),
                bool(header.get("required")),
                follow_schema(document, f"{header_pointer}/schema") if "schema" in header else None,
            )
        )
    links = []
    for name in node.get("links") or {}:
        link = node_at(document, follow(document, f"{where}/links/{escape_pointer(str(name))}"))
        target = link.get("operationId")
        if not isinstance(target, str) and isinstance(link.get("operationRef"), str):
            target = _operation_ref(document, link["operationRef"])
        if isinstance(target, str):
            parameters = {
                str(key).rsplit(".", 1)[-1]: str(value)
                for key, value in (link.get("parameters") or {}).items()
                if isinstance(value, str)
            }
            links.append(Link(str(name), target, parameters))
    return Response(
        status=status,
        pointer=where,
        media_type=media,
        schema_pointer=schema_pointer,
        media_types=tuple(str(name) for name in content),
        headers=tuple(headers),
        links=tuple(links),
        other_media_type=other[0],
        other_kind=other[1],
        other_schema_pointer=other[2],
        stream_schema_pointer=stream,
    )


def _operation_ref(document: dict[str, Any], ref: str) -> str | None:
    """The operationId an `operationRef` (`#/paths/~1x~1{id}/get`) points at."""
    if not ref.startswith("#/"):
        return None
    try:
        operation = node_at(document, ref[1:])
    except SpecError:
        return None
    operation_id = operation.get("operationId") if isinstance(operation, dict) else None
    if isinstance(operation_id, str):
        return operation_id
    path_pointer, _, method = ref[1:].rpartition("/")
    path = path_pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    return f"{method.upper()} {path}"


def _operation(document: dict[str, Any], path: str, method: str, schemes: dict[str, Scheme]) -> Operation:
    pointer = f"{follow(document, pointer_of('paths', path))}/{method}"
    node = node_at(document, pointer)
    operation_id = str(node.get("operationId") or f"{method.upper()} {path}")
    responses_node = node.get("responses") or {}
    responses = tuple(
        _response(document, f"{pointer}/responses/{escape_pointer(str(status))}", _status_key(status))
        for status in responses_node
    )
    successes = sorted(
        (response for response in responses if response.status.isdigit() and response.status[0] == "2"),
        key=lambda response: int(response.status),
    )
    if not successes:
        ranged = [response for response in responses if response.status == "2XX"]
        if not ranged:
            raise SpecError(f"{pointer}/responses: no success (2xx) response is documented")
        successes = [dataclasses.replace(ranged[0], status="200")]  # `2XX` alone: a server answers 200
    return Operation(
        operation_id=operation_id,
        method=method.upper(),
        path=path,
        pointer=pointer,
        parameters=_parameters(document, pointer),
        security=read_security(document, node, schemes),
        body=_request_body(document, pointer),
        responses=responses,
        success=successes[0],
        tags=tuple(str(tag) for tag in node.get("tags") or []),
        extensions={str(key): value for key, value in node.items() if str(key).startswith("x-")},
    )


def _status_key(status: Any) -> str:
    """ "200", "4XX" or "default", however the document writes it."""
    text = str(status)
    return "default" if text.lower() == "default" else text.upper()


def _base_path(document: dict[str, Any]) -> str:
    """The path part of the first server's URL (its variables at their defaults): "/v1", or ""."""
    servers = document.get("servers") or []
    if not servers or not isinstance(servers[0], dict):
        return ""
    url = str(servers[0].get("url", ""))
    for name, variable in (servers[0].get("variables") or {}).items():
        if isinstance(variable, dict):
            url = url.replace("{" + str(name) + "}", str(variable.get("default", "")))
    return urlsplit(url).path.rstrip("/")


def build_api(raw: dict[str, Any], path: Path) -> Api:
    """The model of an OpenAPI document already parsed. A flaw confined to some operations leaves them
    out (`Api.untestable` says why); only a document with no operation to read is refused."""
    document = normalized(raw)
    flaws = find_flaws(raw, document)
    schemes = read_schemes(document)
    operations: list[Operation] = []
    unread: dict[str, str] = {}
    ids: set[str] = set()
    for spec_path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        try:
            target = deref(document, item)
        except SpecError as exc:
            unread[str(spec_path)] = str(exc)
            continue
        for method in METHODS:
            if not isinstance(target.get(method), dict):
                continue
            label = f"{method.upper()} {spec_path}"
            try:
                op = _operation(document, str(spec_path), method, schemes)
            except SpecError as exc:
                # Said by the flaw that explains it, where one does (a $ref to nothing, at its pointer).
                places = reach(document, pointer_of("paths", str(spec_path), method))
                explained = [str(flaw) for flaw in flaws if flaw.blocks and within(flaw, places)]
                unread[str(target[method].get("operationId") or label)] = (explained or [str(exc)])[0]
                continue
            if op.operation_id in ids:
                # Two operations of one id: the second is known by its method and path (as tools do).
                said = f"the operationId {show(op.operation_id)} names another operation too: called {label}"
                flaws += (Flaw(f"{op.pointer}/operationId", said),)
                op = dataclasses.replace(op, operation_id=label)
            ids.add(op.operation_id)
            operations.append(op)
    if not operations and not unread:
        raise SpecError(f"{path} has no operations: nothing to serve or test")
    if not operations:
        label, why = next(iter(unread.items()))
        raise SpecError(f"{path}: no operation can be tested ({label}: {why})")
    return Api(
        path=path,
        raw=raw,
        document=document,
        values=Values(document),
        base_path=_base_path(document),
        operations=tuple(operations),
        schemes=schemes,
        flaws=flaws,
        unread=unread,
    )


def _unusable(api: Api, op: Operation) -> str | None:
    """Why no request of `op` can be judged, naming the place in the spec; None when it can be."""
    flaws = api.flaws_of(op)
    blocking = [flaw for flaw in flaws if flaw.blocks]
    if blocking:
        return str(blocking[0])
    # The fewest values each schema needs; the largest ones are built only when a run asks for them.
    pointers = [op.body.schema_pointer] if op.body is not None and op.body.schema_pointer else []
    if op.success.schema_pointer is not None:
        pointers.append(op.success.schema_pointer)
    where = op.pointer
    try:
        for where in pointers:
            api.values.minimal(where)
        for parameter in op.parameters:
            where = parameter.pointer
            api.parameter_example(parameter)
    except MemoryError:
        raise
    except Exception as exc:  # no value can be built, or a schema the validator cannot read
        near = [flaw for flaw in flaws if within(flaw, closure(api.document, (where,)))]
        if near:
            return str(near[0])
        said = " ".join(str(exc).split())[:200]
        if isinstance(exc, SpecError):
            return said
        return f"its schemas cannot be read at {where} ({type(exc).__name__}: {said})"
    return None


@functools.cache
def _load(path: str) -> Api:
    return build_api(load_spec(path), Path(path))


def load_api(path: Path | str = SPEC_PATH) -> Api:
    """The model of the spec at `path`, built once per process (SpecError, in one line, when it cannot)."""
    return _load(str(Path(path).resolve()))


def show(value: Any) -> str:
    """A value as JSON text, for messages."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)
