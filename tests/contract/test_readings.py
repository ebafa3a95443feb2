"""The suite judges a server of tests/fixtures/readings.yaml (a 3.1 spec of the shapes real specs take:
a `$ref` with siblings, a body in two media types, a time the client sets, a delete that answers the
deleted object, a page size of at least 5) as the spec reads: a conforming server passes, a broken one
fails the check it breaks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from contract_tests.api.document import REPO_ROOT
from contract_tests.gallery import GALLERY
from contract_tests.gallery.conforming import CONFORMING
from contract_tests.gallery.rewrite import Reply, Request, Rewrite
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.results import RunResult
from contract_tests.suite.runner import run_suite
from tests.contract.conftest import API_KEY

READINGS = REPO_ROOT / "tests" / "fixtures" / "readings.yaml"


@pytest.mark.parametrize("name", ["the reference server", "ties_newest_first"])
def test_a_conforming_server_passes(name: str) -> None:
    app = (
        create_app(api_key=API_KEY, spec_path=READINGS)
        if name == "the reference server"
        else CONFORMING[name](create_app, API_KEY, READINGS)
    )
    with serve_in_thread(app) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=5, spec_path=READINGS))
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures
    walked = result.operations["listThings"].checks
    judged = {name for name, check in walked.items() if check.cases}
    assert "list_pages_consistent" in judged, "the list was not walked page by page"


def test_a_list_of_objects_that_show_no_time_may_order_a_second_its_own_way(tmp_path: Path) -> None:
    """Objects with no time field, listed by a time the server keeps to itself, ties newest first: only
    the anchor, made a second before the rest, has a place the run can know."""
    document = yaml.safe_load(READINGS.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    del schemas["Base"]["properties"]["created_at"]
    schemas["Thing"]["required"].remove("created_at")
    spec = tmp_path / "untimed.yaml"
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = _run(CONFORMING["ties_newest_first"](create_app, API_KEY, spec), spec)
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures
    assert result.operations["listThings"].checks["list_pages_consistent"].cases


def test_a_page_after_an_object_that_leaves_out_its_second_fails() -> None:
    server = GALLERY["same_second_skipped"]
    with serve_in_thread(server.build(create_app, API_KEY, READINGS)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=5, spec_path=READINGS))
    assert "list_pages_consistent" in result.failed_checks


def test_a_full_page_of_a_list_with_no_cursor_is_not_its_end(tmp_path: Path) -> None:
    """A list of two at most, oldest first, with no cursor to page on: an object made after the first two is
    on no page the run can read, which says nothing against the server."""
    document = yaml.safe_load(READINGS.read_text(encoding="utf-8"))
    parameters = document["paths"]["/things"]["get"]["parameters"]
    document["paths"]["/things"]["get"]["parameters"] = [p for p in parameters if p["name"] != "after"]
    for parameter in parameters:
        if parameter["name"] == "limit":
            parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 2, "default": 2}
        if parameter["name"] == "order":
            parameter["schema"]["default"] = "asc"
    spec = tmp_path / "unpaged.yaml"
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    with serve_in_thread(create_app(api_key=API_KEY, spec_path=spec)) as base_url:
        result = run_suite(SuiteConfig(base_url, API_KEY, examples=5, spec_path=spec))
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed, failures
    assert result.operations["listThings"].checks["list_shows_resources"].cases


def _as_real_specs_write_it(tmp_path: Path) -> Path:
    """The readings spec as others write it: a `before` cursor, a creation time as RFC 3339 text, a time the
    client gives typed `format: unixtime`, the body also taken as text, a flag only prose says streams, a
    delete that answers a confirmation whose `object` names another type."""
    document = yaml.safe_load(READINGS.read_text(encoding="utf-8"))
    things = document["paths"]["/things"]
    things["get"]["parameters"].append({"name": "before", "in": "query", "schema": {"type": "string"}})
    things["post"]["requestBody"]["content"]["text/plain"] = {"schema": {"type": "string", "maxLength": 64}}
    schemas = document["components"]["schemas"]
    schemas["Base"]["properties"]["created_at"] = {"type": "string", "format": "date-time"}
    for name in ("CreateThing", "Thing"):
        schemas[name]["properties"]["due_at"]["format"] = "unixtime"
    schemas["CreateThing"]["properties"]["stream"] = {
        "type": "boolean",
        "description": "If set, the thing is sent back as data-only server-sent events.",
    }
    schemas["Deleted"] = {
        "type": "object",
        "required": ["id", "object", "deleted"],
        "properties": {
            "id": {"type": "string"},
            "object": {"type": "string", "example": "thing.deleted"},
            "deleted": {"type": "boolean"},
        },
    }
    deleted = document["paths"]["/things/{thing_id}"]["delete"]["responses"]["200"]
    deleted["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/Deleted"}
    spec = tmp_path / "as-written.yaml"
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    return spec


def _run(app: Any, spec: Path) -> RunResult:
    with serve_in_thread(app) as base_url:
        return run_suite(SuiteConfig(base_url, API_KEY, examples=5, spec_path=spec))


def test_the_reference_server_passes_the_spec_as_others_write_it(tmp_path: Path) -> None:
    """Every case of the run judged: a `before` page, a text body, a client's time, a stream asked for;
    and its delete answers the confirmation's own `object`, not the deleted object's."""
    spec = _as_real_specs_write_it(tmp_path)
    result = _run(create_app(api_key=API_KEY, spec_path=spec), spec)
    failures = {check: [f.reason for f in result.checks[check].failures] for check in result.failed_checks}
    assert result.passed and not result.not_testable, failures
    assert result.operations["listThings"].checks["list_pages_consistent"].cases
    with serve_in_thread(create_app(api_key=API_KEY, spec_path=spec)) as base_url:
        auth = {"Authorization": f"Bearer {API_KEY}"}
        made = httpx.post(f"{base_url}/v1/things", json={"name": "a"}, headers=auth).json()
        gone = httpx.delete(f"{base_url}/v1/things/{made['id']}", headers=auth).json()
    assert gone["id"] == made["id"] and gone["object"] != made["object"], gone


def test_a_page_before_an_object_read_as_after_it_fails(tmp_path: Path) -> None:
    spec = _as_real_specs_write_it(tmp_path)

    def as_after(request: Request) -> Request:
        request.query = request.query.replace("before=", "after=")
        return request

    result = _run(Rewrite(create_app(api_key=API_KEY, spec_path=spec), request=as_after), spec)
    reasons = [f.reason for f in result.checks["list_pages_consistent"].failures]
    assert any("before=" in reason or "comes after" in reason for reason in reasons), result.failed_checks


def test_a_server_that_fails_the_stream_only_prose_promises_fails(tmp_path: Path) -> None:
    """A flag the spec says streams, with no stream listed: `stream: true` is still a valid request."""
    spec = _as_real_specs_write_it(tmp_path)

    def fails_streams(request: Request) -> Request | Reply:
        streamed = b'"stream": true' in request.body or b'"stream":true' in request.body
        return (
            Reply(500, {"content-type": "application/json"}, b'{"error": {"message": "boom"}}')
            if streamed
            else request
        )

    result = _run(Rewrite(create_app(api_key=API_KEY, spec_path=spec), request=fails_streams), spec)
    labels = [failure.label for check in result.checks.values() for failure in check.failures]
    assert any("stream: true" in label for label in labels), labels
