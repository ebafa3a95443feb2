"""Compares two texts of the spec: the structural diff, Specmatic both ways, then the rules.

The rows of the table are the changes of the structural diff. Each Specmatic finding is attached to
the changes it is about, found by the place its scenario and breadcrumb name (contract_tests.compat
.locate); a finding that matches no change gets a row of its own, at the place it names.

A spec is read as the ground floor reads it (YAML anchors defined twice included), and a flaw of it
never refuses the comparison unless no operation is left to compare (contract_tests.compat.testable):
the operations a flaw makes untestable are left out of what Specmatic is shown, and a change only
they reach is "not testable", with the flaw's JSON pointer and reason.

Specmatic is given one canonical text of each document, so the formatting of the files (YAML
re-dumped by a library, JSON, flow style) changes nothing; two texts of the same document have no
changes, and Specmatic is not run for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from contract_tests.api.document import SpecError, escape_pointer, parse_yaml
from contract_tests.compat.diff import Change, diff
from contract_tests.compat.document import contexts, pointer_at, resolve, usages
from contract_tests.compat.locate import match, match_at
from contract_tests.compat.rules import Context, Impact, classify
from contract_tests.compat.shown import specmatic_text
from contract_tests.compat.specmatic import Finding, check_pairs, collapse, mark_tool_failures
from contract_tests.compat.testable import Untestable, only_untestable_reach, untestable

# The row of a finding that cannot be placed anywhere more precise: somewhere in the operations.
_SOMEWHERE = "/paths"
NOT_TESTABLE = "not testable"


@dataclass(frozen=True)
class Row:
    pointer: str
    change: str
    impacts: frozenset[Impact]  # empty: compatible (or not testable)
    reasons: tuple[str, ...]
    testable: bool = True  # False: only operations that a flaw of the spec makes untestable reach it


@dataclass(frozen=True)
class Comparison:
    rows: list[Row]
    # The operations that cannot be compared (a flaw in either document), each once per document.
    untestable: tuple[Untestable, ...] = field(default=())


@dataclass(frozen=True)
class SpecText:
    text: str
    origin: str  # where the text comes from, for error messages


@dataclass(frozen=True)
class _Read:
    """One spec text, read: its document and the operations a flaw makes untestable (by pointer)."""

    document: dict[str, Any]
    untestable: dict[str, Untestable]


def compare(older: SpecText, newer: SpecText) -> Comparison:
    """The table of changes from `older` to `newer`."""
    return compare_many([(older, newer)])[0]


def compare_many(pairs: Sequence[tuple[SpecText, SpecText]]) -> list[Comparison]:
    """The table of each pair, with every Specmatic check of all pairs in one batch."""
    read: dict[str, _Read] = {}  # the fixture suite compares many edits with one spec
    for spec in (spec for pair in pairs for spec in pair):
        if spec.text not in read:
            document = parse(spec)
            read[spec.text] = _Read(document, untestable(document, spec.origin))
    canonical: dict[tuple[str, tuple[str, ...]], str] = {}

    def text_of(spec: SpecText, left_out: tuple[str, ...]) -> str:
        if (spec.text, left_out) not in canonical:
            canonical[spec.text, left_out] = specmatic_text(read[spec.text].document, left_out)
        return canonical[spec.text, left_out]

    documents = [(read[older.text].document, read[newer.text].document) for older, newer in pairs]
    texts = []
    for older, newer in pairs:
        # An operation untestable in either document is shown to Specmatic in neither.
        left_out = tuple(sorted(read[older.text].untestable.keys() | read[newer.text].untestable.keys()))
        texts.append((text_of(older, left_out), text_of(newer, left_out)))
    # Equal documents (formatted otherwise) have nothing for Specmatic to find; a pair of documents
    # that another pair also has (formatted otherwise) is checked once.
    changed = list(
        dict.fromkeys(pair for pair, (older, newer) in zip(texts, documents, strict=True) if older != newer)
    )
    found = check_pairs([pair for older_newer in changed for pair in (older_newer, older_newer[::-1])])
    findings = {pair: (found[2 * position], found[2 * position + 1]) for position, pair in enumerate(changed)}
    return [
        _comparison(pair, document_pair, (read[older.text], read[newer.text]), *findings.get(pair, ([], [])))
        for pair, document_pair, (older, newer) in zip(texts, documents, pairs, strict=True)
    ]


def parse(spec: SpecText) -> dict[str, Any]:
    """The document of a spec text, or SpecError when it is not an OpenAPI document at all. Its flaws
    are not refused here (contract_tests.compat.testable says what they leave untestable)."""
    try:
        document = parse_yaml(spec.text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{spec.origin} is not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(document, dict) or not ("openapi" in document or "swagger" in document):
        raise SpecError(f"{spec.origin} is not an OpenAPI document (no 'openapi' field at the top)")
    if "openapi" not in document:
        raise SpecError(f"{spec.origin} is Swagger 2.0: convert it to OpenAPI 3 (3.0 or 3.1) first")
    if not str(document["openapi"]).startswith("3."):
        raise SpecError(f"{spec.origin} is OpenAPI {document['openapi']}: compat reads OpenAPI 3.0 and 3.1")
    return document


def _comparison(
    texts: tuple[str, str],
    documents: tuple[dict[str, Any], dict[str, Any]],
    read: tuple[_Read, _Read],
    forward: list[Finding],
    reverse: list[Finding],
) -> Comparison:
    """The rows of one pair, from the findings of Specmatic run old -> new and new -> old."""
    (older_text, newer_text), (older, newer) = texts, documents
    changes = diff(older, newer)
    # Where Specmatic itself failed, it found nothing: the rows it would be about say so.
    forward, reverse = mark_tool_failures(forward, reverse)
    failures = [finding for finding in (*forward, *reverse) if finding.tool_failure]
    forward = [finding for finding in forward if not finding.tool_failure]
    reverse = [finding for finding in reverse if not finding.tool_failure]
    # A finding is placed by the route its scenario and breadcrumb name; one without a route by its
    # line and column, in the document Specmatic took as the newer one (the old spec when reversed)
    # and, for a part only the other has, in the other.
    forward_by_change, forward_alone = _attach(forward, (newer_text, older_text), changes, (newer, older))
    reverse_by_change, reverse_alone = _attach(reverse, (older_text, newer_text), changes, (older, newer))
    failed_at, failed_anywhere = _attach(failures, (newer_text, older_text), changes, (newer, older))
    untestable_of = only_untestable_reach(changes, documents, {**read[0].untestable, **read[1].untestable})
    usage = (usages(older), usages(newer))
    rows = []
    for index, change in enumerate(changes):
        if index in untestable_of:
            reasons = tuple(f"{NOT_TESTABLE}: {each.label}: {each.reason}" for each in untestable_of[index])
            rows.append(Row(change.pointer, change.summary(), frozenset(), reasons, testable=False))
            continue
        used_in = frozenset().union(*(contexts(pointer, *usage) for pointer in change.pointers))
        verdict = classify(
            change,
            Context(used_in, older, newer),
            collapse(forward_by_change.get(index, [])),
            collapse(reverse_by_change.get(index, [])),
        )
        failed = [
            finding.reason() for finding in (*failed_at.get(index, []), *(f for f, _ in failed_anywhere))
        ]
        reasons = tuple(dict.fromkeys((*verdict.reasons, *failed)))
        rows.append(Row(change.pointer, change.summary(), verdict.impacts, reasons))
    rows += _rows_of_their_own(forward_alone, Impact.CLIENTS, reversed_run=False)
    rows += _rows_of_their_own(reverse_alone, Impact.SERVERS, reversed_run=True)
    both = {**read[0].untestable, **read[1].untestable}
    listed = tuple(
        each
        for pointer in sorted(both)
        for each in (read[0].untestable.get(pointer), read[1].untestable.get(pointer))
        if each
    )
    return Comparison(rows, listed)


def _rows_of_their_own(alone: list[tuple[Finding, str]], impact: Impact, reversed_run: bool) -> list[Row]:
    """A row for the findings that match no change, one per place they name."""
    by_place: dict[str, list[Finding]] = {}
    for finding, place in alone:
        by_place.setdefault(place, []).append(finding)
    rows = []
    for place, findings in by_place.items():
        crumbs = list(dict.fromkeys(finding.breadcrumb for finding in findings if finding.breadcrumb))
        summary = f"Specmatic finding at {', '.join(crumbs)}" if crumbs else "Specmatic finding"
        reasons = tuple(dict.fromkeys(finding.reason(reversed_run) for finding in collapse(findings)))
        rows.append(Row(place, summary, frozenset({impact}), reasons))
    return rows


def _location(finding: Finding, texts: tuple[str, str], documents: tuple[dict[str, Any], ...]) -> str | None:
    """The pointer of the key at the finding's line and column, in the first text that has one there;
    failing that, the part of its scenario's operation that its breadcrumb names."""
    at_line = (pointer_at(text, finding.line, finding.column) for text in texts)
    return next(filter(None, at_line), None) or _operation_part(finding, documents)


def _operation_part(finding: Finding, documents: tuple[dict[str, Any], ...]) -> str | None:
    """The request body, parameters or response of the finding's operation, or the operation itself."""
    if finding.operation is None:
        return None
    path, method, status = finding.operation
    operation = f"/paths/{escape_pointer(path)}/{method}"
    kind = finding.breadcrumb.split(".", 2)[:2]
    if kind == ["REQUEST", "BODY"]:
        candidates = [f"{operation}/requestBody"]
    elif kind[:1] == ["REQUEST"]:
        candidates = [f"{operation}/parameters"]
    elif kind[:1] == ["RESPONSE"]:
        # Specmatic numbers the default response 1000.
        candidates = [f"{operation}/responses/{'default' if status == '1000' else status}"]
    else:
        candidates = []
    candidates += [operation, f"/paths/{escape_pointer(path)}"]
    return next(
        (
            where
            for where in candidates
            if any(resolve(document, where) is not None for document in documents)
        ),
        None,
    )


def _attach(
    findings: list[Finding],
    texts: tuple[str, str],
    changes: list[Change],
    documents: tuple[dict[str, Any], ...],
) -> tuple[dict[int, list[Finding]], list[tuple[Finding, str]]]:
    """The findings of each change (by index), and those that match no change, each with the place it
    names: by its scenario and breadcrumb, else (no route in either document) by its line and column."""
    by_change: dict[int, list[Finding]] = {}
    alone = []
    candidates = [index for index, change in enumerate(changes) if not change.is_documentation]
    for finding in findings:
        found = match(finding, changes, candidates, documents)
        if found.place is None:
            where = _location(finding, texts, documents)
            found = match_at(finding, changes, candidates, where) if where else found
        place = found.place or _SOMEWHERE
        for index in found.changes:
            by_change.setdefault(index, []).append(finding)
        if not found.changes:
            alone.append((finding, place))
    return by_change, alone
