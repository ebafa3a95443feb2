"""The reference server's ASGI app: `create_app()` builds it from spec/openapi.yaml.

Checks run in the order the real API applies them: credentials (401), then headers (400), content
type (415), size (413), JSON syntax (400) and the body's schema (400). No input makes it answer 5xx.
"""

from __future__ import annotations

import hmac
import json
import logging
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

from contract_tests.server.assistants import new_assistant
from contract_tests.server.responses import APIError, json_response
from contract_tests.server.rules import OperationRules, operation_rules
from contract_tests.spec import SPEC_PATH, load_spec

DEFAULT_API_KEY = "sk-reference-local"
# Large enough for every valid body (256,000 escaped characters of instructions plus 128 tools with
# JSON Schema parameters), small enough that a client cannot make the server buffer without bound.
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
OPERATION_ID = "createAssistant"

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


class CreateAssistantEndpoint:
    """The one operation, as a raw ASGI app so that it sees every method (TRACE and QUERY too)."""

    def __init__(self, rules: OperationRules, api_key: str, max_body_bytes: int) -> None:
        self.rules = rules
        self.api_key = api_key.encode("utf-8")
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.handle(request)
        except APIError as exc:
            response = exc.response()
        except ClientDisconnect:
            return
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        if request.method != self.rules.method:
            raise APIError(
                405, f"Method {request.method} is not allowed.", headers={"Allow": self.rules.method}
            )
        self.check_credentials(request)
        self.check_headers(request)
        self.check_content_type(request)
        body = self.parse_json(await self.read_body(request))
        errors = list(self.rules.body.iter_errors(body))
        if errors:
            error = best_match(errors)
            message = error.message if len(error.message) <= 300 else error.message[:300] + "..."
            raise APIError(400, f"Invalid request body: {message}", param=_param(error))
        return json_response(new_assistant(body, self.rules.defaults), 200)

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

    def check_headers(self, request: Request) -> None:
        for rule in self.rules.headers:
            value = request.headers.get(rule.name)
            if value is None:
                if rule.required:
                    raise APIError(400, f"Missing required header {rule.name}.", param=rule.name)
                continue
            if not rule.validator.is_valid(value):
                raise APIError(400, f"Invalid value for header {rule.name}.", param=rule.name)

    def check_content_type(self, request: Request) -> None:
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != self.rules.content_type:
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


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    return APIError(status, f"No route for {request.method} {request.url.path}.").response()


async def _server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    error = APIError(500, "The server had an error processing the request.", error_type="server_error")
    return error.response()


def create_app(
    api_key: str = DEFAULT_API_KEY,
    spec_path: Path | str = SPEC_PATH,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Starlette:
    """The reference server for the spec at `spec_path`, accepting only `api_key`."""
    if not api_key:
        raise ValueError("the API key must not be empty")
    rules = operation_rules(load_spec(spec_path), OPERATION_ID)
    endpoint = CreateAssistantEndpoint(rules, api_key, max_body_bytes)
    app = Starlette(
        routes=[Route(rules.path, endpoint)],
        exception_handlers={HTTPException: _not_found, Exception: _server_error},
    )
    app.router.redirect_slashes = False
    return app
