"""The structural diff and the JSON pointers of the rows."""

from __future__ import annotations

from typing import Any

from contract_tests.compat.diff import ABSENT, Change, diff
from contract_tests.compat.document import REQUEST, RESPONSE, contexts, pointer_at, usages
from contract_tests.spec import deref, escape_pointer, load_spec


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
    document = load_spec()
    # The operation with a request body, its request schema and its success response's schema.
    path, method, operation = next(
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    )
    request_ref = deref(document, operation["requestBody"])["content"]["application/json"]["schema"]["$ref"]
    success = next(status for status in operation["responses"] if str(status).startswith("2"))
    response = deref(document, operation["responses"][success])
    response_ref = response["content"]["application/json"]["schema"]["$ref"]
    request_schema, response_schema = (
        deref(document, {"$ref": request_ref}),
        deref(document, {"$ref": response_ref}),
    )
    usage = usages(document)
    request_only = next(iter(request_schema["properties"]))
    response_only = next(iter(response_schema["properties"]))
    assert contexts(f"{request_ref[1:]}/properties/{escape_pointer(request_only)}", usage) == {REQUEST}
    assert contexts(f"{response_ref[1:]}/properties/{escape_pointer(response_only)}", usage) == {RESPONSE}
    # A component that both refer to (the tools' items) is used in both.
    shared = _refs(request_schema) & _refs(response_schema)
    assert shared, f"no component shared by {request_ref} and {response_ref} of {method.upper()} {path}"
    for ref in shared:
        assert contexts(ref[1:], usage) == {REQUEST, RESPONSE}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node))
    return set()
