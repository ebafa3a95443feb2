"""`make compat` on specs in the shape of published ones (tests/compat/published/, written for the
project after OpenAI's openapi.yaml of April and May 2024): compared as they are, each change
classified by its own findings and the same union edit judged alike wherever it is made.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from contract_tests.api.document import parse_yaml
from contract_tests.api.flaws import find_flaws
from contract_tests.compat.compare import Comparison, Row, SpecText, compare
from contract_tests.compat.document import segments
from contract_tests.compat.table import class_of

PUBLISHED = Path(__file__).with_name("published")
BASE, SPEC = PUBLISHED / "2024-04.yaml", PUBLISHED / "2024-05.yaml"
TOOLS = "/components/schemas/{}/properties/tools/items/oneOf"
# Every row of the comparison, with its class.
EXPECTED = {
    "/paths/~1assistants~1{assistant_id}~1files": "breaks clients",  # an operation removed
    "/paths/~1threads~1{thread_id}~1messages~1{message_id}/delete": "breaks servers",  # one added
    # The retrieval tool replaced by file search: in a response and two request bodies alike.
    TOOLS.format("AssistantObject"): "breaks clients, breaks servers",
    TOOLS.format("CreateAssistantRequest"): "breaks clients, breaks servers",
    TOOLS.format("ModifyAssistantRequest"): "breaks clients, breaks servers",
    "/components/schemas/AssistantToolsFileSearch": "compatible",  # the branches that use it decide
    "/components/schemas/AssistantToolsRetrieval": "compatible",
    "/components/schemas/AssistantObject/properties/tool_resources": "breaks servers",
    "/components/schemas/AssistantObject/properties/file_ids": "breaks clients",
    "/components/schemas/AssistantObject/properties/temperature": "compatible",
    "/components/schemas/ModifyAssistantRequest/properties/file_ids": "breaks clients",
    "/components/schemas/RunObject/properties/status/enum": "breaks clients",
    # Only createRun reaches it, and no request of createRun is valid (a flaw of both documents).
    "/components/schemas/CreateRunRequest/properties/temperature": "not testable",
}
FLAW = "/components/schemas/CreateRunRequest/required/0"


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(
        SpecText(BASE.read_text(encoding="utf-8"), str(BASE)),
        SpecText(SPEC.read_text(encoding="utf-8"), str(SPEC)),
    )


def test_the_documents_have_the_shapes_of_the_published_ones() -> None:
    for path in (BASE, SPEC):
        text = path.read_text(encoding="utf-8")
        with pytest.raises(yaml.composer.ComposerError, match="found duplicate anchor"):
            yaml.safe_load(text)  # an anchor defined twice
        document = parse_yaml(text)
        flaws = {flaw.pointer: flaw for flaw in find_flaws(document, document)}
        assert flaws[FLAW].blocks, "a schema that no request satisfies"
    older = parse_yaml(BASE.read_text(encoding="utf-8"))
    default = "/components/schemas/ModifyAssistantRequest/properties/file_ids/default"
    assert not {flaw.pointer: flaw for flaw in find_flaws(older, older)}[default].blocks


def test_each_change_gets_its_class(comparison: Comparison) -> None:
    assert {row.pointer: class_of(row) for row in comparison.rows} == EXPECTED
    assert len(comparison.rows) == len(EXPECTED), "one row per change"


def test_the_untestable_operation_is_said_with_its_flaw(comparison: Comparison) -> None:
    said = {(operation.label, operation.origin): operation.reason for operation in comparison.untestable}
    assert set(said) == {("createRun (POST /threads/{thread_id}/runs)", str(path)) for path in (BASE, SPEC)}
    assert all(reason.startswith(f"{FLAW}: ") for reason in said.values())
    (row,) = [row for row in comparison.rows if not row.testable]
    assert row.impacts == frozenset() and all(FLAW in reason for reason in row.reasons)


def test_the_same_union_edit_is_judged_alike_wherever_it_is_made(comparison: Comparison) -> None:
    rows = [row for row in comparison.rows if row.pointer.endswith("/tools/items/oneOf")]
    assert len(rows) == 3
    assert len({row.impacts for row in rows}) == 1
    assert all("rule: branches of a union" in row.reasons for row in rows)


def test_each_finding_is_a_reason_of_the_row_it_names(comparison: Comparison) -> None:
    """A Specmatic finding names a place (its breadcrumb): it is a reason of a row there, and never of
    a row elsewhere (the assistant's new optional field has none; the removed request field only the
    project's rule)."""
    for row in comparison.rows:
        field = _last_property(row)
        for reason in _findings(row):
            crumb = re.search(r" at ((?:REQUEST|RESPONSE)\.\S+(?: \(when [^)]*\)\S*)*)", reason)
            if crumb is None:  # "This API exists in the new contract but not in the old": the operation
                assert row.pointer.startswith("/paths/"), (row.pointer, reason)
                continue
            names = re.findall(r"[A-Za-z_]\w*", crumb.group(1).split(".", 2)[2])
            assert field in names, f"{row.pointer} has another place's finding: {reason}"
    by_pointer = {row.pointer: row for row in comparison.rows}
    assert by_pointer["/components/schemas/AssistantObject/properties/temperature"].reasons == ()
    assert by_pointer["/components/schemas/ModifyAssistantRequest/properties/file_ids"].reasons == (
        "rule: closed request schema",
    )


def _last_property(row: Row) -> str:
    parts = segments(row.pointer)
    names = [parts[index + 1] for index, part in enumerate(parts[:-1]) if part == "properties"]
    return names[-1] if names else parts[-1]


def _findings(row: Row) -> list[str]:
    return [reason for reason in row.reasons if reason.startswith("Specmatic") and "(overruled" not in reason]
