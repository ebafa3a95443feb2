"""The fixture suite of `make compat`: every edit of fixtures.yaml gets exactly its expected classes.

Specmatic checks every fixture in one batch (two JVMs), so the suite costs one JVM start, not one per
fixture.
"""

from __future__ import annotations

import pytest

from contract_tests.api.document import SPEC_PATH, SpecError, load_spec, node_at
from contract_tests.compat.cli import EXIT_BREAKING, exit_status
from contract_tests.compat.compare import Row, SpecText, compare_many
from contract_tests.compat.diff import diff
from contract_tests.compat.rules import DOCUMENTATION_ONLY, NEW_RESPONSE_STATUS, PROJECT_RULES, SAME_SCHEMA
from tests.compat.fixtures import Fixture, FixtureError, apply_edits, load_fixtures

FIXTURES = load_fixtures()


@pytest.fixture(scope="module")
def tables() -> dict[str, list[Row]]:
    spec_text = SPEC_PATH.read_text(encoding="utf-8")
    pairs = []
    for fixture in FIXTURES:
        older, newer = fixture.texts(spec_text)
        pairs.append((SpecText(older, "older"), SpecText(newer, "newer")))
    comparisons = compare_many(pairs)
    return {fixture.name: comparison.rows for fixture, comparison in zip(FIXTURES, comparisons, strict=True)}


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
    assert rules | {DOCUMENTATION_ONLY, NEW_RESPONSE_STATUS, SAME_SCHEMA} <= reasons


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture.name for fixture in FIXTURES])
def test_every_row_says_where_in_the_spec_and_why(fixture: Fixture, tables: dict[str, list[Row]]) -> None:
    for row in tables[fixture.name]:
        assert row.pointer.startswith("/") and any(
            _has(document, row.pointer) for document in (fixture.older, fixture.newer)
        ), f"{row.pointer!r} is no place in either spec"
        assert row.reasons or not row.impacts, f"{row.pointer}: breaking without a reason"
        for reason in (reason for reason in row.reasons if reason.startswith("Specmatic")):
            _, _, words = reason.partition(": ")
            assert words.strip(), f"{row.pointer}: {reason!r} gives a code, not what Specmatic found"


def _has(document: object, pointer: str) -> bool:
    try:
        node_at(document, pointer)
    except SpecError:
        return False
    return True


# The fixture edits themselves: by name, and loud when they no longer apply.


def test_a_list_item_is_removed_by_its_value() -> None:
    document = {"required": ["a", "b", "c"]}
    assert apply_edits(document, [{"remove": "/required", "value": "b"}]) == {"required": ["a", "c"]}


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        ({"remove": "/required", "value": "z"}, "holds no item 'z'"),
        ({"remove": "/required/1"}, "not by its position"),
        ({"set": "/required/0", "value": "z"}, "not by its position"),
        ({"set": "/required/-", "value": "a"}, "already holds 'a'"),
        ({"remove": "/properties/z"}, "nothing at /properties/z"),
        ({"set": "/properties/a", "value": {}}, "changes nothing"),
        ({"scale": "/properties", "by": 2}, "needs a number"),
        ({"reverse": "/properties"}, "needs a list"),
        ({"move": "/properties/a", "to": "/required/-"}, "needs a new key of an object"),
        ({"move": "/properties/z", "to": "/properties/y"}, "nothing at /properties/z"),
        ({"value": 1}, "needs one of set, remove, scale, reverse, move"),
    ],
)
def test_an_edit_that_does_not_apply_fails_loudly(edit: dict[str, object], complaint: str) -> None:
    with pytest.raises(FixtureError, match=complaint):
        apply_edits({"required": ["a"], "properties": {"a": {}}}, [edit])


def test_a_moved_value_leaves_its_place() -> None:
    moved = apply_edits({"a": {"b": 1}, "c": {}}, [{"move": "/a/b", "to": "/c/d"}])
    assert moved == {"a": {}, "c": {"d": 1}}


def test_a_scaled_limit_stays_an_integer() -> None:
    assert apply_edits({"maxLength": 256}, [{"scale": "/maxLength", "by": 0.5}]) == {"maxLength": 128}


def test_the_fixtures_make_the_same_changes_whatever_the_order_of_the_specs_lists() -> None:
    """Reordered `required` and `oneOf` lists keep the API's statements: each fixture edits the same
    things (an edit by position would now edit another field, or fail)."""
    spec = load_spec()
    for schema in spec["components"]["schemas"].values():
        for key in ("required", "oneOf"):
            if isinstance(schema.get(key), list):
                schema[key].reverse()
    reordered = {fixture.name: fixture for fixture in load_fixtures(spec=spec)}
    for fixture in FIXTURES:
        again = reordered[fixture.name]
        changed = {change.pointer for change in diff(fixture.older, fixture.newer)}
        assert {change.pointer for change in diff(again.older, again.newer)} == changed, fixture.name
