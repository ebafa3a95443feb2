"""The reference server answers as the spec says, for valid and invalid requests alike; every value a
test needs comes from the loaded spec (tests/spec_facts.py), so an edit of the spec moves the tests."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from contract_tests.api.document import SPEC_PATH, UNIQUE, UNIXTIME, SpecError
from contract_tests.api.model import load_api
from contract_tests.server import create_app
from contract_tests.suite.bodies import BodyFactory
from tests import spec_facts as facts
from tests.server.conftest import API_KEY

SEED = facts.seed()
PATH = SEED.path
REQUEST = (
    max(SEED.examples.values(), key=len) if SEED.examples else SEED.values.example(facts.request_pointer())
)


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    SEED.error.validate(body)
    assert API_KEY not in response.text
    return body


def post(client: TestClient, body: Any, headers: dict[str, str]) -> Any:
    return client.request(
        SEED.method, PATH, content=json.dumps(body), headers={**headers, "Content-Type": "application/json"}
    )


def _assigned_fields() -> dict[str, dict[str, Any]]:
    return {prop.name: prop.schema for prop in facts.properties(facts.response_pointer())}


def test_creates_an_assistant_that_reflects_the_request(client: TestClient, headers: dict[str, str]) -> None:
    before = int(time.time())
    response = post(client, REQUEST, headers)
    assert response.status_code == SEED.success_status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert SEED.assistant is not None
    SEED.assistant.validate(body)
    shared = [name for name in REQUEST if name in body]
    assert shared, "the response has none of the request's fields"
    assert {name: body[name] for name in shared} == {name: REQUEST[name] for name in shared}
    for name, schema in _assigned_fields().items():
        if schema.get("format") == UNIXTIME:
            assert before <= body[name] <= int(time.time())
        if schema.get(UNIQUE) is True:
            assert body[name]


def test_optional_fields_get_the_spec_defaults(client: TestClient, headers: dict[str, str]) -> None:
    required_only = {name: REQUEST[name] for name in facts.required() if name in REQUEST}
    body = post(client, required_only, headers).json()
    defaults = {name: value for name, value in SEED.defaults.items() if name in body}
    assert defaults, "the request has no optional field with a default that the assistant also has"
    assert {name: body[name] for name in defaults} == defaults


def test_each_assistant_gets_its_own_unique_values(client: TestClient, headers: dict[str, str]) -> None:
    unique = [name for name, schema in _assigned_fields().items() if schema.get(UNIQUE) is True]
    assert unique, "the response marks no field x-unique"
    bodies = [post(client, REQUEST, headers).json() for _ in range(5)]
    for name in unique:
        assert len({json.dumps(body[name]) for body in bodies}) == 5


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer wrong", f"Bearer {API_KEY}x"]
)
def test_missing_or_wrong_key_is_401(client: TestClient, authorization: str | None) -> None:
    headers = SEED.required_headers()
    if authorization is not None:
        headers["Authorization"] = authorization
    assert_error(post(client, REQUEST, headers), 401)


@pytest.mark.parametrize("wrong", [None, "assistants=v2", "garbage", ""])
@pytest.mark.parametrize("name", sorted(SEED.required_headers()))
def test_missing_or_wrong_required_header_is_400(client: TestClient, name: str, wrong: str | None) -> None:
    headers = {**SEED.required_headers(), "Authorization": f"Bearer {API_KEY}"}
    del headers[name]
    if wrong is not None:
        headers[name] = wrong
    body = assert_error(post(client, REQUEST, headers), 400)
    assert body["error"]["param"] == name


INVALID = BodyFactory(SEED.api, SEED.op).invalid()


@pytest.mark.parametrize("body", [body.value for body in INVALID], ids=[body.label for body in INVALID])
def test_every_spec_derived_invalid_body_is_400(
    client: TestClient, headers: dict[str, str], body: Any
) -> None:
    assert_error(post(client, body, headers), 400)


@pytest.mark.parametrize("body", [[REQUEST], "hello", None, 7], ids=["array", "string", "null", "number"])
def test_non_object_bodies_are_400(client: TestClient, headers: dict[str, str], body: Any) -> None:
    assert_error(post(client, body, headers), 400)


def test_a_400_names_the_field_at_any_depth(client: TestClient, headers: dict[str, str]) -> None:
    factory = BodyFactory(SEED.api, SEED.op)
    deep = [
        site
        for site in factory.sites()
        if "pattern" in factory.values.schema(site.pointer) and len(site.steps) > 1
    ]
    assert deep, "the request has no pattern below its top level"
    site = deep[0]
    response = post(client, factory.embed(site, lambda _: "has space"), headers)
    assert assert_error(response, 400)["error"]["param"] == site.path


def test_the_largest_valid_body_is_accepted(client: TestClient, headers: dict[str, str]) -> None:
    request = SEED.values.largest(facts.request_pointer())
    response = post(client, request, headers)
    assert response.status_code == SEED.success_status, response.text[:300]
    body = response.json()
    assert {name: body[name] for name in request if name in body} == {
        name: value for name, value in request.items() if name in body
    }


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{", "application/json"),
        (b"", "application/json"),
        (b"NaN", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"[" * 50_000, "application/json"),
        (json.dumps(REQUEST).encode(), "text/plain"),
        (json.dumps(REQUEST).encode(), None),
    ],
    ids=["malformed", "empty", "nan", "not utf-8", "deeply nested", "text/plain", "no content type"],
)
def test_unparseable_requests_are_4xx(
    client: TestClient, headers: dict[str, str], content: bytes, content_type: str | None
) -> None:
    if content_type:
        headers["Content-Type"] = content_type
    response = client.request(SEED.method, PATH, content=content, headers=headers)
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


def test_a_body_over_the_limit_is_413(headers: dict[str, str]) -> None:
    large = json.dumps(SEED.values.largest(facts.request_pointer()))
    with TestClient(create_app(api_key=API_KEY, max_body_bytes=len(large) - 1)) as small:
        response = small.request(
            SEED.method, PATH, content=large, headers={**headers, "Content-Type": "application/json"}
        )
    assert_error(response, 413)


def _undefined_methods() -> list[tuple[str, str, str]]:
    """(path, a method it does not define, the methods it defines) for every path of the spec."""
    by_path: dict[str, set[str]] = {}
    for op in load_api(SPEC_PATH).operations:
        by_path.setdefault(op.path, set()).add(op.method)
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"]
    return [
        (path, method, ", ".join(sorted(defined)))
        for path, defined in by_path.items()
        for method in methods
        if method not in defined
    ]


@pytest.mark.parametrize(("path", "method", "allow"), _undefined_methods())
def test_undefined_methods_are_405_with_allow(client: TestClient, path: str, method: str, allow: str) -> None:
    url = path
    for op in load_api(SPEC_PATH).operations:
        for parameter in op.path_parameters:
            url = url.replace("{" + parameter.name + "}", "x")
    response = client.request(method, url)
    assert_error(response, 405)
    assert response.headers["allow"] == allow


def test_head_is_405(client: TestClient) -> None:
    response = client.head(PATH)
    assert response.status_code == 405 and SEED.method in response.headers["allow"]


@pytest.mark.parametrize("path", ["/", f"{PATH}/", f"/x-contract-unknown{PATH}"])
def test_unknown_paths_are_404(client: TestClient, headers: dict[str, str], path: str) -> None:
    assert_error(client.request(SEED.method, path, json=REQUEST, headers=headers), 404)


def test_a_lone_surrogate_does_not_crash_the_server(client: TestClient, headers: dict[str, str]) -> None:
    free = [
        prop
        for prop in facts.request_properties()
        if prop.name in REQUEST
        and "string" in prop.schema.get("type", "")
        and not {"pattern", "enum", "const"} & prop.schema.keys()
    ]
    assert free, "the request has no free-text string field"
    content = json.dumps({**REQUEST, free[0].name: "\ud800"}).encode()
    response = client.request(
        SEED.method, PATH, content=content, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == SEED.success_status
    assert response.json()[free[0].name] == "\ud800"


def test_the_server_follows_the_spec(tmp_path: Path, headers: dict[str, str]) -> None:
    prop = facts.first_with("maxLength", kind="string")
    spec = facts.edited(tmp_path, lambda document: facts.target(document, prop.pointer).update(maxLength=5))
    with TestClient(create_app(api_key=API_KEY, spec_path=spec)) as edited_server:
        response = edited_server.request(
            SEED.method,
            PATH,
            content=json.dumps({**REQUEST, prop.name: "123456"}),
            headers={**headers, "Content-Type": "application/json"},
        )
    assert_error(response, 400)


def test_an_operation_it_does_not_implement_answers_404_and_checks_the_key(
    tmp_path: Path, headers: dict[str, str]
) -> None:
    """A new operation naming a resource by a path parameter: the server keeps nothing, so 404 (the
    error object), after the key and headers are checked like everywhere else."""

    def add_get(document: dict[str, Any]) -> None:
        seed_node = facts.at(document, SEED.pointer)
        document["paths"][f"{PATH}/x-contract-probe/{{resource_id}}"] = {
            "get": {
                "operationId": "xContractGetResource",
                "summary": "Get one",
                "description": "Get one.",
                "parameters": [
                    *seed_node.get("parameters", []),
                    {"name": "resource_id", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {
                    str(SEED.success_status): seed_node["responses"][str(SEED.success_status)],
                    "404": seed_node["responses"]["default"],
                },
            }
        }

    spec = facts.edited(tmp_path, add_get)
    with TestClient(create_app(api_key=API_KEY, spec_path=spec)) as server:
        url = f"{PATH}/x-contract-probe/anything"
        assert_error(server.get(url, headers=headers), 404)
        assert_error(server.get(url, headers=SEED.required_headers()), 401)
        assert_error(server.post(url, headers=headers), 405)


def test_the_success_body_follows_new_fields(tmp_path: Path, headers: dict[str, str]) -> None:
    """A field new in both request and response is reflected; a new required response field the request
    cannot set gets its example; nothing in the server names a field."""

    def add_fields(document: dict[str, Any]) -> None:
        request = facts.target(document, facts.request_pointer())
        response = facts.target(document, facts.response_pointer())
        request["properties"]["x_new_number"] = {
            "type": "number",
            "minimum": 0,
            "maximum": 2,
            "default": 1,
            "description": "New.",
        }
        response["properties"]["x_new_number"] = {"type": "number", "description": "New."}
        response["properties"]["x_new_label"] = {
            "type": "string",
            "examples": ["label-1"],
            "description": "New.",
        }
        response["required"] = [*response.get("required", []), "x_new_number", "x_new_label"]

    spec = facts.edited(tmp_path, add_fields)
    with TestClient(create_app(api_key=API_KEY, spec_path=spec)) as server:
        sent = post(server, {**REQUEST, "x_new_number": 1.5}, headers).json()
        left_out = post(server, REQUEST, headers).json()
    assert (sent["x_new_number"], sent["x_new_label"]) == (1.5, "label-1")
    assert left_out["x_new_number"] == 1


def test_a_malformed_spec_is_a_clear_error(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: [", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid YAML"):
        create_app(spec_path=spec)
    spec.write_text("openapi: 3.1.0\npaths: {}\n", encoding="utf-8")
    with pytest.raises(SpecError, match="has no operations"):
        create_app(spec_path=spec)


def test_error_bodies_follow_the_error_schema(tmp_path: Path, headers: dict[str, str]) -> None:
    """A property the spec adds to the error object (a required `request_id`, say) is in every error."""
    envelope = facts.properties(str(SEED.error_schema_pointer))
    inner = next((prop for prop in envelope if "properties" in prop.schema), None)
    error_pointer = inner.pointer if inner is not None else str(SEED.error_schema_pointer)

    def add_request_id(document: dict[str, Any]) -> None:
        node = facts.target(document, error_pointer)
        node["properties"]["x_request_id"] = {
            "type": "string",
            "examples": ["req_123"],
            "description": "Traces it.",
        }
        node["required"] = [*node.get("required", []), "x_request_id"]

    spec = facts.edited(tmp_path, add_request_id)
    edited = facts.seed(spec)
    with TestClient(create_app(api_key=API_KEY, spec_path=spec)) as server:
        answers = [
            post(server, REQUEST, SEED.required_headers()),  # 401
            post(server, {}, headers),  # 400
            server.request("DELETE", PATH, headers=headers),  # 405
            server.get("/x-contract-unknown", headers=headers),  # 404
        ]
    for answer in answers:
        assert answer.status_code >= 400
        edited.error.validate(answer.json())
