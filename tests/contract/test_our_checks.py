"""How the suite compares what came back with what was sent: JSON's rules, not Python's."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.rules.checks import defined_part, open_paths
from contract_tests.rules.jsonvalues import MISSING, first_difference, same_number, show
from tests import spec_facts as facts

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
        ({"k": "v"}, {"v": "v"}, False, False),
        ({"k": "v"}, {"k": "v"}, False, True),
        ([1], [1.0], False, True),
        ([1], [True], False, False),
        ([True], [1], False, False),
        (None, None, False, True),
        ("Tutor", "tutor", False, False),
        # Numbers as JSON has them: the same double is the same number, whatever its spelling.
        ({"n": 10.0}, {"n": 10}, False, True),
        ({"n": 5.399855443719698e16}, {"n": 53998554437196980}, False, True),
        ({"n": 123456789012345678901}, {"n": 1.2345678901234568e20}, False, True),
        ({"n": 9007199254740993}, {"n": 9007199254740992}, False, True),
        ({"n": 0.1}, {"n": 0.10000000000000002}, False, False),
        ({"n": -0.0}, {"n": 0}, False, True),
        ({"n": 1}, {"n": "1"}, False, False),
    ],
)
def test_first_difference(expected: Any, actual: Any, open_objects: bool, reflects: bool) -> None:
    assert (first_difference(expected, actual, is_open=lambda _: open_objects) is None) is reflects


def test_items_are_paired_whatever_their_order() -> None:
    """A tool that also fits a richer one must not take that one's place (no greedy pairing)."""
    plain = {"type": "function", "function": {"name": "f"}}
    richer = {"type": "function", "function": {"name": "f", "description": "d"}}
    assert first_difference([plain, richer], [richer, plain], is_open=lambda _: True) is None
    assert first_difference([richer, richer], [richer, plain], is_open=lambda _: True) is not None


def test_a_number_beyond_the_double_range_is_not_compared() -> None:
    assert same_number(10**400, 0)
    assert not same_number(1e308, 1e307)


def test_the_difference_is_named_by_its_json_pointer() -> None:
    sent = {"tools": TOOLS, "metadata": {"a/b": "x"}}
    got = {"tools": [TOOLS[0], {"type": "function", "function": {"name": "g", "parameters": {"a": 1}}}]}
    difference = first_difference(sent["tools"], got["tools"], is_open=lambda _: True, pointer="/tools")
    assert difference is not None
    assert (difference.pointer, difference.expected, difference.actual) == (
        "/tools/1/function/name",
        "f",
        "g",
    )
    missing = first_difference(sent["metadata"], {}, pointer="/metadata")
    assert missing is not None and missing.pointer == "/metadata/a~1b" and missing.actual is MISSING


def test_values_are_shown_as_json() -> None:
    assert show(None) == "null"
    assert show({"a": True, "b": "\U0001f600"}) == '{"a": true, "b": "\U0001f600"}'
    assert show("x" * 200, 10) == '"xxxxxxxxx...'


def test_unknown_tool_fields_are_left_out_of_the_comparison() -> None:
    operation = facts.seed()
    properties = operation.values.properties(operation.request_schema_pointer or "")
    array_fields = [
        name
        for name, pointer in properties.items()
        if operation.values.branches(operation.values.child(pointer, "items") or pointer)
    ]
    assert array_fields, "the request has no list of tools told apart by kind"
    kinds = operation.values.branches(operation.values.child(properties[array_fields[0]], "items") or "")
    sent = [{**operation.values.example(pointer), "x-extra": 1} for _, pointer in kinds]
    kept = defined_part(operation.api, sent, properties[array_fields[0]])
    assert all("x-extra" not in tool for tool in kept)
    assert [{k: v for k, v in tool.items() if k != "x-extra"} for tool in sent] == kept


def test_only_objects_the_spec_leaves_open_may_grow() -> None:
    """A tool may come back with fields it was not sent; the caller's free-form data (a function's
    JSON Schema parameters) and maps (metadata) may not."""
    operation = facts.seed()
    values = operation.values
    for prop in facts.request_properties():
        items = values.child(prop.pointer, "items")
        if items is None or not values.branches(items):
            continue
        tools = [values.largest(branch) for _, branch in values.branches(items)]
        opened = open_paths(operation.api, tools, prop.pointer, f"/{prop.name}")
        assert opened, "no tool object is open"
        checked = 0
        for index, tool in enumerate(tools):
            grown = {**tool, "x_added_by_server": 1}
            changed = [*tools[:index], grown, *tools[index + 1 :]]
            assert (
                first_difference(tools, changed, is_open=opened.__contains__, pointer=f"/{prop.name}") is None
            ), tool
            for key, value in tool.items():
                if isinstance(value, dict):
                    for inner, data in value.items():
                        if isinstance(data, dict):  # free-form content inside a tool
                            deeper = {**tool, key: {**value, inner: {**data, "x_added_by_server": 1}}}
                            changed = [*tools[:index], deeper, *tools[index + 1 :]]
                            grew = first_difference(
                                tools, changed, is_open=opened.__contains__, pointer=f"/{prop.name}"
                            )
                            assert grew is not None, f"{key}.{inner} grew unnoticed"
                            checked += 1
        assert checked, "no free-form object inside a tool was tried"
        return
    raise AssertionError("the request has no list of several kinds")
