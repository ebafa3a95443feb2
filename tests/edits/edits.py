"""Ordinary edits of the spec that keep the API's statement (the seed) true, made on the parsed document.

Each finds what it edits in the loaded spec by schema keyword and by name (a number field the response
has and the request lacks, the request's list of several kinds, a required string field), never by
position or by a text replace, and names what it added, so that a test can look for it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contract_tests.api.document import UNIQUE, UNIXTIME, escape_pointer
from contract_tests.api.values import Values, json_types
from tests import spec_facts as facts
from tests.edits import resource
from tests.spec_facts import Operation


@dataclass(frozen=True)
class Edit:
    name: str
    apply: Callable[[dict[str, Any]], None]
    # What the edit adds that the suite must now test, for the test to look for: a field, a kind, an
    # operationId; "" for an edit that changes no meaning.
    adds: str
    # Whether a server built from the spec before the edit must fail the suite run on the edited spec
    # (an edit that adds nothing to a spec that has it already leaves the old server passing).
    old_server_fails: bool = True
    adds_operation: bool = False  # `adds` is then its operationId
    # What the edited spec must make the suite judge: a check that must have judged some case there.
    judged: tuple[tuple[str, str], ...] = ()  # (operationId or "" for any, check)


def _fresh(names: set[str], *candidates: str) -> str:
    return next(name for name in candidates if name not in names)


def _new_optional_number(seed: Operation) -> tuple[str, Callable[[dict[str, Any]], None]]:
    """An optional number field with a range and a default: one the response has and the request lacks
    (`temperature`), else a new one in both."""
    request = {prop.name for prop in facts.request_properties(seed)}
    response = {prop.name: prop for prop in facts.properties(facts.response_pointer(seed), seed)}
    numbers = sorted(
        name
        for name, prop in response.items()
        if name not in request
        and "number" in json_types(prop.schema)
        and prop.schema.get(UNIQUE) is not True
        and prop.schema.get("format") != UNIXTIME
    )
    name = numbers[0] if numbers else _fresh(request | set(response), "temperature", "x_temperature")

    def edit(document: dict[str, Any]) -> None:
        field = {
            "type": "number",
            "minimum": 0,
            "maximum": 2,
            "default": 1,
            "description": "Sampling temperature.",
        }
        facts.target(document, facts.request_pointer(seed))["properties"][name] = field
        body = facts.target(document, facts.response_pointer(seed))
        if name not in body["properties"]:
            body["properties"][name] = {"type": "number", "description": "Sampling temperature."}

    return name, edit


def _new_kind(seed: Operation) -> tuple[str, Callable[[dict[str, Any]], None]]:
    """A new kind in the request's list of several kinds (a tool type), a component of its own, in the
    `oneOf` and the discriminator's mapping."""
    tools, kinds = facts.kinds(seed)
    items = seed.values.child(tools.pointer, "items")
    assert items is not None
    discriminator = seed.values.discriminator(items)
    tag = discriminator[0] if discriminator else "type"
    kind = _fresh({label for label, _ in kinds}, "file_search", "x_new_kind")
    component = _fresh(
        set(seed.document.get("components", {}).get("schemas", {})), "FileSearchTool", "XNewKindTool"
    )

    def edit(document: dict[str, Any]) -> None:
        document["components"]["schemas"][component] = {
            "type": "object",
            "description": "The file search tool.",
            "required": [tag],
            "properties": {
                tag: {"type": "string", "enum": [kind], "default": kind, "description": f"Always `{kind}`."},
                "max_num_results": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 50,
                    "description": "At most.",
                },
                # A pattern with a length limit: boundary strings must match it as well.
                "index_url": {
                    "type": "string",
                    "pattern": "^https://",
                    "maxLength": 2048,
                    "description": "Where the index lives.",
                },
            },
        }
        union = facts.target(document, items)
        ref = f"#/components/schemas/{component}"
        union["oneOf"].append({"$ref": ref})
        if "mapping" in union.get("discriminator", {}):
            union["discriminator"]["mapping"][kind] = ref

    return kind, edit


def _changed_limits(seed: Operation) -> tuple[str, Callable[[dict[str, Any]], None]]:
    """Every limit the spec sets on the request's optional fields halved (where the seed says none)."""
    optional = [prop for prop in facts.request_properties(seed) if prop.name not in facts.required(seed)]

    def edit(document: dict[str, Any]) -> None:
        for prop in optional:
            node = facts.target(document, prop.pointer)
            for keyword in ("maxLength", "maxItems", "maxProperties"):
                if isinstance(node.get(keyword), int) and node[keyword] > 1:
                    node[keyword] //= 2

    return "", edit


def _optional_nullable(seed: Operation) -> tuple[str, Callable[[dict[str, Any]], None]]:
    """A required string field of the request (one the response also has) made optional and nullable."""
    response = {prop.name for prop in facts.properties(facts.response_pointer(seed), seed)}
    strings = sorted(
        prop.name
        for prop in facts.request_properties(seed)
        if prop.name in facts.required(seed)
        and prop.name in response
        and json_types(prop.schema) == ("string",)
        and "pattern" not in prop.schema
    )
    assert strings, "the request has no required string field the response also has"
    name = strings[0]

    def edit(document: dict[str, Any]) -> None:
        body = facts.target(document, facts.request_pointer(seed))
        body["required"] = [field for field in body["required"] if field != name]
        field = body["properties"][name]
        field["type"] = ["string", "null"]

    return name, edit


def _new_operation(seed: Operation) -> tuple[str, Callable[[dict[str, Any]], None]]:
    """GET of one object by a path parameter: the seed's path plus `/{id}`, its headers, its success
    schema for 200, a 404 and the `default` error (nothing, when the spec retrieves one already)."""
    operation_id = _fresh(set(_operation_ids(seed.document)), "getAssistant", "getResource")
    has_one = any(
        op.method == "GET"
        and op.path.startswith(seed.path + "/{")
        and op.path.count("/") == seed.path.count("/") + 1
        for op in seed.api.operations
    )

    def edit(document: dict[str, Any]) -> None:
        if has_one:
            return
        node = facts.at(document, seed.pointer)
        success = str(seed.success_status)
        errors = {
            status: response for status, response in node["responses"].items() if not status.startswith("2")
        }
        fallback = errors.get("default", next(iter(errors.values())))
        document["paths"][f"{seed.path}/{{assistant_id}}"] = {
            "get": {
                "operationId": operation_id,
                "tags": copy.deepcopy(node.get("tags", [])),
                "summary": "Retrieve assistant",
                "description": "Retrieves an assistant.",
                "parameters": [
                    *copy.deepcopy(node.get("parameters", [])),
                    {
                        "name": "assistant_id",
                        "in": "path",
                        "required": True,
                        "description": "The ID of the assistant to retrieve.",
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    success: copy.deepcopy(node["responses"][success]),
                    "401": copy.deepcopy(errors.get("401", fallback)),
                    "404": copy.deepcopy(fallback),
                    **({"default": copy.deepcopy(errors["default"])} if "default" in errors else {}),
                },
            }
        }

    return ("" if has_one else operation_id), edit


def _resource(links: bool) -> Callable[[Operation], tuple[str, Callable[[dict[str, Any]], None]]]:
    """The spec grown into the whole resource (tests/edits/resource.py), with or without links."""

    def make(seed: Operation) -> tuple[str, Callable[[dict[str, Any]], None]]:
        probe = copy.deepcopy(seed.api.raw)
        added = resource.grow(probe, seed.api, links=links)

        def edit(document: dict[str, Any]) -> None:
            resource.grow(document, seed.api, links=links)

        return (added[0] if added else ""), edit

    return make


def _errors_as_422(seed: Operation) -> tuple[str, Callable[[dict[str, Any]], None]]:
    """Every operation's 400 documented as 422 instead, as a FastAPI server answers validation errors."""
    found = [op for op in seed.api.operations if "400" in op.documented and "422" not in op.documented]

    def edit(document: dict[str, Any]) -> None:
        for op in found:
            responses = facts.at(document, op.pointer)["responses"]
            responses["422"] = responses.pop("400")

    return ("422" if found else ""), edit


def _api_key_header(seed: Operation) -> tuple[str, Callable[[dict[str, Any]], None]]:
    """An `apiKey` scheme in a header (`api-key`, as Azure OpenAI takes it) beside the bearer one: either
    alternative is enough, on every operation."""
    schemes = seed.document.get("components", {}).get("securitySchemes", {})
    name = _fresh(set(schemes), "apiKeyHeader", "apiKeyHeader2")

    def edit(document: dict[str, Any]) -> None:
        document.setdefault("components", {}).setdefault("securitySchemes", {})[name] = {
            "type": "apiKey",
            "in": "header",
            "name": "api-key",
            "description": "The API key, sent as it is in the `api-key` header.",
        }
        document["security"] = [*document.get("security", []), {name: []}]
        for op in seed.api.operations:
            node = facts.at(document, op.pointer)
            if node.get("security"):
                node["security"] = [*node["security"], {name: []}]

    return name, edit


def _response_header(seed: Operation) -> tuple[str, Callable[[dict[str, Any]], None]]:
    """A required response header on every success: `x-request-id`, a new value each time."""
    header = "x-request-id"

    def edit(document: dict[str, Any]) -> None:
        for op in seed.api.operations:
            response = facts.at(document, op.success.pointer)
            response.setdefault("headers", {})[header] = {
                "required": True,
                "description": "The request's own id, for support.",
                "schema": {"type": "string", "x-unique": True, "examples": ["req_123"]},
            }

    return header, edit


def _operation_ids(document: dict[str, Any]) -> list[str]:
    return [
        operation.get("operationId", "")
        for item in document.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict)
    ]


def all_edits(seed: Operation) -> list[Edit]:
    found = []
    for name, make in (
        ("new optional request field", _new_optional_number),
        ("new tool kind", _new_kind),
        ("limits halved", _changed_limits),
        ("required field made optional and nullable", _optional_nullable),
    ):
        adds, apply = make(seed)
        # An old server accepts the bodies over the halved limits, refuses the new field and kind, and
        # still requires the field made optional.
        found.append(Edit(name, apply, adds))
    adds, apply = _new_operation(seed)
    # A server without the new operation answers it 404, for the object the suite has just created too.
    found.append(Edit("new operation", apply, adds, old_server_fails=bool(adds), adds_operation=bool(adds)))
    for name, links in (("the resource, with links", True), ("the resource, without links", False)):
        adds, apply = _resource(links)(seed)
        found.append(
            Edit(
                name,
                apply,
                adds,
                old_server_fails=bool(adds),
                adds_operation=bool(adds),
                judged=(("", "read_after_write"), ("", "use_after_free"), ("", "list_shows_resources")),
            )
        )
    adds, apply = _errors_as_422(seed)
    # A server of the old spec still answers 400, which the edited spec no longer documents.
    found.append(Edit("validation errors as 422", apply, "", old_server_fails=bool(adds)))
    adds, apply = _api_key_header(seed)
    # A server of the old spec refuses the key sent in the new header alone.
    found.append(
        Edit("an api-key header scheme beside bearer", apply, "", judged=(("", "api_key_accepted"),))
    )
    adds, apply = _response_header(seed)
    # A server of the old spec does not send the header.
    found.append(Edit("a required response header", apply, ""))
    found.append(Edit("spec re-dumped by a YAML library", lambda document: None, "", old_server_fails=False))
    return found


def pointer_of(name: str) -> str:
    return "/" + escape_pointer(name)


__all__ = ["Edit", "Values", "all_edits", "pointer_of"]
