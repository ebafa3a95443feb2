"""Fixed requests about headers and transport: keys, the beta header, malformed bodies, other methods.

Each probe changes one thing in an otherwise valid request (the spec's first example), so the check it
feeds can only be about that one thing.
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
OTHER_METHODS = ("GET", "PUT", "PATCH", "DELETE")  # HEAD and OPTIONS are often answered by frameworks


@dataclass(frozen=True)
class Probe:
    label: str
    check: str
    method: str
    headers: dict[str, str]  # without Authorization, unless the probe is about it
    body: bytes
    authorized: bool = True
    key: str | None = None  # the key to send instead of the caller's


def example_probe(op: Operation) -> Probe:
    """The spec's first example, as is, with the caller's key: sent first, to tell a wrong key at once."""
    name, value = next(iter(op.examples.items()))
    headers = {"Content-Type": op.content_type, **op.required_headers()}
    return Probe(
        f"spec example {name!r}, sent first",
        "valid_request_accepted",
        op.method,
        headers,
        json.dumps(value).encode("utf-8"),
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
    for example in op.examples.values():
        for path in _objects(example):
            if all(op.request.is_valid(_with_free_value(example, path, value)) for value in _ANY_VALUES):
                return [json.dumps(_with_free_value(example, path, value)).encode() for value in values]
    return []


def probes(op: Operation, api_key: str) -> list[Probe]:
    """Every transport probe of the operation, in the order they are sent."""
    body = json.dumps(next(iter(op.examples.values()))).encode("utf-8")
    headers = {"Content-Type": op.content_type, **op.required_headers()}
    found = [
        Probe("no API key", "api_key_required", op.method, headers, body, authorized=False),
        Probe("a wrong API key", "api_key_required", op.method, headers, body, key=WRONG_KEY),
    ]
    # A server comparing keys by prefix, or ignoring case, accepts one of these.
    for label, key in near_misses(api_key).items():
        found.append(Probe(label, "api_key_required", op.method, headers, body, key=key))
    for rule in op.headers:
        if not rule.required:
            continue
        without = {name: value for name, value in headers.items() if name != rule.name}
        found.append(Probe(f"no {rule.name} header", "beta_header_required", op.method, without, body))
        for wrong in ("assistants=v2", "assistants=v0", "garbage", ""):
            if not rule.validator.is_valid(wrong):
                found.append(
                    Probe(
                        f"{rule.name}: {wrong!r}",
                        "beta_header_required",
                        op.method,
                        {**without, rule.name: wrong},
                        body,
                    )
                )
    nan, infinity = free_form_bodies(op, (float("nan"), float("inf"))) or (None, None)
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
            found.append(Probe(label, "malformed_body_rejected", op.method, headers, raw))
    found.append(
        Probe(
            "a JSON body sent as text/plain",
            "malformed_body_rejected",
            op.method,
            {**headers, "Content-Type": "text/plain"},
            body,
        )
    )
    found.append(
        Probe(
            "a JSON body with no Content-Type",
            "malformed_body_rejected",
            op.method,
            {k: v for k, v in headers.items() if k != "Content-Type"},
            body,
        )
    )
    for method in OTHER_METHODS:
        if method != op.method:
            found.append(Probe(f"method {method}", "other_methods_rejected", method, headers, body))
    return found
