"""The fixture suite of `make compat`: every edit of fixtures.yaml gets exactly its expected classes.

Specmatic checks every fixture in one batch (two JVMs), so the suite costs one JVM start, not one per
fixture.
"""

from __future__ import annotations

import pytest
import yaml

from contract_tests.compat.cli import EXIT_BREAKING, exit_status
from contract_tests.compat.compare import Row, SpecText, compare_many
from contract_tests.compat.rules import PROJECT_RULES
from tests.compat.fixtures import Fixture, load_fixtures

FIXTURES = load_fixtures()


@pytest.fixture(scope="module")
def tables() -> dict[str, list[Row]]:
    def text(document: object, origin: str) -> SpecText:
        return SpecText(yaml.safe_dump(document, sort_keys=False), origin)

    pairs = [(text(fixture.older, "older"), text(fixture.newer, "newer")) for fixture in FIXTURES]
    return {fixture.name: rows for fixture, rows in zip(FIXTURES, compare_many(pairs), strict=True)}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture.name for fixture in FIXTURES])
def test_each_change_gets_its_expected_classes(fixture: Fixture, tables: dict[str, list[Row]]) -> None:
    rows = tables[fixture.name]
    got = {row.pointer: frozenset(impact.name.lower() for impact in row.impacts) for row in rows}
    assert got == fixture.expect
    assert len(rows) == len(got), "one row per change"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture.name for fixture in FIXTURES])
def test_exit_status_is_non_zero_exactly_when_a_change_breaks(
    fixture: Fixture, tables: dict[str, list[Row]]
) -> None:
    breaking = any(fixture.expect.values())
    assert exit_status(tables[fixture.name], allow_breaking=False) == (EXIT_BREAKING if breaking else 0)
    assert exit_status(tables[fixture.name], allow_breaking=True) == 0


def test_the_fixtures_cover_every_class() -> None:
    classes = {frozenset(expected) for fixture in FIXTURES for expected in fixture.expect.values()}
    assert {frozenset(), frozenset({"clients"}), frozenset({"servers"})} <= classes
    assert any(not fixture.expect for fixture in FIXTURES), "the spec compared with itself"


def test_every_project_rule_and_overrule_decides_some_fixture(tables: dict[str, list[Row]]) -> None:
    reasons = {reason for rows in tables.values() for row in rows for reason in row.reasons}
    rules = {f"rule: {rule.__doc__}" for rule in PROJECT_RULES}
    assert rules | {"documentation only", "new response status"} <= reasons
