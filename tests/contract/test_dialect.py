"""Generated bodies valid only under Python's regex dialect are never sent (see suite/dialect.py)."""

from __future__ import annotations

from contract_tests.suite.bodies import BodyFactory
from contract_tests.suite.dialect import DialectSplit
from contract_tests.suite.operation import load_operation


def test_trailing_newline_in_a_function_name_splits_the_dialects() -> None:
    operation = load_operation()
    split = DialectSplit(operation.request_schema_pointer, operation.document)
    body = {**next(iter(operation.examples.values()))}
    body["tools"] = [{"type": "function", "function": {"name": "get_weather"}}]
    assert not split.disagree(body)
    body["tools"] = [{"type": "function", "function": {"name": "get_weather\n"}}]
    assert split.disagree(body)
    assert split.python.is_valid(body) and not split.spec.is_valid(body)


def test_trailing_newline_name_is_an_invalid_body() -> None:
    invalid = {body.label for body in BodyFactory(load_operation()).invalid()}
    assert "a function name 'name\\n'" in invalid
