"""The reference server answers as spec/openapi.yaml says, for valid and invalid requests alike."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from contract_tests.server import create_app
from contract_tests.spec import SPEC_PATH, SpecError, schema_validator
from tests.server.conftest import API_KEY

SEED_REQUEST: dict[str, Any] = {
    "instructions": "You are a personal math tutor.",
    "name": "Math Tutor",
    "tools": [{"type": "code_interpreter"}],
    "model": "gpt-4-turbo",
}


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    schema_validator("ErrorResponse").validate(body)
    assert API_KEY not in response.text
    return body


def test_creates_an_assistant_that_reflects_the_request(client: TestClient, headers: dict[str, str]) -> None:
    request = {
        **SEED_REQUEST,
        "description": "Helps.",
        "file_ids": ["file-1"],
        "metadata": {"k": "v"},
        "tools": [
            {"type": "retrieval"},
            {"type": "function", "function": {"name": "f-1", "parameters": {"type": "object"}}},
        ],
    }
    before = int(time.time())
    response = client.post("/v1/assistants", json=request, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    schema_validator("AssistantObject").validate(body)
    assert {key: body[key] for key in request} == request
    assert body["object"] == "assistant"
    assert body["id"].startswith("asst_")
    assert before <= body["created_at"] <= int(time.time())


def test_optional_fields_get_the_spec_defaults(client: TestClient, headers: dict[str, str]) -> None:
    body = client.post("/v1/assistants", json=SEED_REQUEST, headers=headers).json()
    assert (body["description"], body["file_ids"], body["metadata"]) == (None, [], {})


def test_each_assistant_gets_its_own_id(client: TestClient, headers: dict[str, str]) -> None:
    ids = {client.post("/v1/assistants", json=SEED_REQUEST, headers=headers).json()["id"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer wrong", f"Bearer {API_KEY}x"]
)
def test_missing_or_wrong_key_is_401(client: TestClient, authorization: str | None) -> None:
    headers = {"OpenAI-Beta": "assistants=v1"}
    if authorization is not None:
        headers["Authorization"] = authorization
    assert_error(client.post("/v1/assistants", json=SEED_REQUEST, headers=headers), 401)


@pytest.mark.parametrize("beta", [None, "assistants=v2", "garbage", ""])
def test_missing_or_wrong_beta_header_is_400(client: TestClient, beta: str | None) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    if beta is not None:
        headers["OpenAI-Beta"] = beta
    body = assert_error(client.post("/v1/assistants", json=SEED_REQUEST, headers=headers), 400)
    assert body["error"]["param"] == "OpenAI-Beta"


INVALID_BODIES: dict[str, Any] = {
    "model missing": {k: v for k, v in SEED_REQUEST.items() if k != "model"},
    "tools missing": {k: v for k, v in SEED_REQUEST.items() if k != "tools"},
    "name too long": {**SEED_REQUEST, "name": "n" * 257},
    "instructions too long": {**SEED_REQUEST, "instructions": "i" * 256_001},
    "description too long": {**SEED_REQUEST, "description": "d" * 513},
    "129 tools": {**SEED_REQUEST, "tools": [{"type": "retrieval"}] * 129},
    "unknown tool type": {**SEED_REQUEST, "tools": [{"type": "browser"}]},
    "tool without type": {**SEED_REQUEST, "tools": [{}]},
    "bad function name": {**SEED_REQUEST, "tools": [{"type": "function", "function": {"name": "a b"}}]},
    "function name with newline": {
        **SEED_REQUEST,
        "tools": [{"type": "function", "function": {"name": "abc\n"}}],
    },
    "function without name": {**SEED_REQUEST, "tools": [{"type": "function", "function": {}}]},
    "name not a string": {**SEED_REQUEST, "name": 3},
    "tools not an array": {**SEED_REQUEST, "tools": {"type": "retrieval"}},
    "unknown field": {**SEED_REQUEST, "temperature": 1},
    "21 file ids": {**SEED_REQUEST, "file_ids": [f"file-{i}" for i in range(21)]},
    "17 metadata pairs": {**SEED_REQUEST, "metadata": {f"k{i}": "v" for i in range(17)}},
    "metadata key too long": {**SEED_REQUEST, "metadata": {"k" * 65: "v"}},
    "metadata value too long": {**SEED_REQUEST, "metadata": {"k": "v" * 513}},
    "metadata value not a string": {**SEED_REQUEST, "metadata": {"k": 1}},
    "array body": [SEED_REQUEST],
    "string body": "hello",
    "null body": None,
}


@pytest.mark.parametrize("body", INVALID_BODIES.values(), ids=INVALID_BODIES.keys())
def test_invalid_bodies_are_400(client: TestClient, headers: dict[str, str], body: Any) -> None:
    headers["Content-Type"] = "application/json"
    assert_error(client.post("/v1/assistants", content=json.dumps(body), headers=headers), 400)


def test_a_400_names_the_field(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/v1/assistants", json=INVALID_BODIES["bad function name"], headers=headers)
    assert assert_error(response, 400)["error"]["param"] == "tools[0].function.name"


def test_the_largest_valid_body_is_accepted(client: TestClient, headers: dict[str, str]) -> None:
    function = {"type": "function", "function": {"name": "f" * 64, "description": "d", "parameters": {}}}
    request = {
        "model": "m",
        "name": "\U0001f600" * 256,
        "instructions": "\u00e9" * 256_000,
        "description": "d" * 512,
        "tools": [function] * 128,
        "file_ids": ["f"] * 20,
        "metadata": {f"{i:064d}": "v" * 512 for i in range(16)},
    }
    response = client.post("/v1/assistants", json=request, headers=headers)
    assert response.status_code == 200, response.text[:300]
    assert response.json()["name"] == request["name"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{", "application/json"),
        (b"", "application/json"),
        (b"NaN", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"[" * 50_000, "application/json"),
        (json.dumps(SEED_REQUEST).encode(), "text/plain"),
        (json.dumps(SEED_REQUEST).encode(), None),
    ],
    ids=["malformed", "empty", "nan", "not utf-8", "deeply nested", "text/plain", "no content type"],
)
def test_unparseable_requests_are_4xx(
    client: TestClient, headers: dict[str, str], content: bytes, content_type: str | None
) -> None:
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post("/v1/assistants", content=content, headers=headers)
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


def test_a_body_over_the_limit_is_413(headers: dict[str, str]) -> None:
    with TestClient(create_app(api_key=API_KEY, max_body_bytes=1000)) as small:
        response = small.post(
            "/v1/assistants", json={**SEED_REQUEST, "instructions": "x" * 2000}, headers=headers
        )
    assert_error(response, 413)


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"])
def test_other_methods_are_405_with_allow(client: TestClient, method: str) -> None:
    response = client.request(method, "/v1/assistants")
    assert_error(response, 405)
    assert response.headers["allow"] == "POST"


def test_head_is_405(client: TestClient) -> None:
    response = client.head("/v1/assistants")
    assert (response.status_code, response.headers["allow"]) == (405, "POST")


@pytest.mark.parametrize("path", ["/", "/v1/assistants/", "/v1/assistants/asst_1", "/v2/assistants"])
def test_unknown_paths_are_404(client: TestClient, headers: dict[str, str], path: str) -> None:
    assert_error(client.post(path, json=SEED_REQUEST, headers=headers), 404)


def test_a_lone_surrogate_does_not_crash_the_server(client: TestClient, headers: dict[str, str]) -> None:
    content = json.dumps({**SEED_REQUEST, "name": "\ud800"}).encode()
    headers["Content-Type"] = "application/json"
    response = client.post("/v1/assistants", content=content, headers=headers)
    assert response.status_code == 200
    assert response.json()["name"] == "\ud800"


def test_the_server_follows_the_spec(tmp_path: Path, headers: dict[str, str]) -> None:
    edited = SPEC_PATH.read_text(encoding="utf-8").replace("maxLength: 256\n", "maxLength: 5\n", 1)
    assert edited != SPEC_PATH.read_text(encoding="utf-8")
    spec = tmp_path / "openapi.yaml"
    spec.write_text(edited, encoding="utf-8")
    with TestClient(create_app(api_key=API_KEY, spec_path=spec)) as edited_server:
        response = edited_server.post(
            "/v1/assistants", json={**SEED_REQUEST, "name": "123456"}, headers=headers
        )
    assert_error(response, 400)


def test_a_malformed_spec_is_a_clear_error(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: [", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid YAML"):
        create_app(spec_path=spec)
    spec.write_text("openapi: 3.1.0\npaths: {}\n", encoding="utf-8")
    with pytest.raises(SpecError, match="no operation 'createAssistant'"):
        create_app(spec_path=spec)
