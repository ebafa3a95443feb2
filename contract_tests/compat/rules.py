"""The classification rules: does a change break existing clients, existing servers, or neither?

The principle: a request schema says what clients may send and servers must accept; a response
schema says what servers may send and clients must handle. So

* in a request, accepting fewer values (narrower) breaks clients, accepting more (wider) breaks
  servers, which were written to accept only the old values;
* in a response, sending more values (wider) breaks clients, which were written to handle only the
  old values, and promising fewer (narrower) breaks servers.

A schema shared by requests and responses (the tool objects) is both, so widening or narrowing it
breaks both. Where the schema is reached from (a request body, a parameter, a response, through any
chain of `$ref`s) is found by contract_tests.compat.document.usages, and every rule of this module
turns "narrower" and "wider" into impacts through one function, ``_impacts``: so the same edit is
judged alike in every schema it is made in. Worked through for the usual edits:

* a new optional request field: wider, breaks servers where the request schema is closed (old
  servers reject the field); compatible where it is open (they ignore it);
* a request field made optional, or nullable: wider, breaks servers (old servers reject a request
  without it, or with null);
* a lower ``maxLength`` in a request: narrower, breaks clients (what they sent is now rejected);
* a new ``oneOf`` branch of the tools (a new tool type): wider in the request (old servers reject the
  new tool: breaks servers) and in the response (old clients meet a tool they do not handle: breaks
  clients); a removed branch is narrower in both, so it breaks both as well;
* a new operation: no existing client calls it, so nothing a client does changes: compatible for
  clients. But the spec now promises an operation that a server written against the old spec does
  not serve (it answers 404): breaks servers, as a new promise in a response does. A removed
  operation is the reverse: old clients call what is no longer there (breaks clients), and a server
  may keep serving it (compatible for servers).

Specmatic judges most changes. Run old -> new, its findings break clients; run new -> old (the old
spec taken as the newer one), its findings are changes a server written against the old spec does
not keep up with, so they break servers. Where Specmatic misses a class of change that matters for
this API, a rule of this module decides (each is named in the README and has a fixture):

* ``required field``: a field made required, or added required, is narrower; one made optional, or
  removed while required, wider. Specmatic finds most (R2001), but not a field that its schema only
  names in ``required`` (no property of that name) and that goes.
* ``closed request schema``: a field added to or removed from a request schema with
  ``additionalProperties: false``. Old servers reject the new field (breaks servers); old clients
  still send the removed one and are rejected (breaks clients). Specmatic ignores
  ``additionalProperties: false`` here.
* ``limit or pattern``: ``maxLength``, ``minLength``, ``maxItems``, ``minItems``, ``maxProperties``,
  ``minProperties``, ``maximum``, ``minimum`` and their exclusive forms, which Specmatic does not
  compare; and ``pattern``, which Specmatic checks only where it narrows a request. A changed pattern
  counts as both narrower and wider: whether one regular expression accepts a subset of another is
  not checked.
* ``type``: a type widened from ``integer`` to ``number``, which Specmatic accepts.
* ``operation added or removed``: as worked through above. Specmatic reports most, but not one whose
  scenario it could not build, nor one that a flaw of the spec keeps from it.
* ``branches of a union``: a branch added to a ``oneOf`` or ``anyOf`` is wider, one removed narrower
  (an ``allOf`` part added is narrower); a branch renamed, the same schema under another name, is
  neither. This rule alone decides such a change: Specmatic's findings on a union depend on which
  branch it happened to try a value against, and differ from one schema to the next for the same
  edit; where they would decide otherwise they are shown, marked overruled.

And three cases Specmatic's verdict is overruled:

* documentation only (descriptions, summaries, examples, `info`, `tags`): compatible;
* a new documented response status: compatible. The reverse run reports it as an operation the
  old spec lacks, but a server need not send every documented status.
* a schema written another way (an inline schema replaced by a ``$ref`` to an equal one, or the
  reverse): compatible, the same JSON is accepted and sent. Specmatic reads some such moves as a
  change (a multipart part that becomes a ``$ref``).

A reason names what decided: Specmatic's finding in words (its rule, the rule's title, the request or
response part and its message, with "(new -> old)" for the reversed run), a rule (``rule: <name>``)
or an overrule.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract_tests.api.document import METHODS
from contract_tests.compat.diff import ABSENT, Change
from contract_tests.compat.document import REQUEST, RESPONSE, meaning, parent, resolve, segments
from contract_tests.compat.specmatic import Finding

DOCUMENTATION_ONLY = "documentation only"
NEW_RESPONSE_STATUS = "new response status: a server need not send it (overrules Specmatic new -> old)"
SAME_SCHEMA = "the same schema written another way: no value changes (overrules Specmatic)"


class Impact(enum.Enum):
    CLIENTS = "breaks clients"
    SERVERS = "breaks servers"


@dataclass(frozen=True)
class Context:
    """What a rule may look at besides the change itself."""

    used_in: frozenset[str]  # REQUEST and/or RESPONSE
    older: dict[str, Any]
    newer: dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    impacts: frozenset[Impact]  # empty: compatible
    reasons: tuple[str, ...]


def classify(change: Change, context: Context, forward: list[Finding], reverse: list[Finding]) -> Verdict:
    """The impacts of one change, given the Specmatic findings attached to it in each direction."""
    if change.is_documentation:
        return Verdict(frozenset(), (DOCUMENTATION_ONLY,))
    said = [
        *(finding.reason() for finding in forward),
        *(finding.reason(reversed_run=True) for finding in reverse),
    ]
    if change.same_meaning:
        return Verdict(frozenset(), tuple(dict.fromkeys((SAME_SCHEMA, *(f"{r} (overruled)" for r in said)))))
    impacts: set[Impact] = set()
    reasons: list[str] = []
    # Branches added to or removed from a union are judged by their direction alone, so that the same
    # edit is judged alike in every schema it is made in: Specmatic's findings on a union depend on
    # which branch it tried, and are shown but decide nothing.
    decided = union_branches(change, context) if _is_union_of_branches(change) else None
    for findings, impact, reversed_run in ((forward, Impact.CLIENTS, False), (reverse, Impact.SERVERS, True)):
        words = [finding.reason(reversed_run=reversed_run) for finding in findings]
        if not words:
            continue
        if reversed_run and _is_new_response_status(change):
            reasons.append(NEW_RESPONSE_STATUS)
        elif decided is not None and impact not in decided:
            reasons += [f"{reason} (overruled by the rule: {union_branches.__doc__})" for reason in words]
        else:
            impacts.add(impact)
            reasons += words
    for rule in PROJECT_RULES:
        found = rule(change, context)
        if found:
            impacts |= found
            reasons.append(f"rule: {rule.__doc__ or rule.__name__}")
    return Verdict(frozenset(impacts), tuple(dict.fromkeys(reasons)))


# The project's rules: each returns the impacts it finds (empty when it does not apply), and its
# docstring is the reason shown in the table.


def closed_request_schema(change: Change, context: Context) -> set[Impact]:
    """closed request schema"""
    if not change.is_field or REQUEST not in context.used_in:
        return set()
    schema_pointer = parent(parent(change.pointer))
    if change.old is ABSENT and _is_closed(resolve(context.newer, schema_pointer)):
        return {Impact.SERVERS}
    if change.new is ABSENT and _is_closed(resolve(context.older, schema_pointer)):
        return {Impact.CLIENTS}
    return set()


_MAXIMA = {"maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum"}
_MINIMA = {"minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum"}


def limit(change: Change, context: Context) -> set[Impact]:
    """limit or pattern"""
    keyword = _schema_keyword(change)
    old, new = change.old, change.new
    if keyword in _MAXIMA or keyword in _MINIMA:
        # How loose each bound is: larger is looser (a minimum is negated); no bound is the loosest.
        sign = 1 if keyword in _MAXIMA else -1
        old_looseness, new_looseness = _looseness(old, sign), _looseness(new, sign)
        return _impacts(new_looseness < old_looseness, new_looseness > old_looseness, context.used_in)
    if keyword == "pattern":
        return _impacts(narrower=new is not ABSENT, wider=old is not ABSENT, used_in=context.used_in)
    return set()


def type_widened_to_number(change: Change, context: Context) -> set[Impact]:
    """type"""
    if _schema_keyword(change) != "type":
        return set()
    old, new = _types(change.old), _types(change.new)
    if "integer" in old and "number" not in old and "number" in new:
        return _impacts(narrower=False, wider=True, used_in=context.used_in)
    return set()


def required_field(change: Change, context: Context) -> set[Impact]:
    """required field"""
    if not change.is_field:
        return set()
    name = segments(change.pointer)[-1]
    old_schema = resolve(context.older, parent(parent(change.pointer)))
    required = old_schema.get("required") if isinstance(old_schema, dict) else None
    was_required = change.old is not ABSENT and isinstance(required, list) and name in required
    is_required = bool(change.field_required) and change.new is not ABSENT
    # Required is narrower (a value without the field is refused), optional wider.
    return _impacts(
        narrower=is_required and not was_required,
        wider=was_required and not is_required,
        used_in=context.used_in,
    )


def operation_added_or_removed(change: Change, context: Context) -> set[Impact]:
    """operation added or removed"""
    parts = segments(change.pointer)
    if parts[:1] != ["paths"] or len(parts) not in (2, 3) or (change.old is ABSENT) == (change.new is ABSENT):
        return set()
    added = change.old is ABSENT
    value = change.new if added else change.old
    if not isinstance(value, dict):
        return set()
    if not (parts[-1] in METHODS if len(parts) == 3 else any(method in value for method in METHODS)):
        return set()
    return {Impact.SERVERS} if added else {Impact.CLIENTS}


def union_branches(change: Change, context: Context) -> set[Impact]:
    """branches of a union"""
    if not _is_union_of_branches(change):
        return set()
    keyword = _schema_keyword(change)
    # A branch renamed (its schema moved to another name) or merely reordered is no new branch.
    old_values = [meaning(context.older, item) for item in change.old]
    new_values = [meaning(context.newer, item) for item in change.new]
    added = any(new_values[index] not in old_values for index in change.added)
    removed = any(old_values[index] not in new_values for index in change.removed)
    if keyword == "allOf":  # a value must satisfy every part: a part added narrows, a part removed widens
        return _impacts(narrower=added, wider=removed, used_in=context.used_in)
    return _impacts(narrower=removed, wider=added, used_in=context.used_in)


PROJECT_RULES: tuple[Callable[[Change, Context], set[Impact]], ...] = (
    required_field,
    closed_request_schema,
    limit,
    type_widened_to_number,
    operation_added_or_removed,
    union_branches,
)


def _impacts(narrower: bool, wider: bool, used_in: frozenset[str]) -> set[Impact]:
    """The principle of this module: what a narrower or wider set of valid values breaks, and where."""
    impacts = set()
    if REQUEST in used_in:
        impacts |= {Impact.CLIENTS} if narrower else set()
        impacts |= {Impact.SERVERS} if wider else set()
    if RESPONSE in used_in:
        impacts |= {Impact.CLIENTS} if wider else set()
        impacts |= {Impact.SERVERS} if narrower else set()
    return impacts


def _schema_keyword(change: Change) -> str | None:
    """The keyword a change edits, unless the change is a whole field (a property so named)."""
    parts = segments(change.pointer)
    if change.is_field or len(parts) < 2 or parts[-2] == "properties":
        return None
    return parts[-1]


def _looseness(bound: Any, sign: int) -> float:
    if isinstance(bound, int | float) and not isinstance(bound, bool):
        return sign * float(bound)
    return float("inf")


def _is_union_of_branches(change: Change) -> bool:
    """A `oneOf`, `anyOf` or `allOf` that gained or lost branches."""
    return change.is_list_of_items and _schema_keyword(change) in ("oneOf", "anyOf", "allOf")


def _is_closed(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("additionalProperties") is False


def _types(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    return {item for item in value if isinstance(item, str)} if isinstance(value, list) else set()


def _is_new_response_status(change: Change) -> bool:
    parts = segments(change.pointer)
    return change.old is ABSENT and len(parts) == 5 and parts[0] == "paths" and parts[3] == "responses"
