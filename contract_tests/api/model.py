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

from contract_tests.api.document import (
    METHODS,
    SPEC_PATH,
    SpecError,
    check_refs,
    deref,
    escape_pointer,
    follow,
    load_spec,
    node_at,
    normalized,
    pointer_of,
)
from contract_tests.api.faults import Fault, Statuses, covers, fault_statuses
from contract_tests.api.security import Scheme, Security, read_schemes, read_security
from contract_tests.api.values import Values, json_types

if TYPE_CHECKING:
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
    """An operation's JSON request body."""

    media_type: str  # the JSON media type of `content` ("application/json")
    schema_pointer: str  # its `$ref`s followed
    required: bool
    examples: dict[str, Any]  # the media type's named examples (and `example`), by name
    media_types: tuple[str, ...]  # every media type the spec lists


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
        return f"{self.operation_id} ({self.method} {self.path})"

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
            if "default" in schema:
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
            schema_pointer = follow(document, f"{where}/schema") if "schema" in node else None
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
    media = _json_media(content)
    if media is None or "schema" not in (content[media] or {}):
        return None
    content_pointer = f"{body_pointer}/content/{escape_pointer(media)}"
    return RequestBody(
        media_type=media,
        schema_pointer=follow(document, f"{content_pointer}/schema"),
        required=bool(node.get("required")),
        examples=_examples(document, content_pointer),
        media_types=tuple(str(name) for name in content),
    )


def _response(document: dict[str, Any], pointer: str, status: str) -> Response:
    where = follow(document, pointer)
    node = node_at(document, where)
    content = node.get("content") or {}
    media = _json_media(content)
    schema_pointer = None
    if media is not None and "schema" in (content[media] or {}):
        schema_pointer = follow(document, f"{where}/content/{escape_pointer(media)}/schema")
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
                follow(document, f"{header_pointer}/schema") if "schema" in header else None,
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
            raise SpecError(f"{operation_id} ({method.upper()} {path}) documents no 2xx response")
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
    """The model of an OpenAPI document already parsed (and checked to be OpenAPI)."""
    document = normalized(raw)
    check_refs(document, document)
    schemes = read_schemes(document)
    operations = []
    for spec_path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        target = deref(document, item)
        for method in METHODS:
            if isinstance(target.get(method), dict):
                operations.append(_operation(document, str(spec_path), method, schemes))
    if not operations:
        raise SpecError(f"{path} has no operations: nothing to serve or test")
    ids = [op.operation_id for op in operations]
    duplicates = sorted({name for name in ids if ids.count(name) > 1})
    if duplicates:
        raise SpecError(f"{path}: the operationId {duplicates[0]!r} names more than one operation")
    return Api(
        path=path,
        raw=raw,
        document=document,
        values=Values(document),
        base_path=_base_path(document),
        operations=tuple(operations),
        schemes=schemes,
    )


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
