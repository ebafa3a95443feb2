"""Where a JSON value breaks a schema, in words a stranger can act on: the JSON pointer, then what the
keyword demands and what was there, values shown as JSON (`name is 257 characters; at most 256 are
allowed`). The suite's failures, the reference server's errors and a mock's report all say it so."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from contract_tests.api.document import escape_pointer


def show(value: Any, limit: int = 120) -> str:
    """`value` as JSON text (not a Python repr), cut to `limit` characters."""
    try:
        shown = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        shown = str(value)
    return shown if len(shown) <= limit else shown[:limit] + "..."


def pointer(path: Any) -> str:
    """A validation error's path as a JSON pointer (RFC 6901)."""
    return "".join(f"/{escape_pointer(str(part))}" for part in path)


def first_error(validator: jsonschema.Validator, value: Any) -> jsonschema.ValidationError | None:
    """The error that names the field at fault: the deepest, inside the `oneOf` branch the value is
    closest to; None for a valid value."""
    error = best_match(validator.iter_errors(value), key=_relevance)
    return None if error is None else _deepest(error)


def explain(validator: jsonschema.Validator, value: Any) -> str | None:
    """`at /name: name is 257 characters; at most 256 are allowed ...`, or None for a valid value."""
    error = first_error(validator, value)
    if error is None:
        return None
    return f"at {pointer(error.absolute_path) or '/'}: {message(error)}"


def _relevance(error: jsonschema.ValidationError) -> tuple[int, ...]:
    return (-len(error.absolute_path),)


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For a `oneOf`/`anyOf` failure, the error of the branch the value matched best (the deepest
    failure), so that it names a field; when every branch fails on the same value's enum or const (an
    unknown tool `type`), one error listing every value the branches allow."""
    while error.context:
        deepest = max(len(sub.absolute_path) for sub in error.context)
        candidates = [sub for sub in error.context if len(sub.absolute_path) == deepest]
        if len(candidates) > 1 and all(sub.validator in ("enum", "const") for sub in candidates):
            allowed: list[Any] = []
            for sub in candidates:
                given = sub.validator_value
                for value in given if sub.validator == "enum" and isinstance(given, list) else [given]:
                    if value not in allowed:
                        allowed.append(value)
            return jsonschema.ValidationError(
                "",
                validator="enum",
                validator_value=allowed,
                instance=candidates[0].instance,
                path=candidates[0].absolute_path,
            )
        error = max(candidates, key=lambda sub: sub.validator != "const")
    return error


_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
    "null": "null",
}


def _types(expected: Any) -> str:
    kinds = expected if isinstance(expected, list) else [expected]
    return " or ".join(_TYPE_WORDS.get(str(kind), str(kind)) for kind in kinds)


def message(error: jsonschema.ValidationError) -> str:  # noqa: PLR0911 (one sentence per keyword)
    """What the keyword demands and what was there, the limit first so that a cut keeps the reason."""
    keyword, expected, instance = error.validator, error.validator_value, error.instance
    name = str(error.absolute_path[-1]) if error.absolute_path else "the value"
    if keyword == "required" and isinstance(instance, dict) and isinstance(expected, list):
        missing = [field for field in expected if field not in instance]
        return f"the required property {show(missing[0] if missing else '?')} is missing"
    if keyword == "type":
        return f"{name} must be {_types(expected)}, got {show(instance, 80)}"
    if keyword in ("maxLength", "minLength") and isinstance(instance, str):
        bound = "at most" if keyword == "maxLength" else "at least"
        return (
            f"{name} is {len(instance)} characters; {bound} {expected} are allowed"
            f" (counted in Unicode code points): {show(instance, 60)}"
        )
    if keyword in ("maxItems", "minItems") and isinstance(instance, list):
        bound = "at most" if keyword == "maxItems" else "at least"
        return f"{name} has {len(instance)} items; {bound} {expected} are allowed"
    if keyword in ("maxProperties", "minProperties") and isinstance(instance, dict):
        bound = "at most" if keyword == "maxProperties" else "at least"
        return f"{name} has {len(instance)} properties; {bound} {expected} are allowed"
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        unknown = [field for field in instance if field not in known]
        allowed = show(list(known), 200)
        return f"unknown property {show(unknown[0] if unknown else '?')}: the object allows only {allowed}"
    if keyword in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"):
        side = {
            "maximum": "at most",
            "minimum": "at least",
            "exclusiveMaximum": "below",
            "exclusiveMinimum": "above",
        }
        return f"{name} is {show(instance)}; it must be {side[keyword]} {show(expected)}"
    if keyword == "enum":
        return f"{name} is {show(instance, 80)}, not one of {show(expected, 200)}"
    if keyword == "const":
        return f"{name} is {show(instance, 80)}, not {show(expected)}"
    if keyword == "pattern":
        return f"{name} {show(instance, 80)} does not match the pattern {show(expected)}"
    if keyword == "propertyNames":
        return f"a key of {name} breaks the rule for keys: {show(expected, 120)}"
    if keyword in ("oneOf", "anyOf"):
        return f"{name} matches none of the allowed kinds: {show(instance, 120)}"
    return f"{keyword} {show(expected, 120)} does not hold for {show(instance, 120)}"
