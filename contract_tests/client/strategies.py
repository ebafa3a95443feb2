"""Hypothesis strategies for the JSON the spec allows, taken from spec/openapi.yaml and nothing else.

Request bodies come from schemathesis (the same generator the contract suite uses); response bodies
come from hypothesis-jsonschema, which needs a self-contained schema, so `inline_schema` resolves the
spec's local `$ref`s first.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import schemathesis
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from schemathesis import GenerationMode

from contract_tests.spec import SPEC_PATH, inline_refs, spec

OPERATION_PATH = "/v1/assistants"
OPERATION_METHOD = "POST"
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
JSON_OBJECTS = st.dictionaries(st.text(max_size=8), JSON_SCALARS, max_size=3)


def operation() -> dict[str, Any]:
    """The spec's createAssistant operation object."""
    found: dict[str, Any] = spec()["paths"][OPERATION_PATH][OPERATION_METHOD.lower()]
    return found


def inline_schema(schema: Any, document: dict[str, Any] | None = None) -> Any:
    """`schema` with every local `$ref` replaced by the schema it points to."""
    return inline_refs(spec() if document is None else document, schema)


def _json_object(value: Any) -> dict[str, Any]:
    """`value`, which an object schema generated, typed as the JSON object it is."""
    if not isinstance(value, dict):
        raise TypeError(f"an object schema generated {type(value).__name__}, not an object")
    return value


def component_schema(name: str) -> dict[str, Any]:
    """`#/components/schemas/<name>`, self-contained."""
    inlined: dict[str, Any] = inline_schema(spec()["components"]["schemas"][name])
    return inlined


@functools.cache
def request_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Every valid CreateAssistantRequest body, drawn by schemathesis from the operation."""
    schema = schemathesis.openapi.from_path(str(SPEC_PATH))
    cases = schema[OPERATION_PATH][OPERATION_METHOD].as_strategy(generation_mode=GenerationMode.POSITIVE)
    return cases.map(lambda case: _json_object(case.body))


@functools.cache
def tool_kinds() -> dict[str, dict[str, Any]]:
    """Each tool's `type` value mapped to its self-contained schema, from AssistantTool's discriminator."""
    mapping = spec()["components"]["schemas"]["AssistantTool"]["discriminator"]["mapping"]
    return {kind: inline_schema({"$ref": ref}) for kind, ref in mapping.items()}


def _with_extra_fields(
    bodies: st.SearchStrategy[dict[str, Any]], known: set[str]
) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies that may also carry fields the spec does not name, as an open schema allows."""
    extra_names = st.text(min_size=1, max_size=12).filter(lambda name: name not in known)
    extras = st.dictionaries(extra_names, st.none() | st.integers() | st.text(max_size=5) | JSON_OBJECTS)
    return st.tuples(bodies, extras).map(lambda pair: {**pair[1], **pair[0]})


@functools.cache
def assistant_bodies(tool_kind: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Valid 200 bodies, with unknown extra fields; `tool_kind` makes every tool that kind (and
    keeps the list short: list sizes up to the limit are the general variant's job)."""
    schema = component_schema("AssistantObject")
    if tool_kind is not None:
        schema = {**schema, "properties": {**schema["properties"]}}
        schema["properties"]["tools"] = {**schema["properties"]["tools"], "items": tool_kinds()[tool_kind]}
        schema["properties"]["tools"]["minItems"] = 1
        schema["properties"]["tools"]["maxItems"] = 4
    return _with_extra_fields(from_schema(schema).map(_json_object), set(schema["properties"]))


@functools.cache
def error_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Valid ErrorResponse bodies, with unknown extra fields."""
    schema = component_schema("ErrorResponse")
    return _with_extra_fields(from_schema(schema).map(_json_object), set(schema["properties"]))


def documented_error_statuses() -> list[int]:
    """The error statuses the operation lists by number."""
    return sorted(int(code) for code in operation()["responses"] if code.isdigit() and code != "200")


def default_statuses() -> st.SearchStrategy[int]:
    """Statuses the operation does not list, which its `default` response covers."""
    listed = {int(code) for code in operation()["responses"] if code.isdigit()}
    return st.integers(min_value=201, max_value=599).filter(lambda code: code not in listed)


def json_bytes(value: Any) -> bytes:
    """`value` encoded as a JSON body."""
    return json.dumps(value).encode()


def is_json(content: bytes) -> bool:
    try:
        json.loads(content)
    except ValueError:
        return False
    return True


NON_JSON_BODIES: st.SearchStrategy[bytes] = (
    st.binary(max_size=64)
    | st.text(max_size=64).map(lambda text: f"<html>{text}</html>".encode())
    | st.sampled_from([b"", b"Internal Server Error", b"{", b'{"error": '])
).filter(lambda body: not is_json(body))


# One JSON value of each JSON Schema type, to put where the schema allows another type.
SAMPLE_OF_TYPE: dict[str, Any] = {
    "null": None,
    "boolean": True,
    "integer": 7,
    "number": 1.5,
    "string": "x",
    "array": [],
    "object": {},
}


def json_types(schema: dict[str, Any]) -> set[str]:
    """The JSON types an (inlined) schema allows; "number" includes "integer"."""
    choices: list[dict[str, Any]] = schema.get("oneOf", []) + schema.get("anyOf", [])
    if choices:
        return set().union(*(json_types(choice) for choice in choices))
    declared = schema.get("type", list(SAMPLE_OF_TYPE))
    types = {declared} if isinstance(declared, str) else set(declared)
    return types | {"integer"} if "number" in types else types


def wrong_values(schema: dict[str, Any]) -> list[Any]:
    """Values that break `schema` by their JSON type or by not being one of its `enum` values, at
    the top or one level down (an array's item, an object's additional property, an unknown
    discriminator value)."""
    allowed = json_types(schema)
    wrong = [value for kind, value in SAMPLE_OF_TYPE.items() if kind not in allowed]
    if "enum" in schema:
        wrong.append("not-" + "-".join(str(value) for value in schema["enum"]))
    items = schema.get("items")
    if "array" in allowed and isinstance(items, dict):
        wrong += [[value] for value in wrong_values_here(items)]
        if "discriminator" in items:
            wrong.append([{items["discriminator"]["propertyName"]: "not-a-known-kind"}])
    extra = schema.get("additionalProperties")
    if "object" in allowed and isinstance(extra, dict):
        wrong += [{"key": value} for value in wrong_values_here(extra)]
    return wrong


def wrong_values_here(schema: dict[str, Any]) -> list[Any]:
    """Values that break `schema` by their JSON type, at the top only."""
    allowed = json_types(schema)
    return [value for kind, value in SAMPLE_OF_TYPE.items() if kind not in allowed]


def _retyped(
    bodies: st.SearchStrategy[dict[str, Any]], schema: dict[str, Any], within: str | None
) -> st.SearchStrategy[dict[str, Any]]:
    """A valid body with one field of `schema` (of its `within` object, if given) replaced by a
    value of a type or enum value that field does not allow."""
    target = schema["properties"][within] if within else schema
    replacements = [
        (name, value) for name, field in target["properties"].items() for value in wrong_values(field)
    ]

    def replace(body: dict[str, Any], replacement: tuple[str, Any]) -> dict[str, Any]:
        name, value = replacement
        if within is None:
            return {**body, name: value}
        return {**body, within: {**body[within], name: value}}

    return st.builds(replace, bodies, st.sampled_from(replacements))


def wrong_shapes(
    bodies: st.SearchStrategy[dict[str, Any]], schema_name: str, within: str | None = None
) -> st.SearchStrategy[Any]:
    """JSON values a body of `schema_name` cannot be built from: a non-object; a valid body of
    `bodies` with one required field removed; or one with a field of the wrong type or enum value
    (a field of its `within` object, when given)."""
    schema = component_schema(schema_name)
    non_objects = JSON_SCALARS | st.lists(JSON_OBJECTS, max_size=2)
    missing_one = st.tuples(bodies, st.sampled_from(schema["required"])).map(
        lambda pair: {key: value for key, value in pair[0].items() if key != pair[1]}
    )
    return non_objects | missing_one | _retyped(bodies, schema, within)


def _example_tools() -> list[dict[str, Any]]:
    """The tools of the spec's request examples, one of each kind."""
    examples = operation()["requestBody"]["content"]["application/json"]["examples"].values()
    by_kind = {tool["type"]: tool for example in examples for tool in example["value"]["tools"]}
    missing = set(tool_kinds()) - set(by_kind)
    if missing:
        raise ValueError(f"the spec's request examples have no tool of kind {sorted(missing)}")
    return [by_kind[kind] for kind in sorted(by_kind)]


def filled_to_the_limits(body: dict[str, Any], schema_name: str) -> dict[str, Any]:
    """`body` with every string at its maxLength and every list and map at its maximum size (read
    from the schema), the tools cycling through every kind: the largest body the spec allows."""
    properties = component_schema(schema_name)["properties"]
    full = dict(body)
    for name, field in properties.items():
        if "maxLength" in field:
            full[name] = "é" * field["maxLength"]
    tools = _example_tools()
    full["tools"] = [tools[index % len(tools)] for index in range(properties["tools"]["maxItems"])]
    full["file_ids"] = [f"file-{index}" for index in range(properties["file_ids"]["maxItems"])]
    metadata = properties["metadata"]
    key_length = metadata["propertyNames"]["maxLength"]
    full["metadata"] = {
        f"{index:0{key_length}d}": "v" * metadata["additionalProperties"]["maxLength"]
        for index in range(metadata["maxProperties"])
    }
    return full


def example_value(kind: str, status: str = "200") -> dict[str, Any]:
    """The value of the spec's first example of the request body (`kind` "request") or of a response."""
    if kind == "request":
        content = operation()["requestBody"]["content"]["application/json"]
    else:
        content = operation()["responses"][status]["content"]["application/json"]
    first: dict[str, Any] = next(iter(content["examples"].values()))["value"]
    return first
