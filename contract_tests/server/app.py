"""The reference server's ASGI app: `create_app()` builds it from spec/openapi.yaml.

Every operation of the spec is served. Checks run in the order the real API applies them: credentials
(401), then parameters and headers (400), content type (415), size (413), JSON syntax (400) and the
body's schema (400). Then the seed's operation and any other one whose path has no parameters answer
their success status with a body built from the request and the response schema (success.py); an
operation that names a resource by a path parameter answers 404, which a server that keeps nothing
truly says of any id. No input makes it answer 5xx.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from contract_tests.server.responses import APIError, ErrorShape, json_response
from contract_tests.server.rules import (
    SEED_OPERATION_ID,
    OperationRules,
    ValidatorFactory,
    all_operations,
    media_type,
    parameter_value,
)
from contract_tests.server.success import SuccessBody
from contract_tests.spec import SPEC_PATH, SpecError, inlined_validator, load_spec
from contract_tests.values import Values

DEFAULT_API_KEY = "sk-reference-local"
# Large enough for every valid body (256,000 escaped characters of instructions plus 128 tools with
# JSON Schema parameters), small enough that a client cannot make the server buffer without bound.
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024

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


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length", "")
    return bool(request.headers.get("content-type") or request.headers.get("transfer-encoding")) or (
        length not in ("", "0")
    )


class OperationEndpoint:
    """One operation of the spec: the checks of its rules, then its answer."""

    def __init__(
        self, rules: OperationRules, api_key: str, max_body_bytes: int, answer: Callable[[Any], Any]
    ) -> None:
        self.rules = rules
        self.api_key = api_key.encode("utf-8")
        self.max_body_bytes = max_body_bytes
        self.answer = answer
        # Stateless: a resource named by a path parameter never exists here.
        self.not_found = bool(rules.path_parameters) and rules.operation_id != SEED_OPERATION_ID

    async def handle(self, request: Request) -> Response:
        if self.rules.secured:
            self.check_credentials(request)
        self.check_parameters(request)
        body = None
        if self.rules.body is not None and (self.rules.body_required or _has_body(request)):
            self.check_content_type(request)
            body = self.parse_json(await self.read_body(request))
            self.check_body(body)
        if self.not_found and self.rules.documents_not_found:
            raise APIError(404, f"No resource at {request.url.path}.", code="not_found")
        return json_response(self.answer(body), self.rules.success_status)

    def check_credentials(self, request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise APIError(
                401,
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                code="missing_api_key",
            )
        # Constant time, so the response time does not tell how much of a guess was right.
        if not hmac.compare_digest(token.strip().encode("utf-8", "surrogateescape"), self.api_key):
            raise APIError(401, "Incorrect API key provided.", code="invalid_api_key")

    def check_parameters(self, request: Request) -> None:
        for rule in self.rules.parameters:
            if rule.location == "header":
                raw = request.headers.get(rule.name)
            elif rule.location == "query":
                raw = request.query_params.get(rule.name)
            else:
                raw = request.path_params.get(rule.name, "")
            value = None if raw is None else parameter_value(raw, rule)
            if value is None:
                if rule.required:
                    raise APIError(400, f"Missing required {rule.location} {rule.name}.", param=rule.name)
                continue
            if not rule.validator.is_valid(value):
                raise APIError(400, f"Invalid value for {rule.location} {rule.name}.", param=rule.name)

    def check_content_type(self, request: Request) -> None:
        if media_type(request.headers.get("content-type")) != media_type(self.rules.content_type):
            raise APIError(415, f"Unsupported Content-Type: send the body as {self.rules.content_type}.")

    async def read_body(self, request: Request) -> bytes:
        too_large = APIError(413, f"The request body is larger than {self.max_body_bytes} bytes.")
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

    def parse_json(self, raw: bytes) -> Any:
        if not raw.strip():
            raise APIError(400, "The request body is empty: send a JSON object.")
        try:
            return json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise APIError(400, f"The request body is not valid JSON: {exc}") from None

    def check_body(self, body: Any) -> None:
        assert self.rules.body is not None
        errors = list(self.rules.body.iter_errors(body))
        if errors:
            error = best_match(errors)
            message = error.message if len(error.message) <= 300 else error.message[:300] + "..."
            raise APIError(400, f"Invalid request body: {message}", param=_param(error))


class PathEndpoint:
    """The operations of one path, as a raw ASGI app so that it sees every method (TRACE and QUERY too)."""

    def __init__(self, operations: dict[str, OperationEndpoint], shape: ErrorShape) -> None:
        self.operations = operations
        self.allow = ", ".join(sorted(operations))
        self.shape = shape

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            operation = self.operations.get(request.method)
            if operation is None:
                raise APIError(405, f"Method {request.method} is not allowed.", headers={"Allow": self.allow})
            response = await operation.handle(request)
        except APIError as exc:
            response = exc.response(self.shape)
        except ClientDisconnect:
            return
        await response(scope, receive, send)


def _not_found(shape: ErrorShape) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        return APIError(status, f"No route for {request.method} {request.url.path}.").response(shape)

    return handle


def _server_error(shape: ErrorShape) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        error = APIError(500, "The server had an error processing the request.", error_type="server_error")
        return error.response(shape)

    return handle


def create_app(
    api_key: str = DEFAULT_API_KEY,
    spec_path: Path | str = SPEC_PATH,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    validator: ValidatorFactory = inlined_validator,
) -> Starlette:
    """The reference server for the spec at `spec_path`, accepting only `api_key`.

    `validator` builds the validators of request bodies and parameters from a schema's pointer (the
    gallery swaps it for one with a defect).
    """
    if not api_key:
        raise ValueError("the API key must not be empty")
    document = load_spec(spec_path)
    operations = all_operations(document, validator)
    if not any(rules.operation_id == SEED_OPERATION_ID for rules in operations):
        raise SpecError(f"the spec has no operation {SEED_OPERATION_ID!r}")
    values = Values(document)
    shape = ErrorShape.of(document)
    by_path: dict[str, dict[str, OperationEndpoint]] = {}
    for rules in operations:
        answer = SuccessBody(rules, document, values)
        endpoint = OperationEndpoint(rules, api_key, max_body_bytes, answer)
        by_path.setdefault(rules.path, {})[rules.method] = endpoint
    app = Starlette(
        routes=[Route(path, PathEndpoint(methods, shape)) for path, methods in by_path.items()],
        exception_handlers={HTTPException: _not_found(shape), Exception: _server_error(shape)},
    )
    app.router.redirect_slashes = False
    return app
