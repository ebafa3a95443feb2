"""Every operation of the spec through the generated client, against the reference server (a process of
its own on a loopback port): each called by its generated function with the spec's examples (the item
operations of a resource on an object just created through the client), answered with its documented
success status, a body the spec allows, parsed losslessly into the generated model.

Nothing here names an operation: the operations come from the model of the spec, the functions from the
generated package by their operationId, so a spec that grows (tests/edits: list, retrieve, modify,
delete) holds its regenerated client to every operation it adds.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import json
import pkgutil
import re
import types
import typing
from collections.abc import Iterator
from typing import Any

import assistants_v1_client.api as endpoints
import httpx
import pytest
from assistants_v1_client import AuthenticatedClient

from contract_tests.api.model import Operation, load_api
from contract_tests.api.resources import Resource, Role
from contract_tests.api.validators import validator_for
from contract_tests.client.processes import reference_server

API_KEY = "sk-test-every-operation"
API = load_api()


def _name(text: str) -> str:
    """A name as the generator's snake case and the spec's camel case both reduce to."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def endpoint(op: Operation) -> Any:
    """The generated module of `op` (openapi-python-client: one module per operation, named after its
    operationId, in a package per tag)."""
    for found in pkgutil.walk_packages(endpoints.__path__, f"{endpoints.__name__}."):
        if _name(found.name.rsplit(".", 1)[1]) == _name(op.operation_id):
            return importlib.import_module(found.name)
    raise AssertionError(f"the generated client has no module for {op.operation_id}")


def _kinds(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [kind for arg in typing.get_args(annotation) for kind in _kinds(arg)]
    return [annotation]


def _argument(annotation: Any, value: Any) -> Any:
    """`value` (JSON) as the generated function takes it: a model, an enum member, or itself."""
    for kind in _kinds(annotation):
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            try:
                return kind(value)
            except ValueError:
                continue
        if isinstance(value, dict) and hasattr(kind, "from_dict"):
            return kind.from_dict(value)
        if kind is int and isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)  # an id taken from a body, for a path parameter the spec types integer
    return value


def _resource(op: Operation) -> tuple[Resource, Role] | None:
    for resource in API.resources:
        role = resource.role_of(op)
        if role is not None:
            return resource, role
    return None


def _body(op: Operation) -> Any:
    examples = [value for value in API.examples(op).values() if isinstance(value, dict)]
    if examples:
        return max(examples, key=len)
    assert op.body is not None
    return API.values.example(op.body.schema_pointer)


class Caller:
    """Calls an operation through its generated function, by the spec's names for its parameters."""

    def __init__(self, client: AuthenticatedClient) -> None:
        self.client = client

    def call(self, op: Operation, path: dict[str, str] | None = None) -> Any:
        function = endpoint(op).sync_detailed
        hints = typing.get_type_hints(function)
        names = {_name(name): name for name in inspect.signature(function).parameters}
        kwargs: dict[str, Any] = {"client": self.client}
        for parameter in (*op.path_parameters, *op.query, *op.headers):
            given = (path or {}).get(parameter.name)
            if given is None and not parameter.required:
                continue  # the generated default (a header's only value), or unset
            name = names.get(_name(parameter.name))
            assert name is not None, f"{op.operation_id}: no argument for the parameter {parameter.name!r}"
            value = given if given is not None else API.parameter_example(parameter)
            kwargs[name] = _argument(hints.get(name), value)
        if op.body is not None:
            kwargs["body"] = _argument(hints.get("body"), _body(op))
        return function(**kwargs)

    def above(self, resource: Resource) -> dict[str, str]:
        """The path parameters of `resource`'s collection: its parents', each created in turn."""
        if resource.parent is None:
            return {}
        path = self.above(resource.parent)
        return {**path, resource.parent.id_parameter: self.created(resource.parent, path)}

    def created(self, resource: Resource, path: dict[str, str]) -> str:
        create = resource.first(Role.CREATE)
        assert create is not None, f"{resource.label} has no create"
        answer = self.call(create, path)
        assert answer.status_code == create.success_status, answer.content[:500]
        return str(resource.id_of(json.loads(answer.content)))


@pytest.fixture(scope="module")
def caller() -> Iterator[Caller]:
    with (
        reference_server(API_KEY) as url,
        AuthenticatedClient(base_url=url, token=API_KEY, timeout=httpx.Timeout(30.0)) as client,
    ):
        yield Caller(client)


def _check(op: Operation, answer: Any, *, success: bool) -> None:
    """The documented success (or, for an operation called on example ids, a documented status), its
    body valid by the spec, parsed into a model that serialises back to the same JSON."""
    where = f"{op.method} {op.path} ({op.operation_id})"
    documented = op.response_for(answer.status_code)
    if success:
        assert answer.status_code == op.success_status, (
            f"{where}: {answer.status_code} {answer.content[:500]!r}"
        )
    assert documented is not None, f"{where}: {answer.status_code} is not documented"
    if documented.schema_pointer is None:
        return
    body = json.loads(answer.content)
    validator_for(documented.schema_pointer).validate(body)
    parsed = answer.parsed
    assert parsed is not None, f"{where}: the client parsed nothing from {answer.content[:300]!r}"
    assert hasattr(parsed, "to_dict"), f"{where}: parsed {parsed!r}, not a model"
    assert parsed.to_dict() == body, f"{where}: the parsed body does not serialise back to what came"


@pytest.mark.parametrize("op", API.operations, ids=[op.operation_id for op in API.operations])
def test_every_operation_is_called_and_parsed(caller: Caller, op: Operation) -> None:
    found = _resource(op)
    path: dict[str, str] = {}
    if found is not None:
        resource, role = found
        path = caller.above(resource)
        if role is not Role.CREATE and resource.id_parameter in {p.name for p in op.path_parameters}:
            path[resource.id_parameter] = caller.created(resource, path)
    # An operation outside any resource is called on its parameters' examples: what it answers is
    # judged by what it documents for that status.
    success = all(parameter.name in path for parameter in op.path_parameters)
    for parameter in op.path_parameters:
        path.setdefault(parameter.name, str(API.parameter_example(parameter)))
    _check(op, caller.call(op, path), success=success)


def test_the_operations_are_found_in_the_generated_client() -> None:
    """Each operation has its generated module, and no two share one."""
    modules = [endpoint(op).__name__ for op in API.operations]
    assert len(set(modules)) == len(modules), modules
