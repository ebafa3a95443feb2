"""Renders the rows of a comparison as one plain-text table.

A row with several reasons takes one line per reason, the other cells left blank on the lines after
the first, so that the table stays as wide as its longest reason rather than the sum of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from contract_tests.compat.compare import NOT_TESTABLE, Row
from contract_tests.compat.rules import Impact
from contract_tests.compat.testable import Untestable

HEADERS = ("where (JSON pointer)", "change", "class", "why")


def class_of(row: Row) -> str:
    if not row.testable:
        return NOT_TESTABLE
    if not row.impacts:
        return "compatible"
    return ", ".join(impact.value for impact in Impact if impact in row.impacts)


def render(rows: Sequence[Row]) -> str:
    if not rows:
        return "No changes."
    cells = [HEADERS]
    for row in rows:
        first, *more = row.reasons or ("",)
        cells.append((row.pointer, row.change, class_of(row), first))
        cells += [("", "", "", reason) for reason in more]
    widths = [max(len(line[column]) for line in cells) for column in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def summary(rows: Sequence[Row]) -> str:
    clients = sum(Impact.CLIENTS in row.impacts for row in rows)
    servers = sum(Impact.SERVERS in row.impacts for row in rows)
    compatible = sum(not row.impacts and row.testable for row in rows)
    untestable = sum(not row.testable for row in rows)
    counts = (
        f"{clients} {_verb(clients)} clients, {servers} {_verb(servers)} servers, {compatible} compatible"
        + (f", {untestable} {NOT_TESTABLE}" if untestable else "")
    )
    return f"{_count(len(rows), 'change')}: {counts}"


def untestable_operations(operations: Sequence[Untestable]) -> str:
    """The operations a flaw of either document makes untestable, one line each with the documents and
    the flaw; "" when there are none."""
    documents: dict[tuple[str, str], list[str]] = {}
    for operation in operations:
        documents.setdefault((operation.label, operation.reason), []).append(operation.origin)
    if not documents:
        return ""
    lines = [f"Operations {NOT_TESTABLE} (a flaw of the spec; a change only they reach is not classified):"]
    lines += [
        f"  {label}, in {' and '.join(origins)}: {reason}" for (label, reason), origins in documents.items()
    ]
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _verb(number: int) -> str:
    return "breaks" if number == 1 else "break"
