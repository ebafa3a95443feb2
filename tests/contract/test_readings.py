"""The suite judges a server of tests/fixtures/readings.yaml (a 3.1 spec of the shapes real specs take:
a `$ref` with siblings, a body in two media types, a time the client sets, a delete that answers the
deleted object, a page size of at least 5) as the spec reads: a conforming server passes, a broken one
fails the check it breaks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from contract_tests.api.document import REPO_ROOT
from contract_tests.gallery import GALLERY
from contract_tests.gallery.conforming import CONFORMING
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
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
