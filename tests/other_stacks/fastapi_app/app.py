"""An Assistants-style API server in FastAPI, written from spec/openapi.yaml and the README alone.

The app follows the spec as it is loaded at start-up, and restates none of it: it registers one route
per operation it serves, checks the bearer key, the header, query and path parameters and the JSON body
with jsonschema against the loaded document (ECMA-262 patterns), and answers with a body built from the
operation's response schema. Every error is the spec's error object with a documented status; FastAPI's
own validation never answers. It keeps nothing, so it serves only the operations whose answer needs
nothing kept: not a read (GET, HEAD: it shows what was kept), and no object named in the path (a path
parameter). A spec that grows a retrieve, a list or a delete grows nothing here: those paths are unknown.

    uvicorn tests.other_stacks.fastapi_app.app:app     # key: $ASSISTANTS_API_KEY or sk-fastapi-local
"""

from __future__ import annotations

import contextlib
import copy
import hmac
import itertools
import json
import math
import os
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, unquote

import jsonschema
import yaml
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

KEY_VARIABLE: Final = "ASSISTANTS_API_KEY"
DEFAULT_KEY: Final = "sk-fastapi-local"
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
# A body over the limit is read on (and dropped) up to this much, so that the client, still sending,
# reads the 413 instead of a reset connection; past it the connection is given up.
MAX_DRAINED_BYTES: Final = 8 * MAX_BODY_BYTES
# JSON nesting limit (RFC 8259, section 9, lets a parser set one): deeper bodies get 400.
MAX_DEPTH: Final = 512
BASE_URI: Final = "urn:fastapi-app:openapi"
HTTP_METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# OpenAPI 3.1, Parameter Object: header parameters of these names are ignored.
IGNORED_HEADERS: Final = frozenset({"accept", "content-type", "authorization"})
SERVER_ERROR: Final = "The server had an error while processing your request."
_MISSING: Final = object()
_MAX_BUILD_DEPTH: Final = 8

Json = Any
ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


# --- ECMA-262 patterns under Python's re ----------------------------------------------------------

_ECMA_SPACE: Final = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_ECMA_DOT: Final = "[^\\n\\r\\u2028\\u2029]"
# Letters with a meaning after a backslash in ECMA-262; any other escaped letter is itself.
_ECMA_ESCAPES: Final = frozenset("bBdDwWsStnvfrcxukpP")


def _translate_ecma(pattern: str) -> str:
    """The Python `re` spelling of an ECMA-262 regex (no flags), to be compiled with re.ASCII.

    ECMA's `$` is the very end (Python's also matches before a final newline), `.` excludes every
    line terminator, `\\s` is ECMA's white space, `(?<name>` and `\\k<name>` name groups, `[]` and
    `[^]` match nothing and anything; re.ASCII gives `\\d`, `\\w` and `\\b` their ASCII meaning.
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            text, i = _ecma_escape(pattern, i + 1, in_class)
        elif in_class:
            in_class = pattern[i] != "]"
            text, i = ("\\" + pattern[i] if pattern[i] in "[&~|" else pattern[i]), i + 1
        else:
            text, i, in_class = _ecma_outside(pattern, i)
        out.append(text)
    return "".join(out)


def _ecma_escape(pattern: str, at: int, in_class: bool) -> tuple[str, int]:
    """The translation of the escape whose letter is at `at`, and where the pattern goes on."""
    letter, after = pattern[at], at + 1
    if letter == "s":
        return (_ECMA_SPACE if in_class else f"[{_ECMA_SPACE}]"), after
    if letter == "S" and not in_class:
        return f"[^{_ECMA_SPACE}]", after
    if letter == "k" and not in_class and pattern.startswith("<", after) and ">" in pattern[after:]:
        end = pattern.index(">", after)
        return f"(?P={pattern[after + 1 : end]})", end + 1
    if letter == "c" and after < len(pattern) and pattern[after].isascii() and pattern[after].isalpha():
        return re.escape(chr(ord(pattern[after]) % 32)), after + 1
    if letter.isascii() and letter.isalpha() and letter not in _ECMA_ESCAPES:
        return letter, after
    return "\\" + letter, after


def _ecma_outside(pattern: str, at: int) -> tuple[str, int, bool]:
    """The translation of the character at `at` outside a class: text, where it goes on, in a class."""
    classes = (("[]", "(?!)", False), ("[^]", "[\\s\\S]", False), ("[^", "[^", True), ("[", "[", True))
    for ecma, python, opens in classes:
        if pattern.startswith(ecma, at):
            return python, at + len(ecma), opens
    if pattern.startswith("(?<", at) and not pattern.startswith(("(?<=", "(?<!"), at):
        return "(?P<", at + 3, False
    return {"$": "\\Z", ".": _ECMA_DOT}.get(pattern[at], pattern[at]), at + 1, False


@lru_cache(maxsize=512)
def ecma_regex(pattern: str) -> re.Pattern[str] | None:
    """The compiled ECMA-262 `pattern`; None when Python cannot express it (the pattern is not checked)."""
    for candidate, flags in ((_translate_ecma(pattern), re.ASCII), (pattern, 0)):
        try:
            return re.compile(candidate, flags)
        except re.error:
            continue
    return None


def _matches(pattern: str, text: str) -> bool:
    compiled = ecma_regex(pattern)
    return compiled is None or compiled.search(text) is not None


def _pattern(validator: Any, pattern: str, instance: Json, schema: Json) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _matches(pattern, instance):
        yield ValidationError(f"does not match the pattern {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Json], instance: Json, schema: Json
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            if _matches(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(
    validator: Any, additional: Json, instance: Json, schema: Json
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    named = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [
        name
        for name in instance
        if name not in named and not any(_matches(pattern, name) for pattern in patterns)
    ]
    if validator.is_type(additional, "object"):
        for name in extras:
            yield from validator.descend(instance[name], additional, path=name)
    elif additional is False and extras:
        yield ValidationError(f"unrecognized properties: {', '.join(sorted(extras))}")


EcmaValidator: type[Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
    },
)


# --- The loaded document --------------------------------------------------------------------------


class _JsonLoader(yaml.SafeLoader):
    """PyYAML's safe loader minus timestamps: a date in the spec stays the string JSON would have."""


_JsonLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _json_keys(value: Json) -> Json:
    """Every mapping key as a string, as in JSON (YAML reads an unquoted `200:` as an integer)."""
    if isinstance(value, dict):
        return {str(key): _json_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_keys(item) for item in value]
    return value


def load_document(path: Path) -> dict[str, Json]:
    document = _json_keys(yaml.load(path.read_text(encoding="utf-8"), Loader=_JsonLoader))
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise ValueError(f"{path}: not an OpenAPI document with paths")
    return document


def escape(token: str) -> str:
    """One JSON pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


class Spec:
    """The OpenAPI document: nodes by JSON pointer, `$ref`s followed, a validator per schema pointer."""

    def __init__(self, document: dict[str, Json]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Json] = Registry().with_resource(BASE_URI, resource)
        self._validators: dict[str, Validator] = {}

    def node(self, pointer: str) -> Json:
        value: Json = self.document
        for raw in pointer.split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            value = value[int(token)] if isinstance(value, list) else value[token]
        return value

    def chain(self, pointer: str) -> list[tuple[str, dict[str, Json]]]:
        """The schema at `pointer` and every schema its `$ref`s lead to (their siblings apply too)."""
        links: list[tuple[str, dict[str, Json]]] = []
        seen: set[str] = set()
        while pointer not in seen:
            seen.add(pointer)
            try:
                node = self.node(pointer)
            except (KeyError, IndexError, ValueError, TypeError):
                break  # a `$ref` to nothing: the schema ends here
            if not isinstance(node, dict):
                break
            links.append((pointer, node))
            ref = node.get("$ref")
            if not (isinstance(ref, str) and ref.startswith("#")):
                break
            pointer = unquote(ref[1:])
        return links

    def resolve(self, pointer: str) -> tuple[str, dict[str, Json]]:
        """An OpenAPI object (parameter, response, ...): a `$ref` replaces it."""
        links = self.chain(pointer)
        return links[-1] if links else (pointer, {})

    def attr(self, pointer: str, key: str) -> Json:
        for _, node in self.chain(pointer):
            if key in node:
                return node[key]
        return _MISSING

    def validator(self, pointer: str) -> Validator:
        found = self._validators.get(pointer)
        if found is None:
            ref = f"{BASE_URI}#{quote(pointer, safe='/~')}"
            found = self._validators[pointer] = EcmaValidator({"$ref": ref}, registry=self.registry)
        return found

    def valid(self, pointer: str, value: Json) -> bool:
        try:
            return bool(self.validator(pointer).is_valid(value))
        except RecursionError:
            return False

    def properties(self, pointer: str, depth: int = 0) -> tuple[dict[str, str], list[str]]:
        """The properties (name -> schema pointer) and required names of an object schema, allOf merged."""
        props: dict[str, str] = {}
        required: list[str] = []
        if depth > _MAX_BUILD_DEPTH:
            return props, required
        for at, node in self.chain(pointer):
            for name in node.get("properties", {}) if isinstance(node.get("properties"), dict) else {}:
                props.setdefault(name, f"{at}/properties/{escape(name)}")
            required += [name for name in node.get("required", []) if name not in required]
            for index, _ in enumerate(node.get("allOf", [])):
                more, needed = self.properties(f"{at}/allOf/{index}", depth + 1)
                for name, where in more.items():
                    props.setdefault(name, where)
                required += [name for name in needed if name not in required]
        return props, required


# --- Values built from schemas --------------------------------------------------------------------


def _types(node: dict[str, Json]) -> list[str]:
    kind = node.get("type")
    if isinstance(kind, str):
        return [kind]
    return [each for each in kind if isinstance(each, str)] if isinstance(kind, list) else []


_FORMATS: Final[dict[str, str]] = {
    "date": "1970-01-01",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


class Builder:
    """Valid values from a schema: its const, default, examples or enum, else a minimal one of its type;
    `x-unique` values no other response had, `format: unixtime` the current Unix time in seconds."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._serial = itertools.count(1)

    def minimal(self, pointer: str, depth: int = 0) -> Json:
        first: Json = _MISSING
        for candidate in self._candidates(pointer, depth):
            if first is _MISSING:
                first = candidate
            if self.spec.valid(pointer, candidate):
                return copy.deepcopy(candidate)
        return None if first is _MISSING else copy.deepcopy(first)

    def _candidates(self, pointer: str, depth: int) -> Iterator[Json]:
        """Its const and default, its examples, its enum, then minimal values of its branches and types."""
        chain = self.spec.chain(pointer)
        for keys in (("const", "default"), ("examples", "example"), ("enum",)):
            for _, node in chain:
                for key in keys:
                    if key in ("examples", "enum") and isinstance(node.get(key), list):
                        yield from node[key]
                    elif key not in ("examples", "enum") and key in node:
                        yield node[key]
        if depth > _MAX_BUILD_DEPTH:
            yield None
            return
        for at, node in chain:
            for keyword in ("oneOf", "anyOf"):
                for index, _ in enumerate(node.get(keyword, [])):
                    yield self.minimal(f"{at}/{keyword}/{index}", depth + 1)
            kinds = _types(node)
            if not kinds and ("properties" in node or "required" in node or "allOf" in node):
                kinds = ["object"]
            for kind in kinds:
                yield from self._typed(at, node, kind, depth)
        yield None

    def _typed(self, pointer: str, node: dict[str, Json], kind: str, depth: int) -> Iterator[Json]:
        if kind == "null":
            yield None
        elif kind == "boolean":
            yield from (False, True)
        elif kind in ("integer", "number"):
            yield from self._numbers(node, integer=kind == "integer")
        elif kind == "string":
            size = node.get("minLength", 0) if isinstance(node.get("minLength"), int) else 0
            formatted = _FORMATS.get(str(node.get("format")), "")
            if node.get("format") == "date-time":
                formatted = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            yield formatted.ljust(size, "a")
            yield "a" * max(size, 1)
        elif kind == "array":
            count = node.get("minItems", 0) if isinstance(node.get("minItems"), int) else 0
            items = f"{pointer}/items" if isinstance(node.get("items"), dict) else None
            prefix = node.get("prefixItems", []) if isinstance(node.get("prefixItems"), list) else []
            values = [self.minimal(f"{pointer}/prefixItems/{i}", depth + 1) for i in range(len(prefix))]
            while len(values) < count:
                values.append(self.minimal(items, depth + 1) if items else None)
            yield values
        elif kind == "object":
            props, required = self.spec.properties(pointer)
            extra = f"{pointer}/additionalProperties"
            yield {
                name: self.value(props[name], depth + 1)
                if name in props
                else (
                    self.minimal(extra, depth + 1)
                    if isinstance(node.get("additionalProperties"), dict)
                    else None
                )
                for name in required
            }

    @staticmethod
    def _numbers(node: dict[str, Json], *, integer: bool) -> Iterator[Json]:
        def number(key: str) -> float | None:
            value = node.get(key)
            return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

        low, high = number("minimum"), number("maximum")
        above, below = number("exclusiveMinimum"), number("exclusiveMaximum")
        step = number("multipleOf")
        found: list[float] = [0.0]
        if low is not None:
            found.append(low)
        if above is not None:
            found += [above + 1, (above + high) / 2 if high is not None else above + 0.5]
        if high is not None:
            found.append(high)
        if below is not None:
            found += [below - 1, below - 0.5]
        if step:
            found += [math.ceil(each / step) * step for each in list(found)]
        for each in found:
            if integer:
                yield math.ceil(each)
            else:
                yield int(each) if each.is_integer() else each

    def unique(self, pointer: str) -> Json:
        """A value no other response had: a random part and a serial number, after the examples' prefix."""
        serial = next(self._serial)
        token = f"{secrets.token_hex(10)}{serial:04x}"
        prefixes = [""]
        for sample in self._samples(pointer):
            found = re.match(r"[A-Za-z][A-Za-z0-9]*[_-]", sample) if isinstance(sample, str) else None
            if found and found.group(0) not in prefixes:
                prefixes.insert(0, found.group(0))
        candidates: list[Json] = [prefix + token for prefix in prefixes]
        candidates += [int(time.time()) * 1_000_000 + serial, serial]
        for candidate in candidates:
            if self.spec.valid(pointer, candidate):
                return candidate
        return self.minimal(pointer)

    def _samples(self, pointer: str) -> Iterator[Json]:
        for _, node in self.spec.chain(pointer):
            if isinstance(node.get("examples"), list):
                yield from node["examples"]
            for key in ("example", "default"):
                if key in node:
                    yield node[key]

    def assigned(self, pointer: str) -> Json:
        """The server's own value of an `x-unique` or `format: unixtime` property, else _MISSING."""
        if self.spec.attr(pointer, "x-unique") is True:
            return self.unique(pointer)
        if self.spec.attr(pointer, "format") == "unixtime":
            now = int(time.time())
            for candidate in (now, str(now)):
                if self.spec.valid(pointer, candidate):
                    return candidate
        return _MISSING

    def value(self, pointer: str, depth: int = 0) -> Json:
        """The server's own value if it assigns one (x-unique, unixtime), else a minimal one."""
        assigned = self.assigned(pointer)
        return self.minimal(pointer, depth) if assigned is _MISSING else assigned

    def response(self, pointer: str, request: Json, request_schema: str | None) -> Json:
        """The body of a success: request fields as sent, left-out ones as the request's default,
        server-assigned ones (x-unique, unixtime), and any other required one from its schema."""
        props, required = self.spec.properties(pointer)
        if not props and not required:
            return self.value(pointer)
        sent = request if isinstance(request, dict) else {}
        asked = self.spec.properties(request_schema)[0] if request_schema else {}
        body: dict[str, Json] = {}
        for name, where in props.items():
            if self.spec.attr(where, "x-unique") is True:
                body[name] = self.unique(where)
            elif name in sent and self.spec.valid(where, sent[name]):
                body[name] = sent[name]
            elif name not in sent and name in asked and self._default_fits(asked[name], where):
                body[name] = copy.deepcopy(self.spec.attr(asked[name], "default"))
            elif (assigned := self.assigned(where)) is not _MISSING:
                body[name] = assigned
            elif name in required:
                body[name] = self.minimal(where)
        for name in required:
            if name not in body:
                body[name] = sent.get(name)
        return body

    def _default_fits(self, request_pointer: str, response_pointer: str) -> bool:
        default = self.spec.attr(request_pointer, "default")
        return default is not _MISSING and self.spec.valid(response_pointer, default)

    def conform(self, value: Json, pointer: str, depth: int = 0) -> Json:
        """`value`, with what its schema requires added and what it forbids replaced (error objects)."""
        if self.spec.valid(pointer, value) or depth > _MAX_BUILD_DEPTH:
            return value
        if not isinstance(value, dict):
            return self.minimal(pointer)
        props, required = self.spec.properties(pointer)
        fixed = dict(value)
        for name in required:
            if name not in fixed:
                fixed[name] = self.minimal(props[name]) if name in props else None
        for name, where in props.items():
            if name in fixed and not self.spec.valid(where, fixed[name]):
                fixed[name] = self.conform(fixed[name], where, depth + 1)
        return fixed


# --- Operations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema: str | None
    explode: bool
    json_content: bool


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    pointer: str
    operation_id: str
    parameters: tuple[Parameter, ...]
    body_required: bool
    body_content: dict[str, str | None]
    security: tuple[dict[str, Json], ...]
    route: str
    route_names: dict[str, str]

    @property
    def needs_nothing_kept(self) -> bool:
        """Whether its answer needs nothing kept: it reads nothing back and names no object in its path."""
        return self.method not in ("get", "head") and not self.route_names


_TEMPLATE: Final = re.compile(r"\{([^{}/]+)\}")


def _route_path(path: str) -> tuple[str, dict[str, str]]:
    """The Starlette route of an OpenAPI path: each `{name}` as `{p0}`, `{p1}`... (any name is allowed)."""
    names: dict[str, str] = {}

    def rename(found: re.Match[str]) -> str:
        internal = names.setdefault(found.group(1), f"p{len(names)}")
        return "{" + internal + "}"

    return _TEMPLATE.sub(rename, path), names


def _path_regex(path: str) -> re.Pattern[str]:
    parts = _TEMPLATE.split(path)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else "[^/]+" for i, p in enumerate(parts)) + r"\Z")


def load_operations(spec: Spec) -> list[Operation]:
    operations: list[Operation] = []
    for path in spec.document["paths"]:
        item_pointer, item = spec.resolve(f"/paths/{escape(path)}")
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            if not isinstance(item.get(method), dict):
                continue
            pointer = f"{item_pointer}/{method}"
            node: dict[str, Json] = item[method]
            params: dict[tuple[str, str], Parameter] = {}
            sources = [f"{item_pointer}/parameters/{i}" for i in range(len(shared))]
            sources += [f"{pointer}/parameters/{i}" for i in range(len(node.get("parameters", [])))]
            for source in sources:
                at, param = spec.resolve(source)
                location = str(param.get("in", ""))
                name = str(param.get("name", ""))
                if location == "header" and name.lower() in IGNORED_HEADERS:
                    continue
                schema = f"{at}/schema" if isinstance(param.get("schema"), dict) else None
                json_content = False
                if schema is None and isinstance(param.get("content"), dict) and param["content"]:
                    media = next(iter(param["content"]))
                    json_content = _is_json(_media_type(media)[0])
                    if isinstance(param["content"][media].get("schema"), dict):
                        schema = f"{at}/content/{escape(media)}/schema"
                style = param.get("style", "form" if location in ("query", "cookie") else "simple")
                explode = bool(param.get("explode", style == "form"))
                key = (name.lower() if location == "header" else name, location)
                params[key] = Parameter(
                    name, location, bool(param.get("required")), schema, explode, json_content
                )
            body_required, content = False, {}
            if "requestBody" in node:
                at, body = spec.resolve(f"{pointer}/requestBody")
                body_required = bool(body.get("required"))
                for media, entry in (body.get("content") or {}).items():
                    has_schema = isinstance(entry, dict) and isinstance(entry.get("schema"), dict)
                    content[media] = f"{at}/content/{escape(media)}/schema" if has_schema else None
            security = node.get("security", spec.document.get("security")) or []
            route, names = _route_path(path)
            operations.append(
                Operation(
                    path=path,
                    method=method,
                    pointer=pointer,
                    operation_id=str(node.get("operationId") or f"{method}_{path}"),
                    parameters=tuple(params.values()),
                    body_required=body_required,
                    body_content=content,
                    security=tuple(req for req in security if isinstance(req, dict)),
                    route=route,
                    route_names=names,
                )
            )
    return operations


def _media_type(value: str) -> tuple[str, dict[str, str]]:
    main, *rest = value.split(";")
    params: dict[str, str] = {}
    for part in rest:
        key, _, item = part.partition("=")
        params[key.strip().lower()] = item.strip().strip('"')
    return main.strip().lower(), params


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _reject_constant(name: str) -> Json:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number out of the range of a double")
    return value


def parse_json(raw: bytes) -> Json:
    """Strict JSON (RFC 8259): UTF-8, no NaN or Infinity, numbers a double can hold, bounded nesting."""
    value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float)
    stack: list[tuple[Json, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError("nested too deeply")
        if isinstance(item, dict):
            stack.extend((each, depth + 1) for each in item.values())
        elif isinstance(item, list):
            stack.extend((each, depth + 1) for each in item)
    return value


def dump_json(value: Json) -> bytes:
    return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def _location(path: Iterable[Json]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(error: ValidationError) -> tuple[str, str | None]:
    """The message and param of a schema error, in OpenAI's words where it has some; no sent values."""
    where = _location(error.absolute_path)
    keyword, rule = error.validator, error.validator_value
    if keyword == "required" and isinstance(error.instance, dict) and isinstance(rule, list):
        missing = next((name for name in rule if name not in error.instance), "")
        named = f"{where}.{missing}" if where else str(missing)
        return f"Missing required parameter: '{named}'.", named
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extras = sorted(str(name) for name in error.instance if name not in known)
        param: str | None = (
            f"{where}.{extras[0]}" if where and extras else (extras[0] if extras else where or None)
        )
        return f"Unrecognized request argument supplied: {', '.join(extras)}", param
    subject = f"'{where}'" if where else "the request body"
    if keyword == "type":
        return f"Invalid type for {subject}: expected {json.dumps(rule)}.", where or None
    shown = json.dumps(rule) if isinstance(rule, str | int | float | bool | list) else ""
    if len(shown) > 200:
        shown = ""
    rule_text = f"{keyword} {shown}".strip()
    return f"Invalid value for {subject}: it does not satisfy {rule_text}.", where or None


# --- The server -----------------------------------------------------------------------------------


class Rejection(Exception):
    """An error answer, raised where a request is found wanting and turned into the error object."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code
        self.headers = headers or {}


class ContractServer:
    """What the routes do, from the loaded spec."""

    def __init__(self, spec: Spec, api_key: str) -> None:
        self.spec = spec
        self.build = Builder(spec)
        self.operations = [op for op in load_operations(spec) if op.needs_nothing_kept]
        self._key = api_key.encode("utf-8")
        self._paths: list[tuple[re.Pattern[str], str]] = []
        for op in self.operations:
            if op.path not in (path for _, path in self._paths):
                self._paths.append((_path_regex(op.path), op.path))

    # Responses

    def respond(self, op: Operation | None, status: int, body: Json, headers: dict[str, str]) -> Response:
        media, _, response = self._documented(op, status)
        extra = self._documented_headers(response)
        return Response(
            content=b"" if body is _MISSING else dump_json(body),
            status_code=status,
            media_type=None if body is _MISSING else (media or "application/json"),
            headers={**extra, **headers},
        )

    def error(self, op: Operation | None, rejection: Rejection) -> Response:
        kind = "server_error" if rejection.status >= 500 else "invalid_request_error"
        body: Json = {
            "error": {
                "message": rejection.message,
                "type": kind,
                "param": rejection.param,
                "code": rejection.code,
            }
        }
        _, schema, _ = self._documented(op, rejection.status)
        if schema is not None:
            body = self.build.conform(body, schema)
        return self.respond(op, rejection.status, body, rejection.headers)

    def _documented(self, op: Operation | None, status: int) -> tuple[str | None, str | None, str | None]:
        """The media type, schema pointer and response pointer the spec gives `status` of `op` (or of the
        first operation that documents it)."""
        keys = (str(status), f"{status // 100}XX", "default")
        for candidate in [op] if op is not None else self.operations:
            responses = self.spec.node(candidate.pointer).get("responses", {})
            for key in keys:
                if key in responses:
                    at, response = self.spec.resolve(f"{candidate.pointer}/responses/{escape(key)}")
                    for media, entry in (response.get("content") or {}).items():
                        has_schema = isinstance(entry, dict) and isinstance(entry.get("schema"), dict)
                        return media, f"{at}/content/{escape(media)}/schema" if has_schema else None, at
                    return None, None, at
        return None, None, None

    def _documented_headers(self, response: str | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if response is None:
            return headers
        for name in self.spec.node(response).get("headers", {}) or {}:
            at, header = self.spec.resolve(f"{response}/headers/{escape(name)}")
            if name.lower() == "content-type" or not header.get("required"):
                continue
            value = self.build.minimal(f"{at}/schema") if isinstance(header.get("schema"), dict) else ""
            headers[name] = (
                json.dumps(value) if isinstance(value, bool) else ("" if value is None else str(value))
            )
        return headers

    def success(self, op: Operation, body: Json, request_schema: str | None) -> Response:
        responses = self.spec.node(op.pointer).get("responses", {})
        key = next((k for k in responses if re.fullmatch(r"2(\d\d|XX)", k)), None)
        if key is None:
            raise Rejection(500, SERVER_ERROR)
        status = 200 if key == "2XX" else int(key)
        media, schema, _ = self._documented(op, status)
        if schema is None:
            return self.respond(op, status, _MISSING if media is None else {}, {})
        return self.respond(op, status, self.build.response(schema, body, request_schema), {})

    # Checks, in order: key, headers and other parameters, content type, size, JSON, schema

    def _authorized(self, op: Operation, request: Request) -> bool:
        if not op.security:
            return True
        return any(all(self._satisfies(name, request) for name in req) for req in op.security)

    def _satisfies(self, scheme_name: str, request: Request) -> bool:
        _, scheme = self.spec.resolve(f"/components/securitySchemes/{escape(scheme_name)}")
        kind = scheme.get("type")
        if kind == "apiKey":
            name, where = str(scheme.get("name", "")), scheme.get("in")
            if where == "header":
                values = request.headers.getlist(name)
                return len(values) == 1 and self._same(values[0].encode("latin-1"))
            given = request.query_params.getlist(name) if where == "query" else [request.cookies.get(name)]
            return len(given) == 1 and given[0] is not None and self._same(given[0].encode("utf-8"))
        bearer = kind in ("oauth2", "openIdConnect") or (
            kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
        )
        if not bearer:
            return False
        values = request.headers.getlist("authorization")
        if len(values) != 1:
            return False
        word, _, token = values[0].partition(" ")
        return word.lower() == "bearer" and self._same(token.lstrip(" ").encode("latin-1"))

    def _same(self, given: bytes) -> bool:
        return hmac.compare_digest(given, self._key)

    def _check_parameters(self, op: Operation, request: Request) -> None:
        order = {"header": 0, "query": 1, "cookie": 2, "path": 3}
        for param in sorted(op.parameters, key=lambda p: order.get(p.location, 4)):
            values = self._raw_values(op, param, request)
            label = f"header '{param.name}'" if param.location == "header" else f"parameter '{param.name}'"
            if not values:
                if param.required:
                    raise Rejection(400, f"Missing required {label}.", param=param.name)
                continue
            if param.schema is not None and not any(
                self.spec.valid(param.schema, each) for each in self._readings(param, values)
            ):
                raise Rejection(400, f"Invalid value for {label}.", param=param.name)

    @staticmethod
    def _raw_values(op: Operation, param: Parameter, request: Request) -> list[str]:
        if param.location == "header":
            values = request.headers.getlist(param.name)
            return [", ".join(values)] if values else []
        if param.location == "query":
            return list(request.query_params.getlist(param.name))
        if param.location == "cookie":
            cookie = request.cookies.get(param.name)
            return [] if cookie is None else [cookie]
        if param.location == "path" and param.name in op.route_names:
            return [str(request.path_params[op.route_names[param.name]])]
        return []

    def _readings(self, param: Parameter, values: list[str]) -> Iterator[Json]:
        """The values a parameter's strings may stand for (simple and form styles), for its schema."""
        assert param.schema is not None
        kinds: list[str] = []
        for _, node in self.spec.chain(param.schema):
            kinds += [kind for kind in _types(node) if kind not in kinds]
        if "array" in kinds:
            items = values if param.explode and len(values) > 1 else values[0].split(",")
            yield [_scalar(item) for item in items]
            yield items
        text = values[0]
        if param.json_content:
            with contextlib.suppress(ValueError):
                yield parse_json(text.encode("utf-8"))
        yield text
        yield _scalar(text)

    async def _read_body(self, op: Operation, request: Request) -> tuple[Json, str | None]:
        """The parsed body and its schema pointer; (_MISSING, None) when the operation takes none."""
        if not op.body_content and not op.body_required:
            return _MISSING, None
        declared = request.headers.getlist("content-type")
        length = request.headers.get("content-length")
        chunked = "chunked" in request.headers.get("transfer-encoding", "").lower()
        if not declared and (length in (None, "0")) and not chunked:
            if op.body_required:
                raise Rejection(400, "The request body is required: a JSON object.")
            return _MISSING, None
        if len(declared) != 1:
            raise Rejection(415, "Send the body as application/json (one Content-Type).")
        media, params = _media_type(declared[0])
        schema = _schema_for(op, media)
        if schema is _MISSING or not _is_json(media):
            raise Rejection(415, f"Unsupported Content-Type; use {', '.join(op.body_content) or 'none'}.")
        charset = params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise Rejection(415, "Send the body as UTF-8 JSON.")
        if length is not None and length.isdigit() and int(length) > MAX_DRAINED_BYTES:
            raise Rejection(413, f"The request body is over {MAX_BODY_BYTES} bytes.")
        raw = await _read_limited(request.stream())
        if raw is None:
            raise Rejection(413, f"The request body is over {MAX_BODY_BYTES} bytes.")
        try:
            body = parse_json(raw)
        except (ValueError, RecursionError):
            raise Rejection(400, "We could not parse the JSON body of your request.") from None
        return body, schema if isinstance(schema, str) else None

    def _check_body(self, body: Json, schema: str | None) -> None:
        if schema is None or body is _MISSING:
            return
        try:
            error = best_match(self.spec.validator(schema).iter_errors(body))
        except RecursionError:
            raise Rejection(400, "The JSON body is nested too deeply.") from None
        if error is not None:
            message, param = _describe(error)
            raise Rejection(400, message, param=param)

    async def handle(self, op: Operation, request: Request) -> Response:
        try:
            if not self._authorized(op, request):
                given = "authorization" in request.headers
                message = "Incorrect API key provided." if given else "You didn't provide an API key."
                raise Rejection(
                    401, message, code="invalid_api_key" if given else None, headers=self._challenge()
                )
            self._check_parameters(op, request)
            body, schema = await self._read_body(op, request)
            self._check_body(body, schema)
            return self.success(op, body, schema)
        except Rejection as rejection:
            return self.error(op, rejection)
        except ClientDisconnect:
            return self.error(op, Rejection(400, "The request body was cut short."))
        except Exception:
            return self.error(op, Rejection(500, SERVER_ERROR))

    def _challenge(self) -> dict[str, str]:
        """WWW-Authenticate for a 401 (RFC 9110, 11.6.1), when the spec's scheme is a bearer token."""
        schemes = self.spec.document.get("components", {}).get("securitySchemes", {})
        for name in schemes:
            _, scheme = self.spec.resolve(f"/components/securitySchemes/{escape(name)}")
            if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                return {"WWW-Authenticate": "Bearer"}
        return {}

    # Answers outside the operations: unknown paths, undefined methods, anything unexpected

    def allowed(self, path: str) -> tuple[Operation | None, list[str]]:
        for regex, template in self._paths:
            if regex.match(path):
                ops = [op for op in self.operations if op.path == template]
                methods = [op.method.upper() for op in ops]
                if "GET" in methods and "HEAD" not in methods:
                    methods.append("HEAD")
                return ops[0], methods
        return None, []

    async def on_http_exception(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        if status == 405:
            op, methods = self.allowed(request.url.path)
            if op is not None:
                message = f"Method not allowed; {op.path} allows {', '.join(methods)}."
                return self.error(op, Rejection(405, message, headers={"Allow": ", ".join(methods)}))
            allow = getattr(exc, "headers", None) or {}
            return self.error(None, Rejection(405, "Method not allowed.", headers=dict(allow)))
        if status == 404:
            return self.error(None, Rejection(404, "Unknown path: no operation of the API is here."))
        message = SERVER_ERROR if status >= 500 else "The request could not be handled."
        return self.error(None, Rejection(status if 400 <= status <= 599 else 500, message))

    async def on_validation_error(self, request: Request, exc: Exception) -> Response:
        op, _ = self.allowed(request.url.path)
        return self.error(op, Rejection(400, "The request is invalid."))

    async def on_unexpected(self, request: Request, exc: Exception) -> Response:
        op, _ = self.allowed(request.url.path)
        return self.error(op, Rejection(500, SERVER_ERROR))


def _schema_for(op: Operation, media: str) -> Json:
    """The schema pointer (or None) of the request media type `media`; _MISSING if the spec has none."""
    for key, schema in op.body_content.items():
        if _media_type(key)[0] == media:
            return schema
    for key, schema in op.body_content.items():
        pattern = _media_type(key)[0]
        if pattern == "*/*" or (pattern.endswith("/*") and media.startswith(pattern[:-1])):
            return schema
    return _MISSING


def _scalar(text: str) -> Json:
    """A parameter string as the JSON scalar it spells, if it spells one (else the string)."""
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if re.fullmatch(r"-?(0|[1-9]\d*)", text):
        return int(text)
    if re.fullmatch(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?", text):
        value = float(text)
        return value if math.isfinite(value) else text
    return text


async def _read_limited(chunks: AsyncIterator[bytes]) -> bytes | None:
    """The body, or None once it is over MAX_BODY_BYTES (read on and dropped up to MAX_DRAINED_BYTES)."""
    parts: list[bytes] = []
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > MAX_DRAINED_BYTES:
            return None
        if total <= MAX_BODY_BYTES:
            parts.append(chunk)
    return None if total > MAX_BODY_BYTES else b"".join(parts)


def _endpoint(server: ContractServer, op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await server.handle(op, request)

    endpoint.__name__ = re.sub(r"\W", "_", op.operation_id)
    return endpoint


def _key_from_environment() -> str:
    return os.environ.get(KEY_VARIABLE) or DEFAULT_KEY


def create_app(api_key: str | None = None, spec_path: Path | None = None) -> FastAPI:
    """The app for the spec at `spec_path` (default: contract_tests.api.document.SPEC_PATH, which honours
    $ASSISTANTS_CONTRACT_SPEC), accepting `api_key` (default: $ASSISTANTS_API_KEY or sk-fastapi-local)."""
    key = _key_from_environment() if api_key is None else api_key
    if not key:
        raise ValueError("the API key must not be empty")
    if spec_path is None:
        from contract_tests.api import document as contract_spec  # noqa: PLC0415 (read when called: env-aware)

        spec_path = Path(contract_spec.SPEC_PATH)
    document = load_document(spec_path)
    server = ContractServer(Spec(document), key)
    info = document.get("info", {})
    app = FastAPI(
        title=str(info.get("title", "Assistants API")),
        version=str(info.get("version", "0")),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    # Concrete paths before templated ones, as OpenAPI matches them.
    for op in sorted(server.operations, key=lambda each: len(each.route_names)):
        methods = [op.method.upper()]
        if op.method == "get" and not any(
            o.path == op.path and o.method == "head" for o in server.operations
        ):
            methods.append("HEAD")
        app.add_api_route(
            op.route,
            _endpoint(server, op),
            methods=methods,
            name=op.operation_id,
            include_in_schema=False,
            response_model=None,
        )
    handlers: list[tuple[type[Exception], ErrorHandler]] = [
        (StarletteHTTPException, server.on_http_exception),
        (RequestValidationError, server.on_validation_error),
        (Exception, server.on_unexpected),
    ]
    for kind, handler in handlers:
        app.add_exception_handler(kind, handler)
    app.state.contract_server = server
    return app


app = create_app()
