"""What the project needs of a spec is said in one line by `make generate`, before any test runs."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.api.document import SPEC_PATH, SpecError, load_spec
from contract_tests.api.needs import check_needs
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


def test_the_spec_has_what_the_project_needs() -> None:
    check_needs(SPEC_PATH, strict=True)


def _error_response() -> dict[str, Any]:
    # The seed's error object, by reference to its schema wherever the spec keeps it.
    schema = {"$ref": "#" + str(facts.seed().error_schema_pointer)}
    return {"description": "An error.", "content": {"application/json": {"schema": schema}}}


def test_a_secured_operation_must_document_the_errors_every_server_gives(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        check_needs(_with_operation(tmp_path, {"404": _error_response()}), strict=True)
    message = str(caught.value)
    assert "\n" not in message and "getUsableFixture" in message
    assert "401 (a missing or wrong key)" in message
    # Documented; the operation takes no body; any text is a valid id, so nothing gets 400.
    assert "404" not in message and "415" not in message and "400" not in message


@pytest.mark.parametrize("documented", [["401", "404"], ["4XX"], ["default"]])
def test_errors_are_documented_by_number_range_or_default(tmp_path: Path, documented: list[str]) -> None:
    check_needs(_with_operation(tmp_path, {status: _error_response() for status in documented}), strict=True)


def test_make_generate_says_what_is_missing_in_one_line(tmp_path: Path) -> None:
    # scripts/generate runs the check as `python -m contract_tests.api --strict`: no traceback there either.
    spec = _with_operation(tmp_path, {"404": _error_response()})
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests.api", "--strict", str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: getUsableFixture"), done.stderr
