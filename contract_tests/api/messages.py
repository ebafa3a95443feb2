"""Where a JSON value breaks a schema, in words a stranger can act on: the JSON pointer, then what the
keyword demands and what was there, values shown as JSON (`name is 257 characters; at most 256 are
allowed`). The suite's failures, the reference server's errors and a mock's report all say it so."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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


def part_pointer(error: Any) -> str:
    """The pointer of the property an error is about, one deeper than `pointer` where the error is the
    object's: the property it lacks (`required`) or should not have (`additionalProperties`). A form or
    an upload's error names its part so."""
    where = pointer(error.absolute_path)
    instance, expected = error.instance, error.validator_value
    if not isinstance(instance, dict):
        return where
    if error.validator == "required" and isinstance(expected, list):
        missing = [name for name in expected if name not in instance]
        return f"{where}/{escape_pointer(str(missing[0]))}" if missing else where
    if error.validator == "additionalProperties":
        known = (error.schema or {}).get("properties", {}) if isinstance(error.schema, dict) else {}
        unknown = [name for name in instance if name not in known]
        return f"{where}/{escape_pointer(str(unknown[0]))}" if unknown else where
    return where


@dataclass
class ErrorView:
    """What a message needs of a validation error, whichever engine found it (jsonschema's own errors have
    the same attributes)."""

    validator: str  # the keyword that failed
    validator_value: Any
    instance: Any
    absolute_path: list[str | int]
    schema: Any = None
    context: list[ErrorView] = field(default_factory=list)
    # False where the view may not say what jsonschema says: a keyword read here by no rule of its own,
    # or one the engine reports under another name (`dependentRequired` as `required`).
    exact: bool = True


def _node(schema: Any, path: list[Any]) -> Any:
    """The schema node a jsonschema-rs error's schema path leads to (None where it cannot be followed)."""
    node = schema
    for part in path:
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (LookupError, ValueError, TypeError):
            return None
    return node


def _instance(error: Any, root: Any) -> Any:
    """The value at fault as the caller gave it: jsonschema-rs hands back a copy with its keys sorted,
    and a message names the first unknown key in the order it was sent."""
    node = root
    for part in error.instance_path:
        try:
            node = node[part]
        except (LookupError, TypeError):
            return error.instance
    return node


def _view(error: Any, schema: Any, root: Any, path: list[str | int] | None = None) -> ErrorView:
    """A jsonschema-rs error as a view, with what the schema itself says where the engine is terse (the
    properties an object allows, the order of its types)."""
    kind = error.kind
    where = list(error.instance_path) if path is None else path
    instance = _instance(error, root) if path is None else error.instance
    name = kind.name
    owner = _node(schema, list(error.schema_path)[:-1])
    if name in ("oneOf", "anyOf"):
        context = [_view(sub, schema, root) for branch in kind.context for sub in branch]
        return ErrorView(name, None, instance, where, context=context)
    if name == "propertyNames":  # as jsonschema reports it: the key's keyword, at the object
        return _view(kind.as_dict()["error"], schema, root, where)
    found = kind.as_dict()
    value: Any = found
    if "limit" in found:
        value = found["limit"]
    elif name == "type":
        declared = owner.get("type") if isinstance(owner, dict) else None
        types = declared if declared is not None else list(found.get("types", []))
        value = types[0] if isinstance(types, list) and len(types) == 1 else types
    elif name == "required":
        value = [found.get("property")]
    elif name == "enum":
        value = found.get("options")
    elif name == "const":
        value = found.get("expected_value")
    elif name == "pattern":
        value = found.get("pattern")
    elif name == "multipleOf":
        value = found.get("multiple_of")
    elif name == "additionalProperties":
        value = False
    schema_path = list(error.schema_path)
    exact = name in _READ and bool(schema_path) and schema_path[-1] == name
    return ErrorView(name, value, instance, where, owner if isinstance(owner, dict) else None, exact=exact)


# The keywords whose errors `_view` reads as jsonschema does (the bounds carry their `limit`).
_READ = frozenset(
    {"type", "required", "enum", "const", "pattern", "multipleOf", "additionalProperties"}
    | {"maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties"}
    | {"maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"}
)


def _settled(view: ErrorView) -> bool:
    """Whether `_deepest` reaches the same error from this view as from jsonschema's: the keywords are read
    exactly and no choice on the way depends on the order the engine lists errors in."""
    if view.validator in ("oneOf", "anyOf"):
        if not view.context:
            return False
        deepest = max(len(sub.absolute_path) for sub in view.context)
        candidates = [sub for sub in view.context if len(sub.absolute_path) == deepest]
        if len(candidates) > 1 and all(sub.validator in ("enum", "const") for sub in candidates):
            return all(sub.exact for sub in candidates)
        preferred = [sub for sub in candidates if sub.validator != "const"] or candidates
        return len(preferred) == 1 and _settled(preferred[0])
    return view.exact


def first_error(validator: jsonschema.Validator, value: Any) -> Any:
    """The error that names the field at fault (a jsonschema ValidationError, or an ErrorView of the same
    shape from the compiled engine): the shallowest, then inside a `oneOf` the branch the value is
    closest to; None for a valid value.

    The compiled engine answers where its answer cannot differ from jsonschema's: one shallowest error,
    settled all the way down. Where errors tie, jsonschema's choice rests on the order it walks the schema
    in, so jsonschema itself makes it."""
    compiled = getattr(validator, "compiled", None)
    schema = getattr(validator, "schema", None)
    if compiled is not None:
        try:
            # Most values a client sends are valid, and the yes-or-no answer is the cheaper one.
            views = (
                []
                if compiled.is_valid(value)
                else [_view(e, schema, value) for e in compiled.iter_errors(value)]
            )
        except Exception:  # a value the compiled engine cannot take: the Python validator explains it
            views = None
        if views is not None:
            if not views:
                return None
            depth = min(len(view.absolute_path) for view in views)
            shallowest = [view for view in views if len(view.absolute_path) == depth]
            if len(shallowest) == 1 and _settled(shallowest[0]):
                return _deepest(shallowest[0])
    error = best_match(validator.iter_errors(value), key=_relevance)
    return None if error is None else _deepest(error)


def explain(validator: jsonschema.Validator, value: Any) -> str | None:
    """`at /name: name is 257 characters; at most 256 are allowed ...`, or None for a valid value."""
    error = first_error(validator, value)
    if error is None:
        return None
    return f"at {pointer(error.absolute_path) or '/'}: {message(error)}"


def _relevance(error: Any) -> tuple[int, ...]:
    return (-len(error.absolute_path),)


def _deepest(error: Any) -> Any:
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


def message(error: Any) -> str:  # noqa: PLR0911 (one sentence per keyword)
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
