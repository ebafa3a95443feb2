"""JSON responses, and the server's error: OpenAI's {"error": {"message", "type", "param", "code"}}, made
to fit what the spec documents for the status (contract_tests.api.errors)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from contract_tests.api.errors import fit_error
from contract_tests.api.model import Api, Operation


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

    def body(self, api: Api | None = None, op: Operation | None = None) -> Any:
        error = {"message": self.message, "type": self.error_type, "param": self.param, "code": self.code}
        body: Any = {"error": error}
        if api is not None:
            body = fit_error(api, op, self.status_code, body, self.message)
        return body

    def response(self, api: Api | None = None, op: Operation | None = None) -> Response:
        return json_response(self.body(api, op), self.status_code, self.headers)
