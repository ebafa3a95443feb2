"""The broken clients: each sends requests with one defect, stated in the spec's terms, to a judging mock or
through a validating proxy, which must report it on the client's side with the rule named here.

    BASE_URL=http://127.0.0.1:8000 API_KEY=sk-... python -m contract_tests.gallery.clients NAME [--spec PATH]

Each works on the spec's first operation that creates something from a JSON body (its richest example),
and finds what it breaks by keyword: a required header, a string with a `maxLength`, a field that is not a
string, a closed object. A client that meets a 429 asks the server for one with `X-Contract-Fault`, which
the mock answers (behind a proxy too, when the proxy's upstream is a mock).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from contract_tests.api.document import SPEC_PATH
from contract_tests.api.model import Api, Operation, load_api
from contract_tests.api.parameters import text_of
from contract_tests.api.values import json_types


@dataclass(frozen=True)
class Target:
    """Where a client sends its requests, and what it knows of the spec."""

    root: str
    key: str
    api: Api

    @property
    def op(self) -> Operation:
        for op in self.api.operations:
            if op.method == "POST" and not op.path_parameters and op.body is not None:
                return op
        raise LookupError("the spec has no POST of a collection with a JSON body")

    def url(self) -> str:
        return self.root.rstrip("/") + self.api.base_path + self.op.path

    def headers(self) -> dict[str, str]:
        found = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        for parameter in self.op.headers:
            if parameter.required:
                found[parameter.name] = text_of(self.api.parameter_example(parameter))
        return found

    def body(self) -> dict[str, Any]:
        examples: list[dict[str, Any]] = [
            value for value in self.api.examples(self.op).values() if isinstance(value, dict)
        ]
        if examples:
            richest: dict[str, Any] = max(examples, key=len)
            return dict(richest)
        assert self.op.body is not None
        built: dict[str, Any] = self.api.values.example(self.op.body.schema_pointer)
        return built

    def fields(self) -> dict[str, dict[str, Any]]:
        assert self.op.body is not None
        pointer = self.op.body.schema_pointer
        return {
            name: self.api.values.schema(where) for name, where in self.api.values.properties(pointer).items()
        }


def post(
    target: Target, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> httpx.Response:
    content = raw if raw is not None else json.dumps(body).encode()
    return httpx.post(target.url(), content=content, headers=headers or target.headers(), timeout=30)


def sends_unknown_field(target: Target) -> None:
    post(target, {**target.body(), "x_contract_unknown_field": 1})


def omits_required_header(target: Target) -> None:
    required = [parameter.name for parameter in target.op.headers if parameter.required]
    headers = {name: value for name, value in target.headers().items() if name not in required[:1]}
    post(target, target.body(), headers)


def value_as_a_string(target: Target) -> None:
    """A field that is not a string (a list, a number), sent JSON-encoded in a string."""
    body = target.body()
    for name, schema in target.fields().items():
        if name in body and "string" not in json_types(schema):
            post(target, {**body, name: json.dumps(body[name])})
            return


def string_over_its_limit(target: Target) -> None:
    for name, schema in target.fields().items():
        if isinstance(schema.get("maxLength"), int) and "pattern" not in schema:
            post(target, {**target.body(), name: "x" * (schema["maxLength"] + 1)})
            return


def wrong_media_type(target: Target) -> None:
    post(target, target.body(), {**target.headers(), "Content-Type": "text/plain"})


def ignores_retry_after(target: Target) -> None:
    """Meets a 429 asking for a 2 s wait, and sends the request again at once."""
    body = target.body()
    for _ in range(2):  # the retry repeats the request as it was, the header that asked for the 429 too
        post(target, body, {**target.headers(), "X-Contract-Fault": "429;retry-after=2"})


def retries_client_errors(target: Target) -> None:
    """Sends a body its schema forbids, gets a 4xx, and retries it as it was, counting its tries as the
    openai SDKs do (`x-stainless-retry-count`: a retry is judged only where it is known to be one)."""
    body = {**target.body(), "x_contract_unknown_field": 1}
    for tries in range(2):
        post(target, body, {**target.headers(), "x-stainless-retry-count": str(tries)})


@dataclass(frozen=True)
class BrokenClient:
    defect: str
    rule: str  # the rule the mock and the proxy must report on the client's side
    run: Callable[[Target], None]


CLIENTS: dict[str, BrokenClient] = {
    "sends_unknown_field": BrokenClient(
        "sends a field the request schema does not define", "body_valid", sends_unknown_field
    ),
    "omits_required_header": BrokenClient(
        "leaves out a required header (`OpenAI-Beta`, on this spec)", "headers_valid", omits_required_header
    ),
    "value_as_a_string": BrokenClient(
        "sends a field that is not a string as a JSON-encoded string", "body_valid", value_as_a_string
    ),
    "string_over_its_limit": BrokenClient(
        "sends a string one character over its `maxLength`", "body_valid", string_over_its_limit
    ),
    "wrong_media_type": BrokenClient("sends its JSON body as text/plain", "body_is_json", wrong_media_type),
    "ignores_retry_after": BrokenClient(
        "sends a request again at once after a 429 that asked for a wait",
        "retry_after_respected",
        ignores_retry_after,
    ),
    "retries_client_errors": BrokenClient(
        "sends a request a 400 refused again, as it was", "client_errors_not_retried", retries_client_errors
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contract_tests.gallery.clients", description=__doc__)
    parser.add_argument("name", choices=sorted(CLIENTS))
    parser.add_argument("--spec", default=str(SPEC_PATH))
    args = parser.parse_args(argv)
    root, key = os.environ.get("BASE_URL", ""), os.environ.get("API_KEY", "")
    if not root or not key:
        print("error: BASE_URL and API_KEY must be set (the mock and the proxy set them)", file=sys.stderr)
        return 2
    CLIENTS[args.name].run(Target(root, key, load_api(Path(args.spec))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
