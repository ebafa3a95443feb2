"""JSON responses, and the OpenAI-shaped error: {"error": {"message", "type", "param", "code"}}, completed
with whatever else the spec's error schema for the status requires."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from contract_tests.server.rules import SEED_OPERATION_ID, error_schemas, operation_rules
from contract_tests.values import Values


def json_response(body: Any, status_code: int, headers: dict[str, str] | None = None) -> Response:
    """A JSON response; lone surrogates a client sent are echoed escaped rather than crashing."""
    try:
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        content = json.dumps(body, separators=(",", ":")).encode("ascii")
    return Response(content, status_code, headers, media_type="application/json")


class APIError(Exception):
    """A request the server rejects, carrying what the error response says."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        error_type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.param = param
        self.code = code
        self.error_type = error_type
        self.headers = headers

    def response(self, shape: ErrorShape | None = None) -> Response:
        error = {"message": self.message, "type": self.error_type, "param": self.param, "code": self.code}
        body: Any = {"error": error}
        if shape is not None:
            body = shape.complete(body, self.status_code)
        return json_response(body, self.status_code, self.headers)


class ErrorShape:
    """The error bodies the spec documents, by status: an error body gets every property they require
    and it lacks (a `request_id` added to the spec, say), from that property's schema."""

    def __init__(self, values: Values, schemas: dict[str, str | None]) -> None:
        self.values = values
        self.schemas = schemas  # status ("400", "4XX", "default") -> pointer of its JSON schema

    @classmethod
    def of(cls, document: dict[str, Any]) -> ErrorShape:
        """The error bodies of the seed's operation (every error this server sends has their shape)."""
        rules = operation_rules(document, SEED_OPERATION_ID)
        return cls(Values(document), error_schemas(document, rules))

    def complete(self, body: Any, status: int) -> Any:
        code = str(status)
        pointer = self.schemas.get(code) or self.schemas.get(f"{code[0]}XX") or self.schemas.get("default")
        if pointer is None or self.values.is_valid(pointer, body):
            return body
        return self._fill(body, pointer)

    def _fill(self, value: Any, pointer: str) -> Any:
        if not isinstance(value, dict):
            return value
        schema = self.values.schema(pointer)
        properties = self.values.properties(pointer)
        filled = dict(value)
        for name in schema.get("required", []):
            if name not in filled and name in properties:
                filled[name] = self.values.example(properties[name])
        for name, where in properties.items():
            if isinstance(filled.get(name), dict):
                filled[name] = self._fill(filled[name], where)
        return filled
