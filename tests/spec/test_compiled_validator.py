"""The compiled engine (jsonschema-rs) judges every value as the spec's Python validator does, with the
same words: on the spec, on every spec edit of tests/edits and on the published-style fixture; on the
bodies the suite derives at every limit and on values Hypothesis makes from the schemas and from nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from contract_tests.api.document import REPO_ROOT, SPEC_PATH, load_spec
from contract_tests.api.messages import explain
from contract_tests.api.model import Api, build_api
from contract_tests.api.validators import FastValidator, SpecValidator, compiled, inlined_validator
from contract_tests.suite.bodies import BodyFactory
from tests import spec_facts as facts
from tests.edits.edits import all_edits

PUBLISHED = REPO_ROOT / "tests" / "fixtures" / "published_style.yaml"


def _documents() -> Iterator[tuple[str, dict[str, Any]]]:
    yield "spec", load_spec(SPEC_PATH)
    yield "published-style", load_spec(PUBLISHED)
    for edit in all_edits(facts.seed()):
        document = load_spec(SPEC_PATH)
        edit.apply(document)
        yield edit.name, document


def _pointers(api: Api) -> Iterator[str]:
    for op in api.operations:
        if op.body is not None:
            yield op.body.schema_pointer
        for response in op.responses:
            if response.schema_pointer is not None:
                yield response.schema_pointer


def _pairs() -> list[Any]:
    """One pair of validators per distinct schema (most edits leave most schemas as they were)."""
    pairs, seen = [], set()
    for name, document in _documents():
        api = build_api(document, SPEC_PATH)
        for pointer in dict.fromkeys(_pointers(api)):
            python = inlined_validator(pointer, api.document, SpecValidator)
            key = json.dumps(python.schema, sort_keys=True)
            if key not in seen:
                seen.add(key)
                fast = api.values.validator(pointer)
                pairs.append(pytest.param(api, pointer, fast, python, id=f"{name}:{pointer}"))
    return pairs


PAIRS = _pairs()
# The pairs where jsonschema-rs judges (a schema with a dialect-dependent pattern stays with Python).
COMPILED = [pair for pair in PAIRS if isinstance(pair.values[2], FastValidator)]


def _same(fast: jsonschema.Validator, python: jsonschema.Validator, value: Any) -> None:
    assert fast.is_valid(value) == python.is_valid(value), value
    assert explain(fast, value) == explain(python, value), value


def test_the_compiled_engine_is_used() -> None:
    """Without this the other tests compare the Python validator with itself."""
    assert len(COMPILED) >= len(PAIRS) // 2, "jsonschema-rs judges fewer than half the spec's schemas"


@pytest.mark.parametrize(("api", "pointer", "fast", "python"), PAIRS)
def test_derived_bodies_are_judged_alike(
    api: Api, pointer: str, fast: jsonschema.Validator, python: jsonschema.Validator
) -> None:
    factory = BodyFactory.for_schema(api.values, pointer, api.values.example(pointer))
    bodies = factory.valid() + factory.invalid()
    assert bodies, f"no body derived for {pointer}"
    for body in bodies:
        _same(fast, python, body.value)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@pytest.mark.parametrize(("api", "pointer", "fast", "python"), COMPILED)
def test_generated_values_are_judged_alike(
    api: Api, pointer: str, fast: jsonschema.Validator, python: jsonschema.Validator
) -> None:
    schema: dict[str, Any] = fast.schema  # type: ignore[assignment]  # inlined: self-contained

    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(value=from_schema(schema) | _JSON)
    def judged_alike(value: Any) -> None:
        _same(fast, python, value)

    judged_alike()


# Schemas no spec here has yet, where the engines could part: several errors at one depth (jsonschema picks
# by the order it walks the schema), keywords read by no rule of their own, a fractional `multipleOf`.
_STRING = {"type": "string"}
HAND_WRITTEN = [
    ({"properties": {"a": {"description": "first", "type": "string"}, "b": _STRING}}, {"a": 1, "b": 2}),
    ({"properties": {"b": _STRING, "a": _STRING}}, {"a": 1, "b": 2}),
    ({"required": ["b"], "allOf": [{"required": ["a"]}]}, {}),
    ({"type": "object", "required": ["a", "b"]}, {}),
    ({"type": "array", "items": _STRING}, [1, 2]),
    (
        {"oneOf": [{"type": "object", "properties": {"z": _STRING, "a": _STRING}}, {"type": "string"}]},
        {"a": 1, "z": 2},
    ),
    ({"type": "array", "uniqueItems": True}, [1, 1]),
    ({"type": "object", "dependentRequired": {"a": ["b"]}}, {"a": 1}),
    ({"not": {"type": "string"}}, "x"),
    ({"type": "array", "contains": {"type": "integer"}}, ["x"]),
    ({"type": "number", "multipleOf": 0.01}, 0.07),
    ({"type": "number", "multipleOf": 0.1}, 0.3),
    ({"type": "integer", "multipleOf": 3}, 7),
]


@pytest.mark.parametrize(("schema", "value"), HAND_WRITTEN, ids=[json.dumps(s) for s, _ in HAND_WRITTEN])
def test_hand_written_schemas_are_judged_alike(schema: dict[str, Any], value: Any) -> None:
    python = SpecValidator(schema)
    _same(compiled(schema, python), python, value)


def test_a_fractional_step_stays_with_python() -> None:
    """0.07 is a multiple of 0.01 to jsonschema-rs and not to Python's floats: the spec's validator says."""
    schema = {"type": "number", "multipleOf": 0.01}
    assert not isinstance(compiled(schema, SpecValidator(schema)), FastValidator)
    assert isinstance(compiled({"multipleOf": 3}, SpecValidator({"multipleOf": 3})), FastValidator)
