"""Loading spec/openapi.yaml and validating JSON values against its schemas.

Every part of the project that needs a schema takes it from here, so nothing restates the spec.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REPO_ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = REPO_ROOT / "spec" / "openapi.yaml"
_SPEC_URI = "urn:assistants-contract:openapi"


class SpecError(Exception):
    """The OpenAPI document cannot be read or is not the shape this project expects."""


def load_spec(path: Path | str = SPEC_PATH) -> dict[str, Any]:
    """Parse an OpenAPI document, raising SpecError (not a YAML traceback) when it is malformed."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or "openapi" not in document:
        raise SpecError(f"{path} is not an OpenAPI document (no 'openapi' field at the top)")
    return document


@functools.cache
def _cached_spec(path: str) -> dict[str, Any]:
    return load_spec(path)


def spec(path: Path | str = SPEC_PATH) -> dict[str, Any]:
    """The parsed document, read once per process. Callers must not mutate it."""
    return _cached_spec(str(Path(path).resolve()))


def ecma_regex(pattern: str) -> str:
    """Rewrite an ECMA-262 `pattern` so Python's `re` gives it the same meaning.

    JSON Schema patterns are ECMA-262 regexes, where `$` matches only at the very end of the string;
    Python's `$` also matches before a final newline, so `^[a-z]+$` would accept "abc\\n".
    """
    out = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return "".join(out)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_regex(pattern))


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 with ECMA-262 `pattern` semantics, as OpenAPI 3.1 requires.
SpecValidator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator, {"pattern": _ecma_pattern}
)


def validator_for(pointer: str, document: dict[str, Any] | None = None) -> jsonschema.Validator:
    """A JSON Schema 2020-12 validator for the schema at a JSON pointer into the document.

    `pointer` is a fragment such as ``/components/schemas/AssistantObject``; `$ref`s inside the
    schema resolve against the whole document.
    """
    document = spec() if document is None else document
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    validator: jsonschema.Validator = SpecValidator({"$ref": f"{_SPEC_URI}#{pointer}"}, registry=registry)
    return validator


def schema_validator(name: str, document: dict[str, Any] | None = None) -> jsonschema.Validator:
    """A validator for ``#/components/schemas/<name>``."""
    return validator_for(f"/components/schemas/{name}", document)
