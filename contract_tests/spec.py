"""Loading spec/openapi.yaml and validating JSON values against its schemas.

Every part of the project that needs a schema takes it from here, so nothing restates the spec.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema import ValidationError
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

REPO_ROOT = Path(__file__).resolve().parent.parent


# Another spec for every default of a process (the spec-edit tests run the client tests so).
SPEC_VARIABLE = "ASSISTANTS_CONTRACT_SPEC"


def _default_spec_path() -> Path:
    """$ASSISTANTS_CONTRACT_SPEC, else spec/openapi.yaml of a checkout, else the copy an installed wheel
    carries as package data."""
    if os.environ.get(SPEC_VARIABLE):
        return Path(os.environ[SPEC_VARIABLE]).resolve()
    checkout = REPO_ROOT / "spec" / "openapi.yaml"
    if checkout.is_file():
        return checkout
    return Path(str(resources.files("contract_tests") / "data" / "openapi.yaml"))


SPEC_PATH = _default_spec_path()
_SPEC_URI = "urn:assistants-contract:openapi"
# The spec's words for what a server assigns: `x-unique: true`, a value no other response had (an id);
# `format: unixtime` (OpenAPI Format Registry), the current time in seconds since the epoch.
UNIQUE = "x-unique"
UNIXTIME = "unixtime"


class SpecError(Exception):
    """The OpenAPI document cannot be read or is not the shape this project expects."""


def check_openapi(document: dict[str, Any], origin: str) -> None:
    """Raise SpecError, in one line, unless `document` is valid OpenAPI with every `$ref` resolvable."""
    try:
        validate(document)
    except OpenAPIValidationError as exc:
        raise SpecError(f"{origin} is not valid OpenAPI: {str(exc).splitlines()[0]}") from exc
    except Unresolvable as exc:
        # The exception's text embeds the whole document: name the reference alone.
        raise SpecError(f"{origin} has a $ref to nothing: {getattr(exc, 'ref', '?')}") from exc


def load_spec(path: Path | str = SPEC_PATH) -> dict[str, Any]:
    """Parse an OpenAPI document, raising SpecError (not a YAML traceback) when it is malformed."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"{path} is not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(document, dict) or "openapi" not in document:
        raise SpecError(f"{path} is not an OpenAPI document (no 'openapi' field at the top)")
    return document


@functools.cache
def _cached_spec(path: str) -> dict[str, Any]:
    return load_spec(path)


def spec(path: Path | str = SPEC_PATH) -> dict[str, Any]:
    """The parsed document, read once per process. Callers must not mutate it."""
    return _cached_spec(str(Path(path).resolve()))


def escape_pointer(key: str) -> str:
    """One JSON pointer reference token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def node_at(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer such as ``/components/schemas/Error``, or SpecError."""
    node = document
    for part in pointer.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(key)] if isinstance(node, list) else node[key]
        except (LookupError, ValueError, TypeError):
            raise SpecError(f"the spec has nothing at {pointer}") from None
    return node


def deref(document: dict[str, Any], node: Any) -> Any:
    """`node`, or what its chain of local `$ref`s points to."""
    seen = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise SpecError(f"cannot resolve $ref {ref!r}: only local, acyclic references are supported")
        seen.add(ref)
        node = node_at(document, ref[1:])
    return node


# Beside a `$ref`, these only annotate: dropping them with the `$ref` changes no verdict.
_ANNOTATIONS = frozenset(
    {"description", "default", "examples", "example", "title", "deprecated", "readOnly", "writeOnly"}
)
# Values that are data, not schemas: copied as they are.
_DATA = frozenset({"enum", "const", "default", "examples", "example"})
# Keywords that give a subschema its own base URI or dynamic scope: inlining could change their meaning.
_SCOPED = frozenset({"$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$schema"})


class NotInlinable(Exception):
    """A schema whose `$ref`s cannot be replaced by their targets without changing its meaning."""


def inline_refs(document: dict[str, Any], node: Any, refs: tuple[str, ...] = ()) -> Any:
    """`node` with every local `$ref` replaced by its target, where that keeps its meaning.

    Raises SpecError for a `$ref` to nothing, NotInlinable for a cycle, a non-local `$ref`, a `$ref`
    with assertions beside it, or keywords that scope a subschema.
    """
    if isinstance(node, list):
        return [inline_refs(document, item, refs) for item in node]
    if not isinstance(node, dict):
        return node
    if _SCOPED & node.keys():
        raise NotInlinable
    ref = node.get("$ref")
    if ref is not None:
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in refs:
            raise NotInlinable
        if node.keys() - {"$ref"} - _ANNOTATIONS:
            raise NotInlinable
        target = inline_refs(document, node_at(document, ref[1:]), (*refs, ref))
        # The annotations beside the `$ref` (its description, its default) win over the target's.
        annotations = {key: value for key, value in node.items() if key != "$ref"}
        return {**target, **annotations} if isinstance(target, dict) else target
    return {key: value if key in _DATA else inline_refs(document, value, refs) for key, value in node.items()}


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
    return bool(_compiled(pattern).search(text))


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
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
    return validator


def schema_validator(name: str, document: dict[str, Any] | None = None) -> jsonschema.Validator:
    """A validator for ``#/components/schemas/<name>``."""
    return validator_for(f"/components/schemas/{name}", document)


def main(argv: list[str]) -> int:
    """`python -m contract_tests.spec [PATH]`: exit 1 with a one-line error unless the spec is valid
    OpenAPI and has what the suite, the reference server and the client tests need (usable.py)."""
    path = argv[0] if argv else str(SPEC_PATH)
    try:
        check_openapi(load_spec(path), path)
        from contract_tests.usable import check_usable  # noqa: PLC0415 (what the project needs of it)

        check_usable(path)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # Run as `python -m`, this file is `__main__`, and its SpecError is not the one the modules it calls
    # raise (they import `contract_tests.spec`): the imported module's `main` catches theirs.
    from contract_tests.spec import main as imported_main

    sys.exit(imported_main(sys.argv[1:]))
