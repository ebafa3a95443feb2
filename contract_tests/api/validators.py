"""Validating JSON values against the spec's schemas: JSON Schema 2020-12 with ECMA-262 patterns.

OpenAPI 3.1 says a schema's `pattern` is an ECMA-262 regex; Python's `re` reads some of it otherwise, so
every validator of the project is built here, with the pattern keyword rewritten to mean what the spec says.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
from jsonschema import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contract_tests.api.document import NotInlinable, inline_refs, node_at, spec

_SPEC_URI = "urn:assistants-contract:openapi"
# ECMA-262's \s: its WhiteSpace and LineTerminator code points (Python's \s, with re.ASCII, has only ASCII).
_ECMA_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_LINE_TERMINATORS = "\n\r\u2028\u2029"


def ecma_regex(pattern: str) -> str:
    """Rewrite an ECMA-262 `pattern` so Python's `re` (compiled with re.ASCII) gives it the same meaning.

    JSON Schema patterns are ECMA-262 regexes: `$` matches only at the very end of the string (Python's
    also before a final newline, so `^[a-z]+$` would accept "abc\\n"); `\\w`, `\\d` and `\\b` are ASCII
    (re.ASCII); `\\s` is Unicode white space; `.` is any character but a line terminator.
    """
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
            if char == "s":
                out[-1] = _ECMA_SPACE if in_class else f"[{_ECMA_SPACE}]"
                continue
            if char == "S" and not in_class:
                out[-1] = f"[^{_ECMA_SPACE}]"
                continue
        elif char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        elif char == "." and not in_class:
            out.append(f"[^{_LINE_TERMINATORS}]")
            continue
        out.append(char)
    return "".join(out)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_regex(pattern), re.ASCII)


def matches(pattern: str, text: str) -> bool:
    """Whether `text` matches the ECMA-262 `pattern` (unanchored, as JSON Schema's `pattern` is)."""
    try:
        return bool(_compiled(pattern).search(text))
    except re.error:
        return True  # a pattern Python cannot compile constrains nothing this project can check


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 with ECMA-262 `pattern` semantics, as OpenAPI 3.1 requires.
SpecValidator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator, {"pattern": _ecma_pattern}
)


def validator_for(
    pointer: str, document: dict[str, Any] | None = None, cls: Any = None
) -> jsonschema.Validator:
    """A JSON Schema 2020-12 validator for the schema at a JSON pointer into the document.

    `pointer` is a fragment such as ``/components/schemas/AssistantObject``; `$ref`s inside the
    schema resolve against the whole document.
    """
    document = spec() if document is None else document
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    validator: jsonschema.Validator = (cls or SpecValidator)(
        {"$ref": f"{_SPEC_URI}#{pointer}"}, registry=registry
    )
    return validator


def inlined_validator(
    pointer: str, document: dict[str, Any] | None = None, cls: Any = None
) -> jsonschema.Validator:
    """Like `validator_for`, with the `$ref`s resolved once when that is safe.

    jsonschema looks every `$ref` up again on each validation, which was most of a request's time in
    the reference server; an inlined schema applies the same keywords in the same order.
    """
    document = spec() if document is None else document
    try:
        schema = inline_refs(document, node_at(document, pointer))
    except NotInlinable:
        return validator_for(pointer, document, cls)
    validator: jsonschema.Validator = (cls or SpecValidator)(schema)
    # A validator of another class (the gallery's, with a defect) is used as it is.
    return compiled(schema, validator) if cls is None else validator


# --- a compiled validator, where it judges as the spec's does -------------------------------------------

# What a pattern may hold for jsonschema-rs (Rust's regex) to read it as ECMA-262 does: classes of
# literal characters and ranges, anchors, groups, quantifiers. `\d`, `\w`, `\s`, `\b` and `.` mean
# other things in Rust (Unicode classes, `.` matching `\u2028`), so a schema with one is left to Python.
_NEUTRAL = re.compile(r"(?:[^\\.]|\\[\^$\\.*+?()\[\]{}|/\-])*")


def _keywords(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (keyword, value) of a schema and of the schemas inside it (not inside the JSON values a schema
    holds: enum, const, default, examples)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            if key not in ("enum", "const", "default", "examples", "example"):
                yield from _keywords(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keywords(item)


def _patterns(schema: Any) -> Iterator[str]:
    for key, value in _keywords(schema):
        if key == "pattern" and isinstance(value, str):
            yield value
        elif key == "patternProperties" and isinstance(value, dict):
            yield from (str(name) for name in value)


class FastValidator:
    """A schema's validator that answers `is_valid` with jsonschema-rs (compiled: two orders of magnitude
    faster) and everything else with the spec's own Python validator, which also answers any value
    jsonschema-rs cannot take (a lone surrogate, an integer past 64 bits). Both judge alike: tested."""

    def __init__(self, compiled: Any, python: jsonschema.Validator, schema: Any) -> None:
        self.compiled = compiled
        self.python = python
        self.schema = schema  # the inlined schema both engines judge by

    def is_valid(self, instance: Any) -> bool:
        try:
            return bool(self.compiled.is_valid(instance))
        except Exception:  # a value Rust cannot hold: the Python validator judges it
            return bool(self.python.is_valid(instance))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.python, name)


def compiled(schema: Any, python: jsonschema.Validator) -> jsonschema.Validator:
    """`python`, or a FastValidator of the same (inlined, self-contained) schema where jsonschema-rs reads
    it as the spec's does: every pattern neutral between the dialects, and every `multipleOf` whole (of a
    fraction, the engines differ: 0.07 is a multiple of 0.01 to jsonschema-rs, not to Python's floats)."""
    try:
        import jsonschema_rs  # noqa: PLC0415 (schemathesis's own dependency; optional here)
    except ImportError:
        return python
    if not all(_NEUTRAL.fullmatch(pattern) for pattern in _patterns(schema)):
        return python
    steps = [value for key, value in _keywords(schema) if key == "multipleOf"]
    if not all(isinstance(step, int) and not isinstance(step, bool) for step in steps):
        return python
    try:
        rust = jsonschema_rs.Draft202012Validator(schema, validate_formats=False)
    except Exception:  # a schema it does not take: Python's judges
        return python
    fast: jsonschema.Validator = FastValidator(rust, python, schema)  # type: ignore[assignment]
    return fast
