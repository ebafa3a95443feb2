"""A server mounted under a prefix (`/api`, `/prefix/v1`) is judged as at the root: a request's path is
matched to its operation whatever prefix is before the spec's path, so that its path parameters are read
right (they had looked missing, and any 4xx passed); the suite passes a conforming server so mounted and
fails a broken one on the check that fails it at the root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract_tests.api.document import SPEC_PATH
from contract_tests.api.model import Api, build_api, load_api
from contract_tests.gallery import GALLERY
from contract_tests.gallery.mounted import Mounted
from contract_tests.rules.exchange import Sent
from contract_tests.rules.requests import parameter_violations, path_values
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.runner import run_suite
from tests.contract.conftest import API_KEY, EXAMPLES


def _get(summary: str, *parameters: str) -> dict[str, Any]:
    return {
        "operationId": summary,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in parameters
        ],
        "responses": {"200": {"description": "ok"}},
    }


def _api() -> Api:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "paths", "version": "1"},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": {
            "/things": {"get": _get("listThings")},
            "/things/{thing_id}": {"get": _get("getThing", "thing_id")},
            "/things/search": {"get": _get("searchThings")},
            "/files/{file_id}": {"get": _get("getFile", "file_id")},
            "/things/{thing_id}/files/{file_id}": {"get": _get("getThingFile", "thing_id", "file_id")},
        },
    }
    return build_api(document, Path("paths.yaml"))


@pytest.mark.parametrize("prefix", ["", "/v1", "/api", "/api/v1", "/prefix/v1"])
@pytest.mark.parametrize(
    ("path", "operation", "values"),
    [
        ("/things", "listThings", {}),
        ("/things/t%201", "getThing", {"thing_id": "t 1"}),
        ("/things/search", "searchThings", {}),
        ("/files/f1", "getFile", {"file_id": "f1"}),
        ("/things/t1/files/f1", "getThingFile", {"thing_id": "t1", "file_id": "f1"}),
    ],
)
def test_a_path_is_matched_whatever_its_prefix(
    prefix: str, path: str, operation: str, values: dict[str, str]
) -> None:
    found = _api().match("GET", prefix + path)
    assert found is not None
    assert (found[0].operation_id, found[1]) == (operation, values)


def test_given_prefixes_only_they_are_served() -> None:
    api = _api()
    assert api.match("GET", "/v1/things/t1", prefixes=("", "/v1")) is not None
    assert api.match("GET", "/things/t1", prefixes=("", "/v1")) is not None
    assert api.match("GET", "/v1/v1/things/t1", prefixes=("", "/v1")) is None
    assert api.match("GET", "/api/things/t1", prefixes=("", "/v1")) is None
    assert api.prefix_of("/v1/things/t1", ("/v1", "")) == "/v1"
    assert api.prefix_of("/things/t1", ("/v1", "")) == ""
    assert api.prefix_of("/elsewhere/things/t1", ("/v1", "")) is None


@pytest.mark.parametrize("prefix", ["", "/v1", "/api", "/api/v1"])
def test_the_request_rules_read_path_parameters_under_any_prefix(prefix: str) -> None:
    api = _api()
    op = api.operation("getThingFile")
    assert path_values(api, op, f"{prefix}/things/t1/files/f1") == {"thing_id": "t1", "file_id": "f1"}
    sent = Sent("GET", f"http://127.0.0.1{prefix}/things/t1/files/f1", [])
    assert parameter_violations(api, op, sent) == []
    wrong = Sent("GET", f"http://127.0.0.1{prefix}/things/t1/files/f1", [])
    assert parameter_violations(api, api.operation("getThing"), wrong), "another operation's path passed"
    empty = Sent("GET", f"http://127.0.0.1{prefix}/things/t1/files/", [])  # no file id: not this path
    missing = {violation.where for violation in parameter_violations(api, op, empty)}
    assert missing == {"path parameter thing_id", "path parameter file_id"}


def test_a_conforming_server_under_a_prefix_with_the_servers_path_in_the_base_url_passes(
    resource_spec: Path,
) -> None:
    """Mounted under /prefix, judged at .../prefix/v1: the base URL already ends with the spec's base
    path, so the suite adds nothing to it."""
    mounted = Mounted(create_app(api_key=API_KEY, spec_path=resource_spec), "/prefix")
    with serve_in_thread(mounted) as url:
        assert url.endswith("/prefix")
        result = run_suite(
            SuiteConfig(
                url + load_api(resource_spec).base_path, API_KEY, examples=EXAMPLES, spec_path=resource_spec
            )
        )
    assert result.passed, {check: result.checks[check].failures[0].reason for check in result.failed_checks}


def test_a_broken_server_fails_the_same_check_at_the_root_as_under_its_prefix(resource_spec: Path) -> None:
    server = GALLERY["update_refused_under_a_prefix"]
    mounted = server.build(create_app, API_KEY, resource_spec)
    assert isinstance(mounted, Mounted)
    for app in (mounted.app, mounted):  # the same server at the root, then under /api
        with serve_in_thread(app) as url:
            result = run_suite(SuiteConfig(url, API_KEY, examples=EXAMPLES, spec_path=resource_spec))
        assert server.caught_by in result.failed_checks, (url, result.failed_checks)
    assert SPEC_PATH.exists()
