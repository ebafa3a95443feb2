"""A flaw of a published spec affects its own operation only, and is named with its JSON pointer
(tests/fixtures/flawed.yaml: one flaw per operation, in the shapes real specs have them)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contract_tests.api.document import REPO_ROOT, node_at
from contract_tests.api.model import load_api
from contract_tests.api.needs import check_needs, warnings
from contract_tests.suite.cli import EXIT_PASS, main

FLAWED = REPO_ROOT / "tests" / "fixtures" / "flawed.yaml"

# operationId -> the JSON pointer its reason must name.
NOT_TESTABLE = {
    "createRun": "/components/schemas/CreateRunRequest/required/0",
    "getReport": "/paths/~1reports/get/responses/200/content/application~1json/schema/properties/summary"
    "/$ref",
    "listLabels": "/paths/~1labels/get/responses/200/content/application~1json/schema/minItems",
    "getSilent": "/paths/~1silent/get/responses",
}


def test_each_flaw_is_named_at_its_pointer() -> None:
    api = check_needs(FLAWED)
    pointers = {flaw.pointer for flaw in api.flaws}
    assert "/components/schemas/CreateNoteRequest/properties/tag_ids/default" in pointers
    assert "/paths/~1echo/post/operationId" in pointers
    for pointer in pointers:
        parent = pointer.rsplit("/", 1)[0]
        node_at(api.raw, parent)  # every pointer leads into the document as written


def test_a_flaw_leaves_only_its_own_operation_untestable() -> None:
    api = load_api(FLAWED)
    assert set(api.untestable) == set(NOT_TESTABLE)
    for operation_id, pointer in NOT_TESTABLE.items():
        assert pointer in api.untestable[operation_id], api.untestable[operation_id]
    judged = {op.operation_id for op in api.testable.operations}
    assert judged == {"createNote", "createPick", "createShape", "getEcho", "POST /echo"}


def test_a_default_its_schema_refuses_is_not_used() -> None:
    api = load_api(FLAWED)
    assert "tag_ids" not in api.defaults(api.operation("createNote"))


@pytest.mark.parametrize("operation_id", ["createNote", "createPick", "createShape"])
def test_values_are_built_for_every_schema_that_admits_one(operation_id: str) -> None:
    """A oneOf of required-only branches, allOf with a required-only part, not, a discriminator and a
    recursive schema: the simplest and the largest value are both valid."""
    api = load_api(FLAWED)
    op = api.operation(operation_id)
    assert op.body is not None
    pointer = op.body.schema_pointer
    for value in (api.values.minimal(pointer), api.values.largest(pointer), api.example_body(op)):
        assert api.values.is_valid(pointer, value), value


def test_warnings_say_each_flaw_and_each_untestable_operation_once() -> None:
    lines = warnings(load_api(FLAWED))
    for operation_id in NOT_TESTABLE:
        assert sum(line.startswith(f"{operation_id} is not testable:") for line in lines) == 1
    assert all("\n" not in line for line in lines)


def test_the_suite_judges_the_rest_and_says_what_it_could_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.xml"
    assert main(["--spec", str(FLAWED), "--examples", "5", "--report", str(report)]) == EXIT_PASS
    out = capsys.readouterr().out
    for operation_id, pointer in NOT_TESTABLE.items():
        assert f"NOT TESTABLE {operation_id}: {pointer}" in out
    assert "createPick (POST /picks)" in out and "RESULT: PASS" in out
    skipped = {
        case.get("name"): case.find("skipped")
        for case in ET.parse(report).getroot().iter("testcase")
        if case.get("classname") == "contract.not_testable"
    }
    assert set(skipped) == set(NOT_TESTABLE)
    for operation_id, pointer in NOT_TESTABLE.items():
        element = skipped[operation_id]
        assert element is not None and pointer in str(element.get("message"))
