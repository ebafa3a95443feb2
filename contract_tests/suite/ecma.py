"""JSON Schema validators with ECMA-262 `pattern` semantics, as OpenAPI 3.1 prescribes.

Python's `re` differs from ECMA-262 in ways that matter at the edges of a pattern: `$` also matches
before a trailing newline, and `\\d`/`\\w` match non-ASCII digits and letters. A body that only
Python's regex accepts is not valid, so the suite must neither send it as valid nor expect it accepted.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contract_tests.spec import spec

_DOCUMENT_URI = "urn:assistants-contract:suite"


def ecma_to_python(pattern: str) -> str:
    """Rewrite an ECMA-262 pattern (no flags) so that Python's `re` matches exactly the same strings.

    Outside a character class, ECMA's `$` matches only at the very end: Python's `\\Z`.
    """
    out: list[str] = []
    in_class = False
    escaped = False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
            out.append(char)
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        elif char == "$" and not in_class:
            out.append(r"\Z")
        else:
            out.append(char)
    return "".join(out)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_to_python(pattern), re.ASCII)


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


# types-jsonschema leaves `extend` untyped.
EcmaValidator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, validators={"pattern": _ecma_pattern}
)


def ecma_validator(pointer: str, document: dict[str, Any] | None = None) -> Draft202012Validator:
    """A validator for the schema at `pointer` (e.g. ``/components/schemas/X``) of the spec."""
    document = spec() if document is None else document
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(_DOCUMENT_URI, resource)
    validator: Draft202012Validator = EcmaValidator({"$ref": f"{_DOCUMENT_URI}#{pointer}"}, registry=registry)
    return validator
