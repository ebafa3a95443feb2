"""Fixed requests about headers and transport: keys, required headers, malformed bodies, other methods.

Each probe changes one thing in an otherwise valid request (the spec's first example, or a value built
from the schema), so the check it feeds can only be about that one thing. The seed's operation gets
every probe; every other operation of the spec gets the key and header probes; every path of the spec
gets a request with each method it does not define.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from contract_tests.suite.masking import near_misses
from contract_tests.suite.operation import Operation

WRONG_KEY = "sk-contract-suite-wrong-key-0000"  # made up: any real server must refuse it
# Values of every JSON type: an object that may be just {key: any of them} is free-form (JSON Schema
# parameters, say), unlike an open object such as a tool, which still has its required fields.
_ANY_VALUES: tuple[Any, ...] = ("x", 7, 1.5, None, True, [], {"a": 1})
_FREE_KEY = "contract_probe"
# HEAD, OPTIONS and TRACE are often answered by frameworks and proxies themselves: not probed.
PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_WRONG_HEADER_VALUES = ("assistants=v2", "assistants=v0", "garbage", "")


@dataclass(frozen=True)
class Probe:
    label: str
    check: str
    operation: str  # operationId the probe is counted for
    method: str
    path: str  # with its parameters filled in
    headers: dict[str, str]  # without Authorization, unless the probe is about it
    body: bytes | None
    authorized: bool = True
    key: str | None = None  # the key to send instead of the caller's


def _body(op: Operation) -> bytes | None:
    value = op.example_body()
    return None if value is None and op.content_type is None else json.dumps(value).encode("utf-8")


def _headers(op: Operation) -> dict[str, str]:
    headers = dict(op.required_headers())
    if op.content_type is not None:
        headers["Content-Type"] = op.content_type
    return headers


def example_probe(op: Operation) -> Probe:
    """The spec's first example, as is, with the caller's key: sent first, to tell a wrong key at once."""
    name = next(iter(op.examples), "built from the request schema")
    return Probe(
        f"spec example {name!r}, sent first" if op.examples else "a request built from the spec, sent first",
        "valid_request_accepted",
        op.operation_id,
        op.method,
        op.url_path(),
        _headers(op),
        _body(op),
    )


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


def free_form_bodies(op: Operation, values: tuple[float, ...]) -> list[bytes]:
    """The spec's examples with each of `values` (NaN, Infinity) where the schema allows any value.

    The place is found with the spec's validator (a free-form object, e.g. a function's `parameters`):
    there the only thing wrong with the body is the constant, which is not JSON, so a server must reject
    it for that reason alone. Empty when the spec has no such place.
    """
    if op.request is None:
        return []
    for example in [*op.examples.values(), op.example_body()]:
        for path in _objects(example):
            if all(op.request.is_valid(_with_free_value(example, path, value)) for value in _ANY_VALUES):
                return [json.dumps(_with_free_value(example, path, value)).encode() for value in values]
    return []


def key_probes(op: Operation, api_key: str) -> list[Probe]:
    """No key, a wrong key and keys one slip from the caller's: each must get 401."""
    if not op.rules.secured:
        return []
    body, headers, path = _body(op), _headers(op), op.url_path()

    def keyed(label: str, *, authorized: bool = True, key: str | None = None) -> Probe:
        return Probe(
            label, "api_key_required", op.operation_id, op.method, path, headers, body, authorized, key
        )

    # A server comparing keys by prefix, or ignoring case, accepts one of the near misses.
    found = [keyed("no API key", authorized=False), keyed("a wrong API key", key=WRONG_KEY)]
    found += [keyed(label, key=key) for label, key in near_misses(api_key).items()]
    return found


def header_probes(op: Operation) -> list[Probe]:
    """Each required header left out, or with a value its schema forbids: each must get 400."""
    body, headers, path = _body(op), _headers(op), op.url_path()
    found = []
    for rule in op.headers:
        if not rule.required:
            continue
        without = {name: value for name, value in headers.items() if name != rule.name}
        found.append(
            Probe(
                f"no {rule.name} header",
                "beta_header_required",
                op.operation_id,
                op.method,
                path,
                without,
                body,
            )
        )
        for wrong in _WRONG_HEADER_VALUES:
            if not rule.validator.is_valid(wrong):
                found.append(
                    Probe(
                        f"{rule.name}: {wrong!r}",
                        "beta_header_required",
                        op.operation_id,
                        op.method,
                        path,
                        {**without, rule.name: wrong},
                        body,
                    )
                )
    return found


def body_probes(op: Operation) -> list[Probe]:
    """Bodies that are not a JSON object, or not sent as JSON: each must get a 4xx."""
    body = _body(op)
    if body is None:
        return []
    headers, path = _headers(op), op.url_path()
    nan, infinity = free_form_bodies(op, (float("nan"), float("inf"))) or (None, None)
    found = []
    for label, raw in (
        ("malformed JSON", body[: len(body) // 2]),
        ("an empty body", b""),
        ("a JSON array body", b"[]"),
        ("a JSON string body", b'"x"'),
        ("a JSON number body", b"7"),
        ("a JSON null body", b"null"),
        ("NaN where the schema allows any value", nan),
        ("Infinity where the schema allows any value", infinity),
    ):
        if raw is not None:
            found.append(
                Probe(label, "malformed_body_rejected", op.operation_id, op.method, path, headers, raw)
            )
    found.append(
        Probe(
            "a JSON body sent as text/plain",
            "malformed_body_rejected",
            op.operation_id,
            op.method,
            path,
            {**headers, "Content-Type": "text/plain"},
            body,
        )
    )
    found.append(
        Probe(
            "a JSON body with no Content-Type",
            "malformed_body_rejected",
            op.operation_id,
            op.method,
            path,
            {k: v for k, v in headers.items() if k != "Content-Type"},
            body,
        )
    )
    return found


def method_probes(operations: tuple[Operation, ...]) -> list[Probe]:
    """Every method a path of the spec does not define, on that path: each must get 405."""
    by_path: dict[str, list[Operation]] = {}
    for op in operations:
        by_path.setdefault(op.path, []).append(op)
    found = []
    for ops in by_path.values():
        first = ops[0]
        defined = {op.method for op in ops}
        headers = _headers(first)
        for method in PROBED_METHODS:
            if method not in defined:
                found.append(
                    Probe(
                        f"method {method} on {first.path}",
                        "other_methods_rejected",
                        first.operation_id,
                        method,
                        first.url_path(),
                        headers,
                        _body(first),
                    )
                )
    return found


def probes(op: Operation, api_key: str) -> list[Probe]:
    """Every probe of one operation (without the method probes), in the order they are sent."""
    return [*key_probes(op, api_key), *header_probes(op), *body_probes(op)]
