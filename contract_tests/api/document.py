"""Reading an OpenAPI document: loading it, checking it is OpenAPI, JSON pointers and local `$ref`s.

A 3.0 document is read as the 3.1 document it means (`normalized`): `nullable: true` becomes a `"null"`
type, boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers. Pointers into the two documents are
the same, so that every message can name the place in the file the user wrote.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing.exceptions import Unresolvable

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

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
# The spec's words for what a server assigns: `x-unique: true`, a value no other response had (an id);
# `format: unixtime` (OpenAPI Format Registry), the current time in seconds since the epoch.
UNIQUE = "x-unique"
UNIXTIME = "unixtime"


class SpecError(Exception):
    """The OpenAPI document cannot be read or is not the shape this project expects."""


def check_openapi(document: dict[str, Any], origin: str) -> None:
    """Raise SpecError, in one line, unless `document` is valid OpenAPI with every `$ref` resolvable."""
    if "swagger" in document and "openapi" not in document:
        raise SpecError(f"{origin} is Swagger 2.0: convert it to OpenAPI 3 (3.0 or 3.1) first")
    try:
        validate(document)
    except OpenAPIValidationError as exc:
        raise SpecError(f"{origin} is not valid OpenAPI: {str(exc).splitlines()[0]}") from exc
    except Unresolvable as exc:
        # The exception's text embeds the whole document: name the reference alone.
        raise SpecError(f"{origin} has a $ref to nothing: {getattr(exc, 'ref', '?')}") from exc
    except Exception as exc:  # the validator's own failure on an odd document: one line, not a traceback
        raise SpecError(f"{origin} cannot be checked as OpenAPI: {type(exc).__name__}: {exc}") from exc


class _YamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, taking an anchor defined again as YAML 1.2 does (an alias names the latest
    node of that anchor): published specs do that (OpenAI's own), and PyYAML alone refuses them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if not isinstance(event, yaml.AliasEvent) and getattr(event, "anchor", None) in self.anchors:
            del self.anchors[event.anchor]
        return super().compose_node(parent, index)


def parse_yaml(text: str) -> Any:
    """YAML (or JSON) text as data: the C loader where it can, the tolerant one where it cannot."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.composer.ComposerError:
        return yaml.load(text, Loader=_YamlLoader)


def load_spec(path: Path | str = SPEC_PATH) -> dict[str, Any]:
    """Parse an OpenAPI document (YAML or JSON), raising SpecError (not a YAML traceback) when it is
    malformed. The document as written: `normalized` reads a 3.0 one as 3.1."""
    path = Path(path)
    try:
        document = parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path} is not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"{path} is not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(document, dict) or not ("openapi" in document or "swagger" in document):
        raise SpecError(f"{path} is not an OpenAPI document (no 'openapi' field at the top)")
    if "openapi" not in document:
        raise SpecError(f"{path} is Swagger 2.0: convert it to OpenAPI 3 (3.0 or 3.1) first")
    if not str(document["openapi"]).startswith("3."):
        raise SpecError(f"{path} is OpenAPI {document['openapi']}: the tools read OpenAPI 3.0 and 3.1")
    return document


@functools.cache
def _cached_spec(path: str) -> dict[str, Any]:
    return normalized(load_spec(path))


def spec(path: Path | str = SPEC_PATH) -> dict[str, Any]:
    """The normalized document, read once per process. Callers must not mutate it."""
    return _cached_spec(str(Path(path).resolve()))


def escape_pointer(key: str) -> str:
    """One JSON pointer reference token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def pointer_of(*parts: str | int) -> str:
    """The JSON pointer of a path of keys: `pointer_of("paths", "/v1/x")` is `/paths/~1v1~1x`."""
    return "".join(f"/{escape_pointer(str(part))}" for part in parts)


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


def with_node(document: dict[str, Any], pointer: str, node: Any) -> dict[str, Any]:
    """A copy of the document with `node` at `pointer`: only the containers on its path are copied."""
    if not pointer:
        return node  # type: ignore[no-any-return]
    head, _, rest = pointer[1:].partition("/")
    key: Any = head.replace("~1", "/").replace("~0", "~")
    if isinstance(document, list):
        key = int(key)
        copied: Any = list(document)
    else:
        copied = dict(document)
    copied[key] = with_node(document[key], "/" + rest if rest else "", node)
    return copied  # type: ignore[no-any-return]


def follow(document: dict[str, Any], pointer: str) -> str:
    """Where the node at `pointer` ends up after its chain of local `$ref`s (SpecError if nowhere)."""
    return _followed(document, pointer, lambda node: False)


def follow_schema(document: dict[str, Any], pointer: str) -> str:
    """Like `follow`, for a schema: it stops at a schema whose `$ref` has constraining siblings (OpenAPI
    3.1 lets `{$ref: Base, properties: {...}, required: [...]}` add to Base: the schema is that node, read
    with its chain by contract_tests.api.values). In OpenAPI 3.0, a `$ref`'s siblings are ignored."""
    if is_openapi_30(document):
        return follow(document, pointer)
    # Annotations beside a `$ref` (its description, its default) change no verdict: followed past.
    pointer = _followed(document, pointer, lambda node: bool(_constraining(node)))
    follow(document, pointer)  # the rest of its chain must resolve too
    return pointer


def _followed(document: dict[str, Any], pointer: str, stop: Callable[[dict[str, Any]], bool]) -> str:
    """`pointer` after the `$ref`s of its chain, up to a node `stop` holds on."""
    seen = set()
    node = node_at(document, pointer)
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and not stop(node):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise SpecError(f"cannot resolve $ref {ref!r} at {pointer}: only local, acyclic ones")
        seen.add(ref)
        pointer = ref[1:]
        node = node_at(document, pointer)
    return pointer


def _constraining(node: dict[str, Any]) -> set[str]:
    """A schema's keywords beside its `$ref` that change what it admits (not annotations, not `x-`)."""
    return {key for key in node.keys() - _BESIDE_REF if not key.startswith("x-")}


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


def check_refs(document: dict[str, Any], node: Any, where: str = "") -> None:
    """SpecError naming the first local `$ref` that points to nothing (a typo such as `Eror`)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            try:
                node_at(document, ref[1:])
            except SpecError:
                raise SpecError(f"the spec's $ref {ref!r} at {where or '/'} points to nothing") from None
        for key, value in node.items():
            check_refs(document, value, f"{where}/{escape_pointer(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            check_refs(document, value, f"{where}/{index}")


# Beside a `$ref`, these only annotate: dropping them with the `$ref` changes no verdict.
_ANNOTATIONS = frozenset(
    {"description", "default", "examples", "example", "title", "deprecated", "readOnly", "writeOnly"}
)
_BESIDE_REF = _ANNOTATIONS | {"$ref", "summary", "$comment"}
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


# --- OpenAPI 3.0, read as 3.1 ------------------------------------------------------------------------------

# Keywords whose value is one schema, a list of schemas, or a map of names to schemas (JSON Schema).
_ONE_SCHEMA = ("items", "additionalProperties", "not", "propertyNames", "contains", "if", "then", "else")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def is_openapi_30(document: dict[str, Any]) -> bool:
    return str(document.get("openapi", "")).startswith("3.0")


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    """The document as OpenAPI 3.1 reads it: for a 3.0 document, a copy with its schemas rewritten in
    JSON Schema 2020-12 terms (`nullable`, boolean exclusive bounds); a 3.1 document as it is."""
    if not is_openapi_30(document):
        return document
    copied = copy.deepcopy(document)
    for schema in _schemas_of(copied):
        _schema_30(schema)
    return copied


def _schemas_of(document: dict[str, Any]) -> list[dict[str, Any]]:  # noqa: PLR0912 (a place each)
    """The root schema objects of an OpenAPI 3.0 document: components, parameters, bodies, headers."""
    found: list[Any] = list((document.get("components") or {}).get("schemas", {}).values())

    def media(content: Any) -> None:
        if isinstance(content, dict):
            for item in content.values():
                if isinstance(item, dict) and "schema" in item:
                    found.append(item["schema"])

    def parameter(node: Any) -> None:
        if isinstance(node, dict):
            if "schema" in node:
                found.append(node["schema"])
            media(node.get("content"))

    def response(node: Any) -> None:
        if isinstance(node, dict):
            media(node.get("content"))
            for header in (node.get("headers") or {}).values():
                parameter(header)

    components = document.get("components") or {}
    for node in (components.get("parameters") or {}).values():
        parameter(node)
    for node in (components.get("headers") or {}).values():
        parameter(node)
    for node in (components.get("requestBodies") or {}).values():
        if isinstance(node, dict):
            media(node.get("content"))
    for node in (components.get("responses") or {}).values():
        response(node)
    for item in (document.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        for node in item.get("parameters", []) or []:
            parameter(node)
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            for node in operation.get("parameters", []) or []:
                parameter(node)
            body = operation.get("requestBody")
            if isinstance(body, dict):
                media(body.get("content"))
            for node in (operation.get("responses") or {}).values():
                response(node)
    return [schema for schema in found if isinstance(schema, dict)]


def _schema_30(schema: dict[str, Any]) -> None:  # noqa: PLR0912 (a keyword each)
    """Rewrite one 3.0 schema object, and every schema inside it, in place."""
    if "$ref" in schema:
        return  # 3.0 ignores a `$ref`'s siblings; its target is rewritten where it is defined
    for side in ("Minimum", "Maximum"):
        exclusive, bound = f"exclusive{side}", side.lower()
        if (
            isinstance(schema.get(exclusive), bool)
            and schema.pop(exclusive)
            and isinstance(schema.get(bound), int | float)
        ):
            schema[exclusive] = schema.pop(bound)
    if schema.pop("nullable", False) is True:
        declared = schema.get("type")
        if isinstance(declared, str):
            schema["type"] = [declared, "null"]
            if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
                schema["enum"] = [*schema["enum"], None]
        elif declared is None:
            rest = {key: schema.pop(key) for key in list(schema) if key not in _ANNOTATIONS}
            schema["anyOf"] = [rest, {"type": "null"}]
            _schema_30(rest)
            return
    for keyword in _ONE_SCHEMA:
        if isinstance(schema.get(keyword), dict):
            _schema_30(schema[keyword])
    for keyword in _SCHEMA_LISTS:
        for item in schema.get(keyword, []) if isinstance(schema.get(keyword), list) else []:
            if isinstance(item, dict):
                _schema_30(item)
    for keyword in _SCHEMA_MAPS:
        if isinstance(schema.get(keyword), dict):
            for item in schema[keyword].values():
                if isinstance(item, dict):
                    _schema_30(item)
