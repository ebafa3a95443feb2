"""The structural diff and the JSON pointers of the rows."""

from __future__ import annotations

from contract_tests.compat.diff import ABSENT, Change, diff
from contract_tests.compat.document import REQUEST, RESPONSE, contexts, pointer_at, usages
from contract_tests.spec import load_spec


def test_a_field_and_its_required_entry_are_one_change() -> None:
    older = {"type": "object", "required": ["a", "b"], "properties": {"a": {}, "b": {}}}
    newer = {"type": "object", "required": ["a"], "properties": {"a": {}}}
    assert diff(older, newer) == [Change("/properties/b", {}, ABSENT, field_required=False)]


def test_reordering_an_enum_changes_nothing() -> None:
    assert diff({"enum": ["a", "b"]}, {"enum": ["b", "a"]}) == []


def test_a_field_named_description_is_not_documentation() -> None:
    field = Change("/components/schemas/X/properties/description", ABSENT, {}, field_required=False)
    assert not field.is_documentation
    assert Change("/components/schemas/X/properties/description/description", "a", "b").is_documentation


def test_pointer_at_a_line_and_column_escapes_slashes() -> None:
    text = "paths:\n  /v1/assistants:\n    post: {}\n"
    assert pointer_at(text, 3, 5) == "/paths/~1v1~1assistants/post"
    assert pointer_at(text, 3, 6) is None


def test_shared_components_are_used_in_requests_and_responses() -> None:
    usage = usages(load_spec())
    assert contexts("/components/schemas/FunctionDefinition/properties/name", usage) == {REQUEST, RESPONSE}
    assert contexts("/components/schemas/CreateAssistantRequest/properties/name", usage) == {REQUEST}
    assert contexts("/components/schemas/ResponseFormatObject/properties/type", usage) == {RESPONSE}
