"""What `assistant_reflects_request` tolerates (list order, extra fields in tools) and what it does not."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.suite.our_checks import _matches

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
