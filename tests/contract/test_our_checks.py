"""What `assistant_reflects_request` tolerates (list order, extra fields in tools) and what it does not."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.suite.operation import load_operation
from contract_tests.suite.our_checks import _matches, defined_part

TOOLS: list[dict[str, Any]] = [
    {"type": "code_interpreter"},
    {"type": "function", "function": {"name": "f", "parameters": {"a": 1}}},
]


@pytest.mark.parametrize(
    ("expected", "actual", "open_objects", "reflects"),
    [
        (TOOLS, list(reversed(TOOLS)), True, True),
        (TOOLS, [TOOLS[0], {**TOOLS[1], "extra": True}], True, True),
        (TOOLS, TOOLS[:1], True, False),
        (TOOLS, [TOOLS[0], {"type": "function", "function": {"name": "g"}}], True, False),
        ({"k": "v"}, {"k": "v", "added": "x"}, False, False),
        ({"k": "v"}, {"k": "v"}, False, True),
        ([1], [1.0], False, True),
        ([1], [True], False, False),
        (None, None, False, True),
        ("Tutor", "tutor", False, False),
    ],
)
def test_matches(expected: Any, actual: Any, open_objects: bool, reflects: bool) -> None:
    assert _matches(expected, actual, open_objects=open_objects) is reflects


def test_unknown_tool_fields_are_left_out_of_the_comparison() -> None:
    operation = load_operation()
    tools_schema = operation.request_schema["properties"]["tools"]
    sent = [
        {"type": "code_interpreter", "x-extra": 1},
        {"type": "function", "function": {"name": "f", "x-extra": 2, "parameters": {"anything": [1]}}},
    ]
    assert defined_part(sent, tools_schema, operation.resolve) == [
        {"type": "code_interpreter"},
        {"type": "function", "function": {"name": "f", "parameters": {"anything": [1]}}},
    ]
    metadata = {"any key": "kept"}
    assert (
        defined_part(metadata, operation.request_schema["properties"]["metadata"], operation.resolve)
        == metadata
    )
