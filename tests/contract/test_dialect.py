"""Generated bodies valid only under Python's regex dialect are never sent (see suite/dialect.py)."""

from __future__ import annotations

import functools
import json

from contract_tests.api.validators import matches
from contract_tests.suite.bodies import BodyFactory
from contract_tests.suite.dialect import DialectSplit
from tests import spec_facts as facts


def _anchored_string_site(factory: BodyFactory) -> tuple[str, str]:
    """(where, a matching value) of a string the spec restricts by a pattern ending in `$`."""
    for site in factory.sites():
        pattern = factory.values.schema(site.pointer).get("pattern")
        if isinstance(pattern, str) and pattern.endswith("$"):
            value = factory.values.example(site.pointer)
            assert matches(pattern, value)
            return site.where, value
    raise AssertionError("the request schema has no pattern ending in $")


def _constant(value: str, _: object) -> str:
    return value


def test_a_trailing_newline_splits_the_dialects() -> None:
    operation = facts.seed()
    assert operation.request_schema_pointer is not None
    factory = BodyFactory(operation.api, operation.op)
    split = DialectSplit(operation.request_schema_pointer, operation.document)
    for site in factory.sites():
        pattern = factory.values.schema(site.pointer).get("pattern")
        if isinstance(pattern, str) and pattern.endswith("$"):
            value: str = factory.values.example(site.pointer)
            good = factory.embed(site, functools.partial(_constant, value))
            bad = factory.embed(site, functools.partial(_constant, value + "\n"))
            assert not split.disagree(good)
            assert split.disagree(bad)
            assert split.python.is_valid(bad) and not split.spec.is_valid(bad)
            return
    raise AssertionError("the request schema has no pattern ending in $")


def test_a_trailing_newline_is_an_invalid_body() -> None:
    factory = facts.body_factory()
    where, value = _anchored_string_site(factory)
    invalid = {body.label for body in factory.invalid()}
    assert f"{where} not matching its pattern ({json.dumps(value + chr(10))})" in invalid
