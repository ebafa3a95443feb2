"""The flaws of an OpenAPI document, each at its JSON pointer: what breaks OpenAPI, and where.

Published specs have flaws that the tools of the ecosystem (schemathesis, Prism, openapi-python-client)
load past: a `default` its own schema refuses (`default: []` beside `minItems: 1`), a keyword of the
wrong type, a `$ref` to nothing. A flaw is said where it is, and it affects only the operations that
reach it (contract_tests.api.model decides which of them can still be tested); the rest of the API is
judged as usual. Only a document that is not OpenAPI at all is refused (contract_tests.api.document).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from contract_tests.api.document import METHODS, escape_pointer, is_openapi_30, node_at, pointer_of
from contract_tests.api.validators import validator_for

MOST_SHOWN = 200  # flaws said, at most: a spec broken everywhere is said to be so in a few lines


@dataclass(frozen=True)
class Flaw:
    """One place where the document breaks OpenAPI."""

    pointer: str  # where, in the document as written
    message: str  # what is wrong, in one line
    blocks: bool = False  # no request of an operation that reaches it can be judged

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def find_flaws(raw: dict[str, Any], document: dict[str, Any]) -> tuple[Flaw, ...]:
    """Every flaw of the document: `raw` as written, `document` as 3.1 reads it (the same pointers)."""
    found: dict[str, Flaw] = {}
    places = list(schema_places(document))
    every = (
        *_structure(raw),
        *_schema_keywords(document),
        *_dangling_refs(document),
        *_defaults(document, places),
        *_unsatisfiable(document, places),
        *_undeclared(document, places),
    )
    for flaw in every:
        found.setdefault(flaw.pointer, flaw)
        if len(found) >= MOST_SHOWN:
            break
    return tuple(found.values())


# --- the OpenAPI schema of the document -----------------------------------------------------------


@functools.cache
def _meta_validator(version: str) -> jsonschema.Validator:
    from openapi_spec_validator.schemas import schema_v30, schema_v31  # noqa: PLC0415 (slow to import)

    schema = schema_v30 if version == "3.0" else schema_v31
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.Validator = cls(schema)
    return validator


def _deepest(error: ValidationError) -> ValidationError:
    """The error that says most precisely where: a `oneOf` of the meta-schema fails as a whole, its
    alternatives' errors say which keyword is wrong."""
    while error.context:
        error = max(error.context, key=lambda inner: (len(inner.absolute_path), -len(inner.context or ())))
    return error


@functools.cache
def _fast_meta_validator(version: str) -> Any:
    """The same schema compiled (jsonschema-rs): a document that keeps it, most do, is said so at once."""
    try:
        import jsonschema_rs  # noqa: PLC0415 (optional: the Python validator says the same, slower)
    except ImportError:
        return None
    from openapi_spec_validator.schemas import schema_v30, schema_v31  # noqa: PLC0415

    # The package gives its schemas as lazy proxies: a plain copy for the compiled engine.
    schema = json.loads(json.dumps(dict(schema_v30 if version == "3.0" else schema_v31)))
    return jsonschema_rs.validator_for(schema)


def _structure(raw: dict[str, Any]) -> Iterator[Flaw]:
    version = "3.0" if is_openapi_30(raw) else "3.1"
    try:
        fast = _fast_meta_validator(version)
        if fast is not None and fast.is_valid(raw):
            return
    except Exception:  # a document the compiled engine cannot take: the Python one judges
        pass
    try:
        errors = list(_meta_validator(version).iter_errors(raw))
    except Exception:  # the validator's own failure on an odd document: the other checks still speak
        return
    for error in errors:
        deepest = _deepest(error)
        where = pointer_of(*deepest.absolute_path)
        yield Flaw(where, f"not valid OpenAPI {version}: {_short(deepest.message)}")


def _schema_keywords(document: dict[str, Any]) -> Iterator[Flaw]:
    """A schema keyword of the wrong type (`maxLength: "256"`), by JSON Schema 2020-12's own meta-schema,
    which the OpenAPI 3.1 schema leaves schema objects to (the 3.0 one checks them itself). Read on the
    document as 3.1 reads it, so a 3.0 document's `nullable` is no error."""
    meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    for root in _schema_roots(document):
        try:
            errors = list(meta.iter_errors(node_at(document, root)))
        except Exception:
            continue
        for error in errors[:3]:
            deepest = _deepest(error)
            where = root + pointer_of(*deepest.absolute_path)
            yield Flaw(where, f"not a valid JSON Schema keyword value: {_short(deepest.message)}")


def _schema_roots(document: dict[str, Any]) -> Iterator[str]:
    for name in (document.get("components") or {}).get("schemas") or {}:
        yield pointer_of("components", "schemas", name)
    for where, node in _walk(document):
        if where.startswith("/components/schemas"):
            continue
        if isinstance(node, dict) and isinstance(node.get("schema"), dict) and where.count("/") >= 2:
            yield f"{where}/schema"


# --- references, defaults -------------------------------------------------------------------------


def _walk(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{where}/{escape_pointer(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}/{index}")


def _dangling_refs(document: dict[str, Any]) -> Iterator[Flaw]:
    for where, node in _walk(document):
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            try:
                node_at(document, node["$ref"][1:])
            except Exception:
                said = f"the $ref {json.dumps(node['$ref'])} points to nothing"
                yield Flaw(f"{where}/$ref", said, blocks=True)


def schema_places(document: dict[str, Any]) -> Iterator[str]:
    """The pointer of every schema object of the document that a request or a response can reach: in
    components, parameters, bodies, responses and headers, and every schema inside them."""
    for root in _schema_roots(document):
        yield from _subschemas(document, root)


_ONE = ("items", "additionalProperties", "not", "propertyNames", "contains", "if", "then", "else")
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def _subschemas(document: dict[str, Any], where: str) -> Iterator[str]:
    node = node_at(document, where)
    if not isinstance(node, dict):
        return
    yield where
    for keyword in _ONE:
        if isinstance(node.get(keyword), dict):
            yield from _subschemas(document, f"{where}/{escape_pointer(keyword)}")
    for keyword in _MANY:
        for index in range(len(node[keyword]) if isinstance(node.get(keyword), list) else 0):
            yield from _subschemas(document, f"{where}/{keyword}/{index}")
    for keyword in _MAPS:
        for name in node[keyword] if isinstance(node.get(keyword), dict) else {}:
            yield from _subschemas(document, f"{where}/{keyword}/{escape_pointer(str(name))}")


def _defaults(document: dict[str, Any], places: list[str]) -> Iterator[Flaw]:
    """A `default` its own schema refuses (OpenAPI 3.0 asks a default to match the schema)."""
    for where in places:
        node = node_at(document, where)
        if "default" not in node or "$ref" in node:
            continue
        try:  # `default` is an annotation: the node validates it as its siblings would
            errors = list(validator_for(where, document).iter_errors(node["default"]))
        except Exception:  # a schema the validator cannot read is said by the other checks
            continue
        if errors:
            shown = json.dumps(node["default"], ensure_ascii=False)[:80]
            yield Flaw(
                f"{where}/default",
                f"the default {shown} is not valid against its own schema ({_short(errors[0].message)}):"
                " not used",
            )


def _unsatisfiable(document: dict[str, Any], places: list[str]) -> Iterator[Flaw]:
    """An object schema that requires a property its own `additionalProperties: false` forbids: no value
    is valid (`required: [thread_id]` where no property of that name is declared)."""
    for where in places:
        node = node_at(document, where)
        required = node.get("required")
        if node.get("additionalProperties") is not False or not isinstance(required, list):
            continue
        if "$ref" in node or any(
            isinstance(node.get(keyword), list) for keyword in ("allOf", "anyOf", "oneOf")
        ):
            continue  # properties may come from a subschema or a `$ref` beside: the value builder decides
        declared = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        patterns = node.get("patternProperties") or {}
        for index, name in enumerate(required):
            if isinstance(name, str) and name not in declared and not patterns:
                yield Flaw(
                    f"{where}/required/{index}",
                    f"requires {json.dumps(name)}, which is not among its properties, and"
                    " `additionalProperties: false` forbids any other: no value is valid",
                    blocks=True,
                )
                break


def _undeclared(document: dict[str, Any], places: list[str]) -> Iterator[Flaw]:
    """An object schema that requires a property it never declares (any value satisfies it, as JSON
    Schema reads it; its authors most likely meant another name)."""
    for where in places:
        node = node_at(document, where)
        required, declared = node.get("required"), node.get("properties")
        if node.get("additionalProperties") is False or not isinstance(required, list):
            continue
        if (
            not isinstance(declared, dict)
            or "$ref" in node
            or any(isinstance(node.get(keyword), list) for keyword in ("allOf", "anyOf", "oneOf"))
        ):
            continue
        for index, name in enumerate(required):
            if isinstance(name, str) and name not in declared and not node.get("patternProperties"):
                yield Flaw(
                    f"{where}/required/{index}",
                    f"requires {json.dumps(name)}, which is not among its properties: any value satisfies"
                    " it (the reference server answers null)",
                )


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 200 else line[:197] + "..."


def operation_pointers(document: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(path, method, pointer) of every operation the document declares."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield str(path), method, pointer_of("paths", str(path), method)


def reach(document: dict[str, Any], pointer: str) -> frozenset[str]:
    """The pointers an operation reaches: its own and its path item's (parameters), and the target of
    every `$ref` inside them, transitively. A flaw inside one of them is one of the operation's."""
    item = pointer.rsplit("/", 1)[0]
    return closure(document, (pointer, f"{item}/parameters"))


def closure(document: dict[str, Any], pointers: Iterable[str]) -> frozenset[str]:
    """The pointers given and the target of every `$ref` inside them, transitively."""
    found = set(pointers)
    pending = list(found)
    while pending:
        try:
            node = node_at(document, pending.pop())
        except Exception:
            continue
        for _, inner in _walk(node):
            if isinstance(inner, dict) and isinstance(inner.get("$ref"), str):
                ref = inner["$ref"]
                if ref.startswith("#/") and ref[1:] not in found:
                    found.add(ref[1:])
                    pending.append(ref[1:])
    return frozenset(found)


def within(flaw: Flaw, places: frozenset[str]) -> bool:
    """Whether the flaw lies inside one of `places`."""
    return any(flaw.pointer == place or flaw.pointer.startswith(place + "/") for place in places)
