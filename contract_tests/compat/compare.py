"""Compares two texts of the spec: the structural diff, Specmatic both ways, then the rules.

The rows of the table are the changes of the structural diff. Each Specmatic finding is attached
to the change it is about: Specmatic locates a finding by a line and column of the document it
took as the newer one (or, for a part only the other has, of the other), which is turned into a
JSON pointer; the finding goes to the changes inside that part of the document (following `$ref`s),
or, if there are none, inside its parent, and so on up; of several, to those about the field its
breadcrumb names. A finding that cannot be located or matches no change gets a row of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from contract_tests.compat.diff import Change, diff
from contract_tests.compat.document import (
    YAML_LOADER,
    contexts,
    is_within,
    parent,
    pointer_at,
    reached_from,
    segments,
    usages,
)
from contract_tests.compat.rules import Context, Impact, classify
from contract_tests.compat.specmatic import Finding, check_pairs
from contract_tests.spec import SpecError, check_openapi


@dataclass(frozen=True)
class Row:
    pointer: str
    change: str
    impacts: frozenset[Impact]  # empty: compatible
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SpecText:
    text: str
    origin: str  # where the text comes from, for error messages


def compare(older: SpecText, newer: SpecText) -> list[Row]:
    """The table of changes from `older` to `newer`."""
    return compare_many([(older, newer)])[0]


def compare_many(pairs: Sequence[tuple[SpecText, SpecText]]) -> list[list[Row]]:
    """The table of each pair, with every Specmatic check of all pairs in one batch."""
    parsed: dict[str, dict[str, Any]] = {}  # the fixture suite compares many edits with one spec
    for spec in (spec for pair in pairs for spec in pair):
        if spec.text not in parsed:
            parsed[spec.text] = parse(spec)
    documents = [(parsed[older.text], parsed[newer.text]) for older, newer in pairs]
    both_ways = [(a.text, b.text) for older, newer in pairs for a, b in ((older, newer), (newer, older))]
    findings = check_pairs(both_ways)
    return [
        _rows(pair, documents[index], findings[2 * index], findings[2 * index + 1])
        for index, pair in enumerate(pairs)
    ]


def parse(spec: SpecText) -> dict[str, Any]:
    """The document of a spec text, or SpecError when it is not valid OpenAPI."""
    try:
        document = yaml.load(spec.text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        raise SpecError(f"{spec.origin} is not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(document, dict) or "openapi" not in document:
        raise SpecError(f"{spec.origin} is not an OpenAPI document (no 'openapi' field at the top)")
    check_openapi(document, spec.origin)
    return document


def _rows(
    texts: tuple[SpecText, SpecText],
    documents: tuple[dict[str, Any], dict[str, Any]],
    forward: list[Finding],
    reverse: list[Finding],
) -> list[Row]:
    """The rows of one pair, from the findings of Specmatic run old -> new and new -> old."""
    (older_text, newer_text), (older, newer) = (texts[0].text, texts[1].text), documents
    changes = diff(older, newer)
    # Specmatic locates a finding in the document it took as the newer one (the old spec when
    # reversed), except one about a part only the other has: try that document next.
    forward_by_change, forward_alone = _attach(forward, (newer_text, older_text), changes, (older, newer))
    reverse_by_change, reverse_alone = _attach(reverse, (older_text, newer_text), changes, (older, newer))
    usage = (usages(older), usages(newer))
    rows = []
    for index, change in enumerate(changes):
        context = Context(contexts(change.pointer, *usage), older, newer)
        verdict = classify(
            change, context, forward_by_change.get(index, []), reverse_by_change.get(index, [])
        )
        rows.append(Row(change.pointer, change.summary(), verdict.impacts, verdict.reasons))
    for findings, texts_tried, impact, suffix in (
        (forward_alone, (newer_text, older_text), Impact.CLIENTS, ""),
        (reverse_alone, (older_text, newer_text), Impact.SERVERS, " (new -> old)"),
    ):
        for finding in findings:
            pointer = _location(finding, texts_tried) or ""
            summary = f"{finding.breadcrumb}: {finding.message}"
            rows.append(Row(pointer, summary, frozenset({impact}), (f"Specmatic {finding.rule}{suffix}",)))
    return rows


def _location(finding: Finding, texts: tuple[str, str]) -> str | None:
    """The pointer of the key at the finding's line and column, in the first text that has one there."""
    return next(filter(None, (pointer_at(text, finding.line, finding.column) for text in texts)), None)


def _attach(
    findings: list[Finding],
    texts: tuple[str, str],
    changes: list[Change],
    documents: tuple[dict[str, Any], ...],
) -> tuple[dict[int, list[Finding]], list[Finding]]:
    """The findings of each change (by index), and the findings that match no change."""
    by_change: dict[int, list[Finding]] = {}
    alone = []
    candidates = [index for index, change in enumerate(changes) if not change.is_documentation]
    for finding in findings:
        start = _location(finding, texts)
        matched = [] if start is None else _nearest_changes(finding, start, changes, candidates, documents)
        for index in matched:
            by_change.setdefault(index, []).append(finding)
        if not matched:
            alone.append(finding)
    return by_change, alone


def _nearest_changes(
    finding: Finding,
    start: str,
    changes: list[Change],
    candidates: list[int],
    documents: tuple[dict[str, Any], ...],
) -> list[int]:
    """The changes inside the part of the document at `start`, or of its nearest ancestor with any."""
    field = finding.breadcrumb.rsplit(".", 1)[-1].split("[", 1)[0]
    pointer = start
    while True:
        reached = set().union(*(reached_from(document, pointer) for document in documents))
        hits = [i for i in candidates if any(is_within(changes[i].pointer, prefix) for prefix in reached)]
        if hits:
            # Of several, prefer those about the field the breadcrumb names.
            return [i for i in hits if field in segments(changes[i].pointer)] or hits
        if not pointer:
            return []
        pointer = parent(pointer)
