"""What the project asks of a spec it serves and generates a client from is said by `make generate`, one
warning a line, before any test runs; only a spec with nothing testable is refused."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.api.document import SPEC_PATH, load_spec
from contract_tests.api.needs import check_needs, warnings
from tests import spec_facts as facts

# A path no edit of the spec takes: the operation added here is the test's own.
FIXTURE_PATH = "/v1/x-usable-fixtures/{fixture_id}"


def _with_operation(tmp_path: Path, responses: dict[str, Any]) -> Path:
    document = copy.deepcopy(load_spec(SPEC_PATH))
    success = {"description": "Found.", "content": {"application/json": {"schema": {"type": "object"}}}}
    document["paths"][FIXTURE_PATH] = {
        "get": {
            "operationId": "getUsableFixture",
            "summary": "A fixture.",
            "description": "A fixture.",
            "parameters": [
                {"name": "fixture_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": success, **responses},
        }
    }
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_the_spec_has_what_the_project_asks() -> None:
    api = check_needs(SPEC_PATH)
    assert not api.flaws and not api.untestable
    assert warnings(api, strict=True) == []


def _error_response() -> dict[str, Any]:
    # The seed's error object, by reference to its schema wherever the spec keeps it.
    schema = {"$ref": "#" + str(facts.seed().error_schema_pointer)}
    return {"description": "An error.", "content": {"application/json": {"schema": schema}}}


def test_a_secured_operation_without_its_errors_documented_is_a_warning(tmp_path: Path) -> None:
    api = check_needs(_with_operation(tmp_path, {"404": _error_response()}))
    said = [line for line in warnings(api, strict=True) if "getUsableFixture" in line]
    assert len(said) == 1 and "\n" not in said[0]
    assert "401 (a missing or wrong key)" in said[0] and "HTTP's rules" in said[0]
    # Documented; the operation takes no body; any text is a valid id, so nothing gets 400.
    assert "404" not in said[0] and "415" not in said[0] and "400" not in said[0]
    assert not [line for line in warnings(api) if "getUsableFixture" in line], "a user's spec: no warning"


@pytest.mark.parametrize("documented", [["401", "404"], ["4XX"], ["default"]])
def test_errors_are_documented_by_number_range_or_default(tmp_path: Path, documented: list[str]) -> None:
    api = check_needs(_with_operation(tmp_path, {status: _error_response() for status in documented}))
    assert not [line for line in warnings(api, strict=True) if "getUsableFixture" in line]


def test_make_generate_warns_in_one_line_each_and_goes_on(tmp_path: Path) -> None:
    # scripts/generate runs the check as `python -m contract_tests.api --strict`: no traceback there either.
    spec = _with_operation(tmp_path, {"404": _error_response()})
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests.api", "--strict", str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("warning: getUsableFixture"), done.stderr


def test_a_document_that_is_not_openapi_is_refused_in_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests.api", "--strict", str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Swagger 2.0" in done.stderr, done.stderr
