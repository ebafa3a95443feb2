"""The `why` of a row: Specmatic's findings in words, one line per reason in the table."""

from __future__ import annotations

from contract_tests.api.document import escape_pointer, load_spec
from contract_tests.compat.cli import EXIT_BREAKING, exit_status
from contract_tests.compat.compare import Row, _location
from contract_tests.compat.rules import Impact
from contract_tests.compat.specmatic import Finding, mark_tool_failures
from contract_tests.compat.table import class_of, render, summary

MISSING = Finding(
    rule="R2001",
    title="Missing required property",
    breadcrumb="REQUEST.BODY.instructions",
    line=1,
    column=1,
    message='New specification expects property "instructions" in the request but it is missing from the old'
    " specification",
)


def test_a_finding_says_its_rule_its_title_where_and_what() -> None:
    assert MISSING.reason() == (
        "Specmatic R2001 Missing required property at REQUEST.BODY.instructions: New specification expects"
        ' property "instructions" in the request but it is missing from the old specification'
    )


def test_a_finding_of_the_reversed_run_speaks_of_this_comparison() -> None:
    # Specmatic took the old spec as the newer one: its "new specification" is the old spec.
    assert MISSING.reason(reversed_run=True) == (
        "Specmatic R2001 Missing required property (new -> old) at REQUEST.BODY.instructions: Old"
        ' specification expects property "instructions" in the request but it is missing from the new'
        " specification"
    )


def test_a_finding_without_a_rule_still_says_what_it_found() -> None:
    finding = Finding(
        "-", "", "", None, None, "This API exists in the old contract but not in the new contract"
    )
    assert finding.reason(reversed_run=True) == (
        "Specmatic (new -> old): This API exists in the new contract but not in the old contract"
    )


def test_the_operation_of_a_finding_is_not_part_of_its_identity() -> None:
    again = Finding(**{**MISSING.__dict__, "operation": ("/v1/assistants", "post", "400")})
    assert again == MISSING and len({again, MISSING}) == 1


def test_each_reason_of_a_row_has_its_own_line() -> None:
    row = Row("/a", "edited", frozenset({Impact.CLIENTS, Impact.SERVERS}), ("first reason", "second reason"))
    lines = render([row]).splitlines()
    assert lines[2].startswith("/a") and lines[2].endswith("first reason")
    assert lines[3].strip() == "second reason"
    assert lines[3].index("second") == lines[2].index("first")


def test_the_summary_counts_in_words() -> None:
    row = Row("/a", "edited", frozenset({Impact.CLIENTS}), ())
    assert summary([row]) == "1 change: 1 breaks clients, 0 break servers, 0 compatible"
    assert summary([]) == "0 changes: 0 break clients, 0 break servers, 0 compatible"


def test_a_finding_without_a_line_is_placed_by_its_scenario_and_breadcrumb() -> None:
    document = load_spec()
    path, method = next(
        (path, method)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and {"requestBody", "responses"} <= operation.keys()
    )
    operation = f"/paths/{escape_pointer(path)}/{method}"
    unplaced = Finding(**{**MISSING.__dict__, "line": None, "operation": (path, method, "200")})
    assert _location(unplaced, ("", ""), (document,)) == f"{operation}/requestBody"
    # Specmatic numbers the default response 1000; without one, the operation is the place.
    response = Finding(
        **{**unplaced.__dict__, "breadcrumb": "RESPONSE.BODY.id", "operation": (path, method, "1000")}
    )
    has_default = "default" in document["paths"][path][method]["responses"]
    expected = f"{operation}/responses/default" if has_default else operation
    assert _location(response, ("", ""), (document,)) == expected


def test_specmatic_failing_is_not_a_finding() -> None:
    # One direction names the exception, the other gives only its message: both are Specmatic failing.
    thrown = Finding(
        "-",
        "",
        "REQUEST.BODY.top_p",
        None,
        None,
        "Error: java.lang.IllegalArgumentException: bad range\nbad range",
    )
    bare = Finding("-", "", "", None, None, "bad range")
    removed = Finding(
        "-", "", "", None, None, "This API exists in the old contract but not in the new contract"
    )
    forward, reverse = mark_tool_failures([bare, MISSING, removed], [thrown])
    assert [finding.tool_failure for finding in (*forward, *reverse)] == [True, False, False, True]
    assert forward[0].reason() == "Specmatic failed (bad range): judged by the project's rules alone"
    assert (
        reverse[0]
        .reason(reversed_run=True)
        .startswith("Specmatic failed at REQUEST.BODY.top_p (Error: java.")
    )


def test_a_row_not_testable_is_counted_apart_and_breaks_nothing() -> None:
    untestable = Row(
        "/a", "field added (optional)", frozenset(), ("not testable: x: /a: flawed",), testable=False
    )
    breaking = Row("/b", "edited", frozenset({Impact.SERVERS}), ("rule",))
    assert class_of(untestable) == "not testable"
    assert summary([untestable, breaking]) == (
        "2 changes: 0 break clients, 1 breaks servers, 0 compatible, 1 not testable"
    )
    assert exit_status([untestable], allow_breaking=False) == 0
    assert exit_status([untestable, breaking], allow_breaking=False) == EXIT_BREAKING
