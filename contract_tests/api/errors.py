"""Error bodies the spec documents: a body a server prefers, made valid for the status it answers.

A server has its own error shape (the reference server's is OpenAI's `{"error": {"message", "type",
"param", "code"}}`); the spec documents one per status (by number, by range or by `default`). A body that
the documented schema refuses is completed with the properties it requires (a `request_id` an edit
added, say), and if it still does not fit, replaced by a value built from the schema with the message in
its first string property, so that every error a server of the spec sends is one the spec allows.
"""

from __future__ import annotations

import copy
from typing import Any

from contract_tests.api.model import Api, Operation
from contract_tests.api.values import NO_VALUE


def error_schema(op: Operation | None, status: int) -> str | None:
    """The pointer of the JSON schema `op` documents for `status`, or None."""
    if op is None:
        return None
    response = op.response_for(status)
    return response.schema_pointer if response is not None else None


def fit_error(api: Api, op: Operation | None, status: int, preferred: Any, message: str) -> Any:
    """`preferred`, or the closest body the spec documents for `status` on `op`."""
    pointer = error_schema(op, status) or _any_error_schema(api, status)
    if pointer is None or api.values.is_valid(pointer, preferred):
        return preferred
    filled = _fill(api, preferred, pointer)
    if api.values.is_valid(pointer, filled):
        return filled
    built = api.values.example(pointer)
    return _with_message(api, built, pointer, message)


def _any_error_schema(api: Api, status: int) -> str | None:
    """An undocumented status (a 404 on an operation that documents none): the error schema the API uses
    most for that class of status, so that its errors keep one shape."""
    for op in api.operations:
        pointer = error_schema(op, status)
        if pointer is not None and op.response_for(status) is not op.success:
            return pointer
    return None


def _fill(api: Api, value: Any, pointer: str) -> Any:
    if not isinstance(value, dict):
        return value
    schema = api.values.schema(pointer)
    properties = api.values.properties(pointer)
    filled = dict(value)
    for name in schema.get("required", []):
        if name not in filled and name in properties:
            filled[name] = api.values.example(properties[name])
    for name, where in properties.items():
        if isinstance(filled.get(name), dict):
            filled[name] = _fill(api, filled[name], where)
    return filled


def _with_message(api: Api, body: Any, pointer: str, message: str) -> Any:
    """`body` with `message` in its first string property (depth first) where the schema allows it."""
    if not isinstance(body, dict):
        return body
    for name, where in api.values.properties(pointer).items():
        if name not in body:
            continue
        if isinstance(body[name], str):
            candidate = {**body, name: message}
            if api.values.is_valid(pointer, candidate):
                return candidate
        elif isinstance(body[name], dict):
            inner = _with_message(api, copy.deepcopy(body[name]), where, message)
            candidate = {**body, name: inner}
            if inner is not NO_VALUE and api.values.is_valid(pointer, candidate):
                return candidate
    return body
