"""The spec grown into a resource, as OpenAI's own v1 resource and every OpenAI-compatible server have it.

Beside the create (the seed's operation): a list of the collection (`limit` 1 to 100, `order` asc or
desc, `after` and `before` cursors, a page object holding the items), a retrieve, a modify whose every
field is optional, and a delete answering a confirmation. Everything is found in the loaded spec by
keyword (the POST of a collection with a JSON body, its success schema, its headers and error responses),
and only what the spec lacks is added: run on a spec that already has a retrieve, it adds the rest.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from contract_tests.api.document import SPEC_PATH, escape_pointer, load_spec, node_at
from contract_tests.api.model import Api, Operation, load_api

ID_PARAMETER = "resource_id"
KINDS = ("list", "get", "modify", "delete")


def create_operation(api: Api) -> Operation:
    """The seed's operation: the first POST of a path without parameters that takes a JSON body."""
    for op in api.operations:
        if op.method == "POST" and not op.path_parameters and op.body is not None:
            return op
    raise AssertionError("the spec has no POST of a collection with a JSON body")


def _fresh(taken: set[str], *candidates: str) -> str:
    return next(name for name in candidates if name not in taken)


def _item_path(api: Api, collection: str) -> str:
    """The collection's item path, the spec's own if it has one."""
    for op in api.operations:
        if op.path.startswith(collection + "/{") and op.path.count("/") == collection.count("/") + 1:
            return op.path
    return f"{collection}/{{{ID_PARAMETER}}}"


def grow(  # noqa: PLR0915
    document: dict[str, Any], api: Api, *, links: bool = True, kinds: Collection[str] = KINDS
) -> list[str]:
    """Add the list, retrieve, modify and delete operations the spec lacks, or those of `kinds` (and,
    with `links`, the links from the create's response to the item operations); the operationIds added."""
    unknown = set(kinds) - set(KINDS)
    assert not unknown, f"no kind of operation {sorted(unknown)}: the kinds are {KINDS}"
    create = create_operation(api)
    node = node_at(document, create.pointer)
    collection = create.path
    item = _item_path(api, collection)
    parameter = item.rsplit("{", 1)[1].rstrip("}")
    success = create.success.status
    success_node = copy.deepcopy(node["responses"][create.success.status])
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    headers = [
        copy.deepcopy(entry)
        for entry in node.get("parameters", [])
        if not isinstance(entry, dict) or entry.get("in") == "header" or "$ref" in entry
    ]
    errors = {
        status: copy.deepcopy(response)
        for status, response in node["responses"].items()
        if not str(status).startswith("2")
    }
    error_any = next(iter(errors.values()))
    taken_ids = {op.operation_id for op in api.operations}
    existing = {(op.path, op.method) for op in api.operations}
    paths = document["paths"]
    added: list[str] = []
    id_schema = {"type": "string", "description": "The ID of the resource."}
    id_parameter = {
        "name": parameter,
        "in": "path",
        "required": True,
        "description": "The ID of the resource.",
        "schema": id_schema,
    }

    def operation(kind: str, summary: str, *, extra: dict[str, Any]) -> dict[str, Any]:
        operation_id = _fresh(taken_ids, f"{kind}Resource", f"{kind}Resource2", f"x{kind}Resource")
        taken_ids.add(operation_id)
        added.append(operation_id)
        return {
            "operationId": operation_id,
            "tags": copy.deepcopy(node.get("tags", [])),
            "summary": summary,
            "description": f"{summary}.",
            **extra,
        }

    def responses(ok: dict[str, Any], *statuses: str) -> dict[str, Any]:
        found = {success: ok}
        for status in statuses:
            found[status] = copy.deepcopy(errors.get(status, errors.get("default", error_any)))
        if "default" in errors:
            found["default"] = copy.deepcopy(errors["default"])
        return found

    object_schema = success_node["content"][create.success.media_type]["schema"]
    if "list" in kinds and ("GET", collection) not in {(m, p) for p, m in existing}:
        page = _fresh(set(schemas), "ResourceList", "ResourceList2")
        schemas[page] = {
            "type": "object",
            "description": "A page of resources, newest first unless `order` says otherwise.",
            "required": ["object", "data", "first_id", "last_id", "has_more"],
            "properties": {
                "object": {"type": "string", "enum": ["list"], "description": "Always `list`."},
                "data": {"type": "array", "items": copy.deepcopy(object_schema), "description": "The page."},
                "first_id": {"type": ["string", "null"], "description": "The first item's ID."},
                "last_id": {"type": ["string", "null"], "description": "The last item's ID."},
                "has_more": {"type": "boolean", "description": "Whether more items follow."},
            },
        }
        query = [
            {
                "name": "limit",
                "in": "query",
                "description": "How many items a page holds.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
            },
            {
                "name": "order",
                "in": "query",
                "description": "Oldest first (`asc`) or newest first (`desc`).",
                "schema": {"type": "string", "enum": ["asc", "desc"], "default": "desc"},
            },
            {
                "name": "after",
                "in": "query",
                "description": "The page after this item's ID.",
                "schema": {"type": "string"},
            },
            {
                "name": "before",
                "in": "query",
                "description": "The page before this item's ID.",
                "schema": {"type": "string"},
            },
        ]
        ok = copy.deepcopy(success_node)
        ok["description"] = "A page of resources."
        ok["content"] = {
            create.success.media_type: {"schema": {"$ref": f"#/components/schemas/{escape_pointer(page)}"}}
        }
        ok.pop("links", None)
        paths[collection]["get"] = operation(
            "list",
            "List resources",
            extra={"parameters": [*headers, *query], "responses": responses(ok, "400", "401")},
        )
    item_node = paths.setdefault(item, {})
    plain = copy.deepcopy(success_node)
    plain.pop("links", None)
    plain.get("content", {}).get(create.success.media_type, {}).pop("examples", None)
    if "get" in kinds and ("GET", item) not in {(m, p) for p, m in existing}:
        item_node["get"] = operation(
            "get",
            "Retrieve a resource",
            extra={
                "parameters": [*copy.deepcopy(headers), copy.deepcopy(id_parameter)],
                "responses": responses(copy.deepcopy(plain), "401", "404"),
            },
        )
    if "modify" in kinds and not {("POST", item), ("PATCH", item)} & {(m, p) for p, m in existing}:
        request = create.body
        assert request is not None
        modify = _fresh(set(schemas), "ModifyResourceRequest", "ModifyResourceRequest2")
        base = copy.deepcopy(api.values.schema(request.schema_pointer))
        base.pop("required", None)
        for field in base.get("properties", {}).values():
            if isinstance(field, dict):
                field.pop("default", None)  # a field left out keeps its value: no default applies
        base["description"] = "The fields to change; the others keep their values."
        schemas[modify] = base
        item_node["post"] = operation(
            "modify",
            "Modify a resource",
            extra={
                "parameters": [*copy.deepcopy(headers), copy.deepcopy(id_parameter)],
                "requestBody": {
                    "required": True,
                    "description": "The fields to change.",
                    "content": {
                        request.media_type: {
                            "schema": {"$ref": f"#/components/schemas/{escape_pointer(modify)}"}
                        }
                    },
                },
                "responses": responses(copy.deepcopy(plain), "400", "401", "404", "413", "415"),
            },
        )
    if "delete" in kinds and ("DELETE", item) not in {(m, p) for p, m in existing}:
        deleted = _fresh(set(schemas), "DeletedResource", "DeletedResource2")
        id_name = "id"
        schemas[deleted] = {
            "type": "object",
            "description": "The confirmation of a delete.",
            "required": [id_name, "deleted"],
            "properties": {
                id_name: {"type": "string", "description": "The ID of the deleted resource."},
                "deleted": {"type": "boolean", "description": "Always true."},
            },
        }
        ok = copy.deepcopy(plain)
        ok["description"] = "The resource was deleted."
        ok["content"] = {
            create.success.media_type: {"schema": {"$ref": f"#/components/schemas/{escape_pointer(deleted)}"}}
        }
        item_node["delete"] = operation(
            "delete",
            "Delete a resource",
            extra={
                "parameters": [*copy.deepcopy(headers), copy.deepcopy(id_parameter)],
                "responses": responses(ok, "401", "404"),
            },
        )
    if not item_node:
        del paths[item]  # no item operation was asked for
    if links and item_node:
        id_field = _id_field(api, create)
        response = node["responses"][create.success.status]
        response.setdefault("links", {})
        for method, operation_node in node_at(document, f"/paths/{escape_pointer(item)}").items():
            if not isinstance(operation_node, dict) or "operationId" not in operation_node:
                continue
            name = f"{method.capitalize()}Item"
            response["links"].setdefault(
                name,
                {
                    "operationId": operation_node["operationId"],
                    "parameters": {parameter: f"$response.body#/{escape_pointer(id_field)}"},
                    "description": f"The {method.upper()} of the item created.",
                },
            )
    return added


def write_grown(path: Path, kinds: Collection[str] = KINDS, *, links: bool = False) -> list[str]:
    """Write to `path` the project's spec grown by the operations of `kinds` it lacks (see `grow`); the
    operationIds added."""
    document = load_spec(SPEC_PATH)
    added = grow(document, load_api(SPEC_PATH), links=links, kinds=kinds)
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return added


def _id_field(api: Api, create: Operation) -> str:
    """The create's response property the spec marks `x-unique`, else `id`."""
    pointer = create.success.schema_pointer
    assert pointer is not None
    for name, where in api.values.properties(pointer).items():
        if api.values.schema(where).get("x-unique") is True:
            return name
    return "id"
