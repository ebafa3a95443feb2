"""Servers that keep the contract with habits other than the reference server's: the suite must pass
them. They guard against checks that learnt the reference server instead of the spec."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.types import ASGIApp

from contract_tests.gallery.rewrite import Reply, Request, Rewrite
from contract_tests.server import create_app


def _other_assistant(body: dict[str, Any]) -> dict[str, Any]:
    """Another id format, an extra field, reversed key and tool order, a clock an hour ahead, ints."""
    body["id"] = f"assistant-{uuid.uuid4()}"
    body["created_at"] += 3600
    body["top_p"], body["temperature"] = 1, 1
    body["tool_resources"] = {}  # the assistant object is open: servers may add fields
    body["tools"] = list(reversed(body["tools"]))
    return dict(reversed(list(body.items())))


def _other_error(request: Request, reply: Reply) -> Reply:
    """Terser messages, codes of its own, 400 (not 415) for a wrong content type, a masked key echo."""
    error = json.loads(reply.body)["error"]
    key = request.headers.get("authorization", "").partition(" ")[2]
    message = f"Invalid key sk-...{key[-4:]}." if reply.status == 401 and key else "Bad request."
    error.update(message=message, code=f"e{reply.status}")
    reply.status = 400 if reply.status == 415 else reply.status
    reply.body = json.dumps({"error": error}).encode()
    return reply


def _other_habits(request: Request, reply: Reply) -> Reply:
    if reply.status >= 400 and reply.body:
        return _other_error(request, reply)
    if reply.status == 200:
        reply.body = json.dumps(_other_assistant(json.loads(reply.body)), ensure_ascii=True).encode()
        reply.headers["content-type"] = "application/json; charset=utf-8"
    return reply


def other_habits(api_key: str) -> ASGIApp:
    """The reference server with every habit above."""
    return Rewrite(create_app(api_key=api_key), reply=_other_habits)


def body_before_key(api_key: str) -> ASGIApp:
    """Validates headers and body before the key: an invalid request without a key gets 400, not 401."""
    right = f"Bearer {api_key}"

    def check_key_last(request: Request) -> Request:
        if request.headers.get("authorization") != right:
            request.headers["x-key-was-wrong"] = "1"
            request.headers["authorization"] = right
        return request

    def answer(request: Request, reply: Reply) -> Reply:
        if request.headers.get("x-key-was-wrong") and reply.status == 200:
            error = {"message": "Unauthorized.", "type": "invalid_request_error", "param": None, "code": None}
            return Reply(401, {"content-type": "application/json"}, json.dumps({"error": error}).encode())
        return reply

    return Rewrite(create_app(api_key=api_key), request=check_key_last, reply=answer)


def lists_assistants(api_key: str) -> ASGIApp:
    """Implements GET /v1/assistants (list assistants) of the full API, which this spec leaves out."""

    def answer_get(request: Request) -> Request | Reply:
        if request.method == "GET" and request.headers.get("authorization") == f"Bearer {api_key}":
            page: dict[str, Any] = {
                "object": "list",
                "data": [],
                "first_id": None,
                "last_id": None,
                "has_more": False,
            }
            return Reply(200, {"content-type": "application/json"}, json.dumps(page).encode())
        return request

    return Rewrite(create_app(api_key=api_key), request=answer_get)


def rate_limited(api_key: str, every: int = 4, retry_after: str = "0") -> ASGIApp:
    """Answers every fourth request (every `every`-th) with the documented 429 and `Retry-After: 0`
    (`retry_after`): a limit, not a fault. The client's end-to-end retry tests use other values."""
    count = [0]

    def limit(request: Request) -> Request | Reply:
        count[0] += 1
        if count[0] % every == 0:
            error = {
                "message": "Slow down.",
                "type": "requests",
                "param": None,
                "code": "rate_limit_exceeded",
            }
            headers = {"content-type": "application/json", "retry-after": retry_after}
            return Reply(429, headers, json.dumps({"error": error}).encode())
        return request

    return Rewrite(create_app(api_key=api_key), request=limit)


CONFORMING = {
    "other_habits": other_habits,
    "body_before_key": body_before_key,
    "lists_assistants": lists_assistants,
    "rate_limited": rate_limited,
}
