"""Hypothesis strategies for the JSON the spec allows, taken from the loaded spec and nothing else.

Request bodies come from schemathesis (the same generator the contract suite uses); response bodies
come from hypothesis-jsonschema, which needs a self-contained schema, so `inline_schema` resolves the
spec's local `$ref`s first. Every schema is found from the seed's operation (the POST of a collection
that takes a JSON body: the create the API's statement is about) in the model of the spec
(contract_tests.api), by pointer: no component name or field name is assumed.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import schemathesis
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from schemathesis import GenerationMode

from contract_tests.api.document import SPEC_PATH, inline_refs, node_at, spec
from contract_tests.api.model import Api, load_api
from contract_tests.api.parameters import text_of
from contract_tests.api.values import Values

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
JSON_OBJECTS = st.dictionaries(st.text(max_size=8), JSON_SCALARS, max_size=3)


class Seed:
    """The seed's operation, as the client tests read it from the model of the spec."""

    def __init__(self, api: Api) -> None:
        found = [op for op in api.operations if op.method == "POST" and not op.path_parameters and op.body]
        assert found, "the spec has no POST of a collection with a JSON body (the seed's operation)"
        self.api = api
        self.op = found[0]
        self.values: Values = api.values
        self.path, self.method = self.op.path, self.op.method
        self.pointer = self.op.pointer
        self.success_status = self.op.success_status
        assert self.op.body is not None
        self.content_type = self.op.body.media_type
        self.defaults = api.defaults(self.op)

    @property
    def request_schema(self) -> dict[str, Any]:
        return self.values.schema(request_pointer())

    def required_headers(self) -> dict[str, str]:
        """A valid value of every required header: its `default`, else its example or first `enum` value."""
        return {
            parameter.name: text_of(self.api.parameter_example(parameter))
            for parameter in self.op.headers
            if parameter.required
        }


@functools.cache
def _seed(path: str) -> Seed:
    return Seed(load_api(path))


def seed() -> Seed:
    """The seed's operation of the loaded spec."""
    return _seed(str(SPEC_PATH))


def operation() -> dict[str, Any]:
    """The spec's seed operation object."""
    found: dict[str, Any] = node_at(spec(), seed().pointer)
    return found


def request_pointer() -> str:
    body = seed().op.body
    assert body is not None, "the seed operation has no JSON request body"
    return body.schema_pointer


def success_pointer() -> str:
    pointer = seed().op.success.schema_pointer
    assert pointer is not None, "the seed operation's success response has no JSON schema"
    return pointer


def error_pointer() -> str:
    """The schema of the operation's documented error statuses (the first 4xx's, else `default`'s)."""
    responses = {response.status: response.schema_pointer for response in seed().op.responses}
    errors = [status for status in sorted(responses) if status.startswith("4") and responses[status]]
    pointer = responses[errors[0]] if errors else responses.get("default")
    assert pointer is not None, "the seed operation documents no error schema"
    return pointer


def error_envelope() -> str | None:
    """The property of the error body that holds the error object (`error`), if it has one."""
    values = seed().values
    for name, where in values.properties(error_pointer()).items():
        if "properties" in values.schema(where):
            return name
    return None


def model_name(pointer: str) -> str:
    """The generated model's class name for a component schema (openapi-python-client names models by
    their component)."""
    target = list(seed().values.chain(pointer))[-1]
    name = target.rsplit("/", 1)[-1]
    return name[:1].upper() + name[1:]


def inline_schema(schema: Any, document: dict[str, Any] | None = None) -> Any:
    """`schema` with every local `$ref` replaced by the schema it points to."""
    return inline_refs(spec() if document is None else document, schema)


def schema_at(pointer: str) -> dict[str, Any]:
    """The schema at `pointer`, self-contained."""
    inlined: dict[str, Any] = inline_schema({"$ref": "#" + pointer})
    return inlined


def _json_object(value: Any) -> dict[str, Any]:
    """`value`, which an object schema generated, typed as the JSON object it is."""
    if not isinstance(value, dict):
        raise TypeError(f"an object schema generated {type(value).__name__}, not an object")
    return value


@functools.cache
def request_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Every valid request body, drawn by schemathesis from the operation."""
    schema = schemathesis.openapi.from_path(str(SPEC_PATH))
    cases = schema[seed().path][seed().method].as_strategy(generation_mode=GenerationMode.POSITIVE)
    return cases.map(lambda case: _json_object(case.body))


def kinds_field(pointer: str) -> tuple[str, str] | None:
    """(name, items pointer) of the property at `pointer` whose items are of several kinds (the tools)."""
    values = seed().values
    for name, where in values.properties(pointer).items():
        items = values.child(where, "items")
        if items is not None and values.branches(items):
            return name, items
    return None


def request_kinds() -> dict[str, str]:
    """Each kind of the request's list of several kinds (a tool's `type`) -> its schema's pointer."""
    found = kinds_field(request_pointer())
    return dict(seed().values.branches(found[1])) if found else {}


@functools.cache
def tool_kinds() -> dict[str, dict[str, Any]]:
    """Each kind of the response's list of several kinds (a tool's `type`) -> its self-contained schema."""
    found = kinds_field(success_pointer())
    if found is None:
        return {}
    return {kind: schema_at(branch) for kind, branch in seed().values.branches(found[1])}


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
    schema = schema_at(success_pointer())
    found = kinds_field(success_pointer())
    if tool_kind is not None and found is not None:
        name = found[0]
        schema = {**schema, "properties": {**schema["properties"]}}
        schema["properties"][name] = {**schema["properties"][name], "items": tool_kinds()[tool_kind]}
        schema["properties"][name]["minItems"] = 1
        schema["properties"][name]["maxItems"] = 4
    return _with_extra_fields(from_schema(schema).map(_json_object), set(schema.get("properties", {})))


@functools.cache
def error_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Valid ErrorResponse bodies, with unknown extra fields."""
    schema = schema_at(error_pointer())
    return _with_extra_fields(from_schema(schema).map(_json_object), set(schema.get("properties", {})))


def documented_error_statuses() -> list[int]:
    """The error statuses the operation lists by number."""
    success = str(seed().success_status)
    return sorted(
        int(code) for code in operation()["responses"] if str(code).isdigit() and str(code) != success
    )


def default_statuses() -> st.SearchStrategy[int]:
    """Statuses the operation does not list, which its `default` response covers."""
    listed = {int(code) for code in operation()["responses"] if str(code).isdigit()}
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
    bodies: st.SearchStrategy[dict[str, Any]], pointer: str, within: str | None = None
) -> st.SearchStrategy[Any]:
    """JSON values a body of the schema at `pointer` cannot be built from: a non-object; a valid body of
    `bodies` with one required field removed; or one with a field of the wrong type or enum value
    (a field of its `within` object, when given)."""
    schema = schema_at(pointer)
    non_objects = JSON_SCALARS | st.lists(JSON_OBJECTS, max_size=2)
    missing_one = st.tuples(bodies, st.sampled_from(schema["required"])).map(
        lambda pair: {key: value for key, value in pair[0].items() if key != pair[1]}
    )
    return non_objects | missing_one | _retyped(bodies, schema, within)


def filled_to_the_limits(pointer: str) -> dict[str, Any]:
    """The largest body the schema at `pointer` allows: every string at its maxLength (astral-plane
    characters where allowed), every list and map at its maximum size, every item kind in turn."""
    largest: dict[str, Any] = seed().values.largest(pointer)
    return largest


def example_value(kind: str) -> dict[str, Any]:
    """The spec's first example of the request body (`kind` "request") or of the success response, else
    a value built from its schema."""
    pointer = request_pointer() if kind == "request" else success_pointer()
    media = node_at(spec(), pointer.rsplit("/", 1)[0])
    examples = [
        example.get("value") for example in media.get("examples", {}).values() if isinstance(example, dict)
    ]
    if "example" in media:
        examples.append(media["example"])
    for example in examples:
        if isinstance(example, dict) and seed().values.is_valid(pointer, example):
            return example
    built: dict[str, Any] = seed().values.example(pointer)
    return built
