"""The structural diff and the JSON pointers of the rows."""

from __future__ import annotations

from typing import Any

from contract_tests.api.document import deref, escape_pointer, load_spec
from contract_tests.compat.diff import ABSENT, Change, diff
from contract_tests.compat.document import REQUEST, RESPONSE, contexts, pointer_at, usages


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


def _tools(*names: str, mapped: bool = True) -> dict[str, Any]:
    """A document with a `Tool` oneOf of the named schemas, each in components."""
    schemas: dict[str, Any] = {
        name: {"type": "object", "properties": {"type": {"enum": [name]}}} for name in names
    }
    schemas["Tool"] = {"oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in names]}
    if mapped:
        mapping = {name.lower(): f"#/components/schemas/{name}" for name in names}
        schemas["Tool"]["discriminator"] = {"propertyName": "type", "mapping": mapping}
    return {"components": {"schemas": schemas}}


def test_a_new_branch_with_its_schema_and_mapping_entry_is_one_change() -> None:
    (change,) = diff(_tools("A", "B"), _tools("A", "B", "C"))
    assert change.pointer == "/components/schemas/Tool/oneOf"
    assert set(change.pointers) == {
        "/components/schemas/Tool/oneOf",
        "/components/schemas/Tool/discriminator/mapping/c",
        "/components/schemas/C",
    }
    assert change.summary() == '+C, with mapping "c" and new schema C'


def test_a_removed_branch_with_its_schema_and_mapping_entry_is_one_change() -> None:
    (change,) = diff(_tools("A", "B", "C"), _tools("A", "C"))
    assert change.pointer == "/components/schemas/Tool/oneOf"
    assert change.summary() == '-B, with mapping "b" removed and schema B removed'


def test_a_renamed_branch_is_one_change_with_its_mapping_entry_and_schema() -> None:
    older, newer = _tools("A", "B"), _tools("A", "C")
    newer["components"]["schemas"]["C"] = older["components"]["schemas"]["B"]
    newer["components"]["schemas"]["Tool"]["discriminator"]["mapping"] = {
        "a": "#/components/schemas/A",
        "b": "#/components/schemas/C",
    }
    (change,) = diff(older, newer)
    assert change.summary() == '+C, -B, with mapping "b" edited and schema B removed and new schema C'


def test_reordering_branches_changes_nothing() -> None:
    reordered = _tools("B", "A")
    assert diff(_tools("A", "B"), reordered) == []


def test_a_new_component_that_nothing_uses_is_its_own_change() -> None:
    newer = _tools("A")
    newer["components"]["schemas"]["Unused"] = {"type": "string"}
    (change,) = diff(_tools("A"), newer)
    assert (change.pointer, change.summary()) == ("/components/schemas/Unused", "schema added: Unused")


def test_a_new_component_goes_with_the_new_reference_to_it() -> None:
    older = {"components": {"schemas": {"Thing": {"type": "object"}}}}
    newer = {"components": {"schemas": {"Thing": {"$ref": "#/components/schemas/Base"}, "Base": {}}}}
    changes = diff(older, newer)
    assert [(change.pointer, change.summary()) for change in changes] == [
        ("/components/schemas/Thing/$ref", 'added: "#/components/schemas/Base", with new schema Base'),
        ("/components/schemas/Thing/type", 'removed: "object"'),
    ]


def test_a_new_parameter_is_one_change_at_the_list_whatever_the_order() -> None:
    beta = {"name": "Beta", "in": "header"}
    org = {"name": "Org", "in": "header", "schema": {"type": "string"}}
    older = {"paths": {"/x": {"get": {"parameters": [beta]}}}}
    newer = {"paths": {"/x": {"get": {"parameters": [org, beta]}}}}
    (change,) = diff(older, newer)
    assert (change.pointer, change.summary()) == ("/paths/~1x/get/parameters", "+header parameter Org")


def test_an_edited_parameter_is_compared_in_depth_at_its_new_position() -> None:
    older = {"parameters": [{"name": "a", "in": "query"}, {"name": "b", "in": "query", "required": False}]}
    newer = {"parameters": [{"name": "b", "in": "query", "required": True}, {"name": "a", "in": "query"}]}
    assert diff(older, newer) == [Change("/parameters/0/required", False, True)]


def test_a_new_operation_is_one_change() -> None:
    operation = {"responses": {"200": {"description": "ok"}}}
    (change,) = diff({"paths": {}}, {"paths": {"/x/{id}": {"get": operation}}})
    assert (change.pointer, change.summary()) == ("/paths/~1x~1{id}", "operation added: GET /x/{id}")


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
