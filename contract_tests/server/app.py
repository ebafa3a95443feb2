"""The reference server's ASGI app: `create_app()` builds it from the spec's model (contract_tests.api).

Every operation of the spec is served, below the path of the spec's first server URL (`/v1` of
`https://api.openai.com/v1`). Checks run in the order the real API applies them: credentials (any
alternative of the operation's security requirement), then parameters and headers, content type, size,
JSON syntax and the body's schema; each fault gets the status the operation documents for it (400 or 422
for an invalid request...), else HTTP's. Then the operation answers: the operations of a resource act on
the store (server/state.py: create, retrieve, update, replace, delete, list); any other one answers its
success status with a body built from the request and the response schema (success.py), or 404 when its
path names something by a parameter. Every response carries the headers the spec documents for it. No
input makes it answer 5xx.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.protocols import Validator
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from contract_tests.api.document import REPO_ROOT, SPEC_PATH, UNIQUE, node_at, with_node
from contract_tests.api.faults import Fault
from contract_tests.api.media import PARTS, matches
from contract_tests.api.messages import first_error, message, part_pointer, pointer, show
from contract_tests.api.model import Api, Operation, Parameter, RequestBody, load_api
from contract_tests.api.parameters import ABSENT, read, text_of
from contract_tests.api.validators import inlined_validator
from contract_tests.server import reading
from contract_tests.server.reading import Upload
from contract_tests.server.responses import APIError, json_response, streamed, success_response
from contract_tests.server.state import Answer, Call, NotFound, ResourceAnswers
from contract_tests.server.stateless import stateless_answer
from contract_tests.server.store import Store, open_store
from contract_tests.server.success import SuccessBody

DEFAULT_API_KEY = "sk-reference-local"
# Where the server serves the spec rendered as a page (`make docs`): a path no spec of an API takes.
REFERENCE_PAGE = "/__contract/reference"
DEFAULT_DOCS = REPO_ROOT / "build" / "reference.html"
# Large enough for every valid body (256,000 escaped characters of instructions plus 128 tools with
# JSON Schema parameters), small enough that a client cannot make the server buffer without bound.
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
ValidatorFactory = Callable[[str, dict[str, Any]], Validator]  # (pointer, document)

logger = logging.getLogger("contract_tests.server")


def _param(error: jsonschema.ValidationError) -> str | None:
    """The request field an error is about, e.g. `tools[3].function.name`."""
    path = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        required = error.validator_value if isinstance(error.validator_value, list) else []
        path += [name for name in required if name not in error.instance][:1]
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = schema.get("properties", {})
        path += [name for name in error.instance if name not in known][:1]
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or None


def _keepable(api: Api, body: RequestBody) -> dict[str, Any]:
    """The document its body is validated by: a name the schema requires and forbids (a flaw of the spec,
    said at its pointer when the server starts) is not asked for, so that a client can be answered."""
    names = api.values.forbidden_required(body.schema_pointer)
    if not names:
        return api.document
    node = node_at(api.document, body.schema_pointer)
    required = [name for name in node.get("required", []) if name not in names]
    return with_node(api.document, body.schema_pointer, {**node, "required": required})


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length", "")
    return bool(request.headers.get("content-type") or request.headers.get("transfer-encoding")) or (
        length not in ("", "0")
    )


class Checked:
    """A parameter and the validator of its value."""

    def __init__(self, parameter: Parameter, validator: jsonschema.Validator | None, item: Any) -> None:
        self.parameter = parameter
        self.validator = validator
        self.item = item  # the schema of an array's items, to read each as its type


class OperationEndpoint:
    """One operation of the spec: the checks of what it declares, then its answer."""

    def __init__(  # noqa: PLR0917
        self,
        api: Api,
        op: Operation,
        api_key: str,
        max_body_bytes: int,
        validator: ValidatorFactory,
        answer: Answer,
    ) -> None:
        self.api = api
        self.op = op
        self.api_key = api_key
        self.max_body_bytes = max_body_bytes
        self.answer = answer
        self.parameters = [
            Checked(
                parameter,
                validator(parameter.schema_pointer, api.document) if parameter.schema_pointer else None,
                api.values.schema(items)
                if parameter.schema_pointer and (items := api.values.child(parameter.schema_pointer, "items"))
                else None,
            )
            for parameter in op.parameters
        ]
        # Each media type the body lists, read and validated by its own schema.
        bodies = (op.body, *op.body.alternatives) if op.body is not None else ()
        self.bodies = {
            each.media_type: validator(each.schema_pointer, _keepable(api, each)) for each in bodies
        }
        self.invalid = op.statuses(Fault.INVALID).answer
        self.headers = _header_values(api, op)

    async def handle(self, request: Request, path: dict[str, str]) -> Response:
        if self.op.security.testable:
            self.check_credentials(request)
        query = self.check_parameters(request, path)
        body: Any = None
        uploads: tuple[Upload, ...] = ()
        if self.op.body is not None and (self.op.body.required or _has_body(request)):
            sent_as = self.op.body.as_sent(request.headers.get("content-type"))
            self.check_content_type(request, sent_as)
            raw = await self.read_body(request)
            try:
                found = await reading.read(self.api, sent_as, raw, request.headers)
            except reading.Unreadable as exc:
                raise APIError(self.invalid, str(exc)) from None
            if found.value is not reading.NO_BODY:
                body, uploads = found.value, tuple(found.uploads)
                self.check_body(body, sent_as)
        call = Call(path, query, body, uploads, streamed(self.api, self.op, request.headers, body))
        try:
            answer = self.answer(call)
        except NotFound:
            raise APIError(
                self.op.statuses(Fault.NOT_FOUND).answer,
                f"No resource at {request.url.path}.",
                code="not_found",
            ) from None
        return success_response(self.api, self.op, answer, call, self.headers(self.op.success_status))

    def check_credentials(self, request: Request) -> None:
        status = self.op.statuses(Fault.CREDENTIALS).answer
        offered = False
        for alternative in self.op.security.usable:
            given = [_credential(request, scheme.location, scheme.parameter) for scheme in alternative]
            offered = offered or any(value is not None for value in given)
            if all(
                scheme.accepts(value, self.api_key) for scheme, value in zip(alternative, given, strict=True)
            ):
                return
        if not offered:
            ways = " or ".join(scheme.label for scheme in self.op.security.schemes)
            raise APIError(
                status, f"You didn't provide an API key: send it in {ways}.", code="missing_api_key"
            )
        raise APIError(status, "Incorrect API key provided.", code="invalid_api_key")

    def check_parameters(self, request: Request, path: dict[str, str]) -> dict[str, Any]:
        """Every parameter present and valid; the query's values, read as their types."""
        query: dict[str, Any] = {}
        for checked in self.parameters:
            parameter = checked.parameter
            texts = _texts(request, path, parameter)
            value = read(parameter, texts, checked.item)
            if value is ABSENT or (parameter.location == "path" and value == ""):
                if parameter.required:
                    raise APIError(self.invalid, f"Missing required {parameter.label}.", param=parameter.name)
                continue
            if checked.validator is not None and not checked.validator.is_valid(value):
                error = first_error(checked.validator, value)
                said = message(error) if error is not None else f"{show(texts[-1])} is not allowed"
                raise APIError(self.invalid, f"Invalid {parameter.label}: {said}", param=parameter.name)
            if parameter.location == "query":
                query[parameter.name] = value
        return query

    def check_content_type(self, request: Request, sent_as: RequestBody) -> None:
        # Any media type the body lists is read; one it does not list gets 415.
        if not matches(request.headers.get("content-type"), sent_as.media_type):
            listed = " or ".join(sent_as.media_types)
            raise APIError(
                self.op.statuses(Fault.MEDIA_TYPE).answer,
                f"Unsupported Content-Type: send the body as {listed}.",
            )

    async def read_body(self, request: Request) -> bytes:
        too_large = APIError(
            self.op.statuses(Fault.TOO_LARGE).answer,
            f"The request body is larger than {self.max_body_bytes} bytes.",
        )
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise too_large
        chunks = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    def check_body(self, body: Any, sent_as: RequestBody) -> None:
        checker = self.bodies[sent_as.media_type]
        if checker.is_valid(body):
            return
        error = first_error(checker, body)
        assert error is not None
        if sent_as.kind in PARTS:
            said = f"Invalid part {part_pointer(error) or '/'} of the {sent_as.media_type} body"
        else:
            said = f"Invalid request body at {pointer(error.absolute_path) or '/'}"
        raise APIError(self.invalid, f"{said}: {message(error)}", param=_param(error))


def _credential(request: Request, location: str, name: str) -> str | None:
    if location == "query":
        return request.query_params.get(name)
    if location == "cookie":
        return request.cookies.get(name)
    return request.headers.get(name)


def _texts(request: Request, path: dict[str, str], parameter: Parameter) -> list[str]:
    if parameter.location == "header":
        # HTTP drops a field value's surrounding whitespace (RFC 9110, 5.5).
        return [value.strip(" \t") for value in request.headers.getlist(parameter.name)]
    if parameter.location == "query":
        return list(request.query_params.getlist(parameter.name))
    if parameter.location == "cookie":
        found = request.cookies.get(parameter.name)
        return [] if found is None else [found]
    return [path[parameter.name]] if parameter.name in path else []


def _header_values(api: Api, op: Operation) -> Callable[[int], dict[str, str]]:
    """The headers the spec documents for a status of `op`, each with a value of its schema (a new one
    each time for an `x-unique` header, such as a request id)."""

    def for_status(status: int) -> dict[str, str]:
        response = op.response_for(status)
        if response is None:
            return {}
        found = {}
        for header in response.headers:
            if header.schema_pointer is None:
                found[header.name] = "x"
                continue
            value = api.values.example(header.schema_pointer)
            if api.values.schema(header.schema_pointer).get(UNIQUE) is True:
                candidate = f"{value}{secrets.token_hex(8)}" if isinstance(value, str) else value
                value = candidate if api.values.is_valid(header.schema_pointer, candidate) else value
            found[header.name] = text_of(value)
        return found

    return for_status


class PathEndpoint:
    """The operations of one path, as a raw ASGI app so that it sees every method (TRACE and QUERY too)."""

    def __init__(self, api: Api, operations: dict[str, OperationEndpoint], names: dict[str, str]) -> None:
        self.api = api
        self.operations = operations
        self.allow = ", ".join(sorted(operations))
        self.names = names  # route parameter -> the spec's parameter name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        operation = self.operations.get(request.method)
        try:
            if operation is None:
                raise APIError(405, f"Method {request.method} is not allowed.", headers={"Allow": self.allow})
            path = {self.names.get(key, key): str(value) for key, value in request.path_params.items()}
            try:
                response = await operation.handle(request, path)
            except (APIError, ClientDisconnect):
                raise
            except Exception:
                reason = self.api.untestable.get(operation.op.operation_id)
                if reason is None:
                    raise
                raise APIError(
                    501, f"The reference server cannot serve {operation.op.operation_id}: {reason}"
                ) from None
        except APIError as exc:
            op = operation.op if operation is not None else next(iter(self.operations.values())).op
            headers = {**(operation.headers(exc.status_code) if operation else {}), **(exc.headers or {})}
            response = json_response(exc.body(self.api, op), exc.status_code, headers)
        except ClientDisconnect:
            return
        await response(scope, receive, send)


def _not_found(api: Api) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        return APIError(status, f"No route for {request.method} {request.url.path}.").response(api)

    return handle


def _server_error(api: Api) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        error = APIError(500, "The server had an error processing the request.", error_type="server_error")
        return error.response(api)

    return handle


_PARAMETER = re.compile(r"\{([^{}]+)\}")


def _route(path: str) -> tuple[str, dict[str, str]]:
    """A Starlette route for a spec path, and its parameters' route names -> the spec's names (a spec's
    parameter may be named what Starlette cannot take, such as `assistant-id`)."""
    names: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        route_name = f"p{len(names)}"
        names[route_name] = match.group(1)
        return "{" + route_name + "}"

    return _PARAMETER.sub(replace, path), names


def create_app(
    api_key: str = DEFAULT_API_KEY,
    spec_path: Path | str = SPEC_PATH,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    validator: ValidatorFactory = inlined_validator,
    store: Store | None = None,
    state: Path | str | None = None,
    wrap_store: Callable[[Store], Store] | None = None,
    docs: Path | str | None = DEFAULT_DOCS,
    stateless: bool = False,
) -> Starlette:
    """The reference server for the spec at `spec_path`, accepting only `api_key`.

    `validator` builds the validators of request bodies and parameters from a schema's pointer (the
    gallery swaps it for one with a defect); `store` keeps the resources (default: in memory, or the
    SQLite file `state`), through `wrap_store` if given (the gallery's stores with a defect); `docs` is the
    page `make docs` renders, served at /__contract/reference. `stateless` answers every valid request
    with its success, whatever id it names, keeping nothing, as Prism does (stateless.py).
    """
    if not api_key:
        raise ValueError("the API key must not be empty")
    api = load_api(spec_path)
    kept = store if store is not None else open_store(state)
    if wrap_store is not None:
        kept = wrap_store(kept)
    answers = {id(resource): ResourceAnswers(api, resource, kept) for resource in api.resources}
    by_path: dict[str, dict[str, OperationEndpoint]] = {}
    for op in api.operations:
        try:
            endpoint = _endpoint(api, op, api_key, max_body_bytes, validator, answers, stateless=stateless)
        except Exception:
            if op.operation_id not in api.untestable:
                raise
            # A flaw of the spec (a $ref to nothing...) leaves it nothing to serve: 501, saying which.
            endpoint = Unservable(api, op, api.untestable[op.operation_id])
        by_path.setdefault(op.path, {})[op.method] = endpoint
    routes = []
    # Literal paths before templated ones: `/things/search` is not the thing `search`.
    for path in sorted(by_path, key=lambda path: (path.count("{"), path)):
        template, names = _route(api.base_path + path)
        routes.append(Route(template, PathEndpoint(api, by_path[path], names)))
    routes.append(Route(REFERENCE_PAGE, _reference_page(api, docs), methods=["GET"]))
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _not_found(api), Exception: _server_error(api)},
    )
    app.router.redirect_slashes = False
    return app


def _endpoint(  # noqa: PLR0917
    api: Api,
    op: Operation,
    api_key: str,
    max_body_bytes: int,
    validator: ValidatorFactory,
    answers: dict[int, ResourceAnswers],
    *,
    stateless: bool = False,
) -> OperationEndpoint:
    success = SuccessBody(api, op, unique=_ids(api, op))
    role = api.role(op)
    answer: Answer
    if stateless:
        answer = stateless_answer(api, op, success)
    elif role is not None:
        answer = answers[id(role[0])].answer_for(op, role[1], success)
    elif op.path_parameters:
        answer = _nothing_here
    else:
        answer = _built(success)
    return OperationEndpoint(api, op, api_key, max_body_bytes, validator, answer)


class Unservable(OperationEndpoint):
    """An operation a flaw of the spec leaves nothing to answer with: 501, naming the flaw."""

    def __init__(self, api: Api, op: Operation, reason: str) -> None:
        self.api, self.op, self.reason = api, op, reason
        self.headers = lambda status: {}

    async def handle(self, request: Request, path: dict[str, str]) -> Response:
        said = f"The reference server cannot serve {self.op.operation_id}: {self.reason}"
        raise APIError(501, said, code="not_testable")


def _reference_page(api: Api, docs: Path | str | None) -> Callable[[Request], Awaitable[Response]]:
    """The rendered spec, or a 404 saying how to render it."""

    async def page(request: Request) -> Response:
        if docs is not None and Path(docs).is_file():
            return HTMLResponse(Path(docs).read_bytes())
        return APIError(404, "The spec is not rendered: run `make docs` (scripts/docs).").response(api)

    return page


def _ids(api: Api, op: Operation) -> set[str]:
    """The property names the server assigns a new value to in `op`'s success body: a resource's id."""
    role = api.role(op)
    if role is None:
        return set()
    pointer = role[0].id_pointer
    return {pointer[1:]} if pointer.count("/") == 1 else set()


def _built(success: SuccessBody) -> Answer:
    """An operation of no resource: its success body, built from the request."""
    return success.payload


def _nothing_here(call: Call) -> Any:
    raise NotFound
