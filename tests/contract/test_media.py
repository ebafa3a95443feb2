"""Every media type a real API uses (tests/fixtures/media.yaml: an upload and its download, speech sent
chunked, a completion streamed on request, a form, text, objects no request creates), through the
reference server and the suite: the server passes its own suite, answers what a client can use, and
each broken server of the media gallery fails with its rule named."""

from __future__ import annotations

import json

import httpx
import pytest

from contract_tests.api.document import REPO_ROOT
from contract_tests.api.media import parse_events
from contract_tests.api.model import load_api
from contract_tests.gallery.conforming import CONFORMING
from contract_tests.gallery.media import MEDIA_GALLERY
from contract_tests.gallery.rewrite import Reply, Request, Rewrite
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.runner import run_suite
from tests.contract.conftest import API_KEY, EXAMPLES

MEDIA = REPO_ROOT / "tests" / "fixtures" / "media.yaml"
HEADERS = {"Authorization": f"Bearer {API_KEY}"}


def test_the_reference_server_of_it_passes_and_reaches_every_operation() -> None:
    with serve_in_thread(create_app(api_key=API_KEY, spec_path=MEDIA)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=MEDIA))
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures
    unreached = {operation.operation_id: why for operation, why in result.unreached}
    # deleteFile is reached on the run's own uploads; only what no request can reach is left.
    assert unreached == {}, unreached


@pytest.mark.parametrize("name", sorted(MEDIA_GALLERY))
def test_each_media_defect_is_caught_by_its_rule(name: str) -> None:
    server = MEDIA_GALLERY[name]
    assert server.applies(load_api(MEDIA)), f"{name} breaks nothing of {MEDIA.name}"
    with serve_in_thread(server.build(create_app, API_KEY, MEDIA)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, timeout=5.0, spec_path=MEDIA))
    assert server.caught_by in result.failed_checks, f"{name} ({server.defect}) failed {result.failed_checks}"
    failure = result.checks[server.caught_by].failures[0]
    assert failure.reason and "curl" in failure.details


def test_an_upload_is_judged_part_by_part_and_downloads_as_sent() -> None:
    content = bytes(range(256)) * 4
    with serve_in_thread(create_app(api_key=API_KEY, spec_path=MEDIA)) as base_url, httpx.Client() as client:
        missing = client.post(f"{base_url}/v1/files", headers=HEADERS, files={"file": ("a.bin", content)})
        assert missing.status_code == 400
        assert "/purpose" in missing.json()["error"]["message"]
        made = client.post(
            f"{base_url}/v1/files",
            headers=HEADERS,
            files={"file": ("notes.jsonl", content, "application/jsonl")},
            data={"purpose": "fine-tune"},
        )
        assert made.status_code == 200, made.text
        file = made.json()
        assert file["bytes"] == len(content) and file["filename"] == "notes.jsonl"
        down = client.get(f"{base_url}/v1/files/{file['id']}/content", headers=HEADERS)
        assert down.status_code == 200 and down.headers["content-type"] == "application/octet-stream"
        assert down.content == content


def test_speech_comes_chunked_and_a_stream_ends_with_its_last_event() -> None:
    with serve_in_thread(create_app(api_key=API_KEY, spec_path=MEDIA)) as base_url, httpx.Client() as client:
        speech = client.post(
            f"{base_url}/v1/audio/speech",
            headers=HEADERS,
            json={"model": "m", "input": "hi", "voice": "alloy"},
        )
        assert speech.status_code == 200 and speech.headers["content-type"] == "audio/mpeg"
        assert speech.headers.get("transfer-encoding") == "chunked" and "content-length" not in speech.headers
        assert len(speech.content) > 0
        body = {"model": "m", "prompt": "hi", "stream": True}
        streamed = client.post(f"{base_url}/v1/completions", headers=HEADERS, json=body)
        assert streamed.headers["content-type"].startswith("text/event-stream")
        stream = parse_events(streamed.content)
        assert stream.complete and stream.events[-1].data == "[DONE]"
        chunks = [json.loads(event.data) for event in stream.events[:-1]]
        assert chunks and all(
            chunk["object"] == "text_completion.chunk" and chunk["choices"] for chunk in chunks
        )
        single = client.post(f"{base_url}/v1/completions", headers=HEADERS, json={**body, "stream": False})
        assert single.headers["content-type"] == "application/json"
        assert single.json()["choices"][0]["text"], "a completion's text a program can read"


def test_objects_no_request_creates_are_there_and_realistic() -> None:
    with serve_in_thread(create_app(api_key=API_KEY, spec_path=MEDIA)) as base_url, httpx.Client() as client:
        listed = client.get(f"{base_url}/v1/models", headers=HEADERS).json()["data"]
        assert listed, "a list of objects no request can create is not empty"
        model = client.get(f"{base_url}/v1/models/{listed[0]['id']}", headers=HEADERS)
        assert model.status_code == 200 and model.json() == listed[0]
        assert model.json()["created"] > 1_600_000_000 and model.json()["owned_by"]
        assert client.get(f"{base_url}/v1/models/no-such-model", headers=HEADERS).status_code == 404


def test_a_server_holding_to_bounds_stated_in_prose_only_passes() -> None:
    """`limit` "can range between 1 and 100" in its description only: a server that refuses 101 with the
    documented error keeps the spec, and so does the reference server, which takes it."""
    holds = CONFORMING["holds_prose_bounds"]
    with serve_in_thread(holds(create_app, API_KEY, MEDIA)) as base_url:
        with httpx.Client() as client:
            beyond = client.get(f"{base_url}/v1/files", params={"limit": 101}, headers=HEADERS)
            assert beyond.status_code == 400, "the server does not hold to the bound"
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=MEDIA))
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures
    assert any("Limit can range between 1 and 100" in note for note in result.notes)


def test_a_refused_value_the_schema_leaves_unbounded_is_a_warning_not_a_failure() -> None:
    """A server that refuses a negative `max_tokens` (its schema states no minimum) with the documented
    error: a warning that asks for the bound in the schema, not a failure."""

    def no_negative_tokens(request: Request) -> Request | Reply:
        try:
            body = json.loads(request.body)
        except ValueError:
            return request
        keyed = request.headers.get("authorization") == f"Bearer {API_KEY}"
        if (
            keyed
            and isinstance(body, dict)
            and isinstance(body.get("max_tokens"), int)
            and body["max_tokens"] < 0
        ):
            error = {
                "error": {
                    "message": "max_tokens",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            }
            return Reply(400, {"content-type": "application/json"}, json.dumps(error).encode())
        return request

    with serve_in_thread(
        Rewrite(create_app(api_key=API_KEY, spec_path=MEDIA), request=no_negative_tokens)
    ) as url:
        result = run_suite(
            SuiteConfig(url, API_KEY, examples=EXAMPLES, spec_path=MEDIA, operations=("createCompletion",))
        )
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures
    warned = result.checks["valid_request_accepted"].warnings
    assert warned and all(
        "/max_tokens" in warning.reason and "minimum" in warning.reason for warning in warned
    )
