"""Compares two texts of the spec: the structural diff, Specmatic both ways, then the rules.

The rows of the table are the changes of the structural diff. Each Specmatic finding is attached
to the change it is about: Specmatic locates a finding by a line and column of the document it
took as the newer one (or, for a part only the other has, of the other), which is turned into a
JSON pointer (failing that, the part of the operation its scenario and breadcrumb name: the request
body, the parameters or the response); the finding goes to the changes inside that part of the
document (following `$ref`s), or, if there are none, inside its parent, and so on up; of several,
to those about the field its breadcrumb names, and of those to the ones of the kind its rule is
about (a property's presence for R2xxx, a type for R1001, ...). A finding that matches no change gets
a row of its own, at the place it was located.

Specmatic is given one canonical text of each document, so the formatting of the files (YAML
re-dumped by a library, JSON, flow style) changes nothing; two texts of the same document have no
changes, and Specmatic is not run for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from contract_tests.api.document import SpecError, check_openapi, escape_pointer
from contract_tests.compat.diff import Change, diff
from contract_tests.compat.document import (
    YAML_LOADER,
    contexts,
    is_within,
    parent,
    pointer_at,
    reached_from,
    resolve,
    segments,
    usages,
)
from contract_tests.compat.rules import Context, Impact, classify
from contract_tests.compat.specmatic import Finding, check_pairs, mark_tool_failures

# The row of a finding that cannot be placed anywhere more precise: somewhere in the operations.
_SOMEWHERE = "/paths"
# What each Specmatic rule (by id prefix) is about, as the last keywords of the changes it speaks of.
_TYPE_KEYWORDS = frozenset({"type", "enum", "const", "format", "items", "$ref", "oneOf", "anyOf", "allOf"})
_RULE_TOPICS = {
    "R1001": _TYPE_KEYWORDS,
    "R1002": frozenset({"enum", "const", "default"}),
    "R1003": frozenset(
        {"pattern", "format", "maxLength", "minLength", "maximum", "minimum", "exclusiveMaximum"}
        | {"exclusiveMinimum", "maxItems", "minItems", "maxProperties", "minProperties", "multipleOf"}
    ),
    "R2": frozenset({"required", "properties", "additionalProperties"}),
    "R3": frozenset({"oneOf", "anyOf", "allOf", "discriminator", "mapping", "propertyName"}),
}


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
    parsed: dict[str, tuple[dict[str, Any], str]] = {}  # the fixture suite compares many edits with one spec
    for spec in (spec for pair in pairs for spec in pair):
        if spec.text not in parsed:
            document = parse(spec)
            parsed[spec.text] = (document, canonical_text(document))
    documents = [(parsed[older.text][0], parsed[newer.text][0]) for older, newer in pairs]
    texts = [(parsed[older.text][1], parsed[newer.text][1]) for older, newer in pairs]
    # Equal documents (formatted otherwise) have nothing for Specmatic to find; a pair of documents
    # that another pair also has (formatted otherwise) is checked once.
    changed = list(
        dict.fromkeys(pair for pair, (older, newer) in zip(texts, documents, strict=True) if older != newer)
    )
    found = check_pairs([pair for older_newer in changed for pair in (older_newer, older_newer[::-1])])
    findings = {pair: (found[2 * position], found[2 * position + 1]) for position, pair in enumerate(changed)}
    return [
        _rows(pair, document_pair, *findings.get(pair, ([], [])))
        for pair, document_pair in zip(texts, documents, strict=True)
    ]


def canonical_text(document: dict[str, Any]) -> str:
    """The one text of a document that Specmatic is given, whatever the formatting of the file.

    Block-style YAML in the document's own key order, without anchors: Specmatic does not recognize
    every formatting (it skips a spec written in YAML's flow style), and its lines and columns are
    then read in this text too.
    """
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


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
    texts: tuple[str, str],
    documents: tuple[dict[str, Any], dict[str, Any]],
    forward: list[Finding],
    reverse: list[Finding],
) -> list[Row]:
    """The rows of one pair, from the findings of Specmatic run old -> new and new -> old."""
    (older_text, newer_text), (older, newer) = texts, documents
    changes = diff(older, newer)
    # Where Specmatic itself failed, it found nothing: the rows it would be about say so.
    forward, reverse = mark_tool_failures(forward, reverse)
    failures = [finding for finding in (*forward, *reverse) if finding.tool_failure]
    forward = [finding for finding in forward if not finding.tool_failure]
    reverse = [finding for finding in reverse if not finding.tool_failure]
    # Specmatic locates a finding in the document it took as the newer one (the old spec when
    # reversed), except one about a part only the other has: try that document next.
    forward_by_change, forward_alone = _attach(forward, (newer_text, older_text), changes, (newer, older))
    reverse_by_change, reverse_alone = _attach(reverse, (older_text, newer_text), changes, (older, newer))
    failed_at, failed_anywhere = _attach(failures, (newer_text, older_text), changes, (newer, older))
    usage = (usages(older), usages(newer))
    rows = []
    for index, change in enumerate(changes):
        used_in = frozenset().union(*(contexts(pointer, *usage) for pointer in change.pointers))
        verdict = classify(
            change,
            Context(used_in, older, newer),
            forward_by_change.get(index, []),
            reverse_by_change.get(index, []),
        )
        failed = [finding.reason() for finding in (*failed_at.get(index, []), *failed_anywhere)]
        reasons = tuple(dict.fromkeys((*verdict.reasons, *failed)))
        rows.append(Row(change.pointer, change.summary(), verdict.impacts, reasons))
    for findings, texts_tried, documents_tried, impact, reversed_run in (
        (forward_alone, (newer_text, older_text), (newer, older), Impact.CLIENTS, False),
        (reverse_alone, (older_text, newer_text), (older, newer), Impact.SERVERS, True),
    ):
        for finding in findings:
            pointer = _location(finding, texts_tried, documents_tried) or _SOMEWHERE
            summary = (
                f"Specmatic finding at {finding.breadcrumb}" if finding.breadcrumb else "Specmatic finding"
            )
            rows.append(Row(pointer, summary, frozenset({impact}), (finding.reason(reversed_run),)))
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
) -> tuple[dict[int, list[Finding]], list[Finding]]:
    """The findings of each change (by index), and the findings that match no change."""
    by_change: dict[int, list[Finding]] = {}
    alone = []
    candidates = [index for index, change in enumerate(changes) if not change.is_documentation]
    for finding in findings:
        start = _location(finding, texts, documents)
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
        hits = [
            i
            for i in candidates
            if any(is_within(where, prefix) for where in changes[i].pointers for prefix in reached)
        ]
        if hits:
            # Of several, prefer those about the field the breadcrumb names, then of the rule's kind.
            hits = [i for i in hits if field in segments(changes[i].pointer)] or hits
            return [i for i in hits if _is_about(finding.rule, changes[i])] or hits
        if not pointer:
            return []
        pointer = parent(pointer)


def _is_about(rule: str, change: Change) -> bool:
    """Whether `change` is of the kind Specmatic's `rule` speaks of (R2001: a field's presence, ...)."""
    topic = _RULE_TOPICS.get(rule) or _RULE_TOPICS.get(rule[:2], frozenset())
    if rule.startswith("R2") and change.is_field:
        return True
    return bool(topic.intersection(segments(change.pointer)[-1:]))
