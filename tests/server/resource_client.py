"""Calling the operations of the spec grown into a resource (tests/edits/resource.py) by role, with the key
and the required headers: through the app in process (Starlette's TestClient) or over HTTP (httpx)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from contract_tests.api.model import Api, Operation
from contract_tests.api.resources import Resource, Role
from tests import spec_facts as facts
from tests.edits.resource import write_grown
from tests.server.conftest import API_KEY


def write_grown_spec(folder: Path) -> Path:
    """The project's spec grown into a whole resource, with links, written into `folder`."""
    path = folder / "openapi.yaml"
    write_grown(path, links=True)
    return path


def op_of(resource: Resource, role: Role) -> Operation:
    op = resource.first(role)
    assert op is not None, f"the resource has no {role.value}"
    return op


class Client:
    """Calls the operations of the resource by role, with the key and the required headers."""

    def __init__(self, http: httpx.Client, api: Api, resource: Resource, key: str = API_KEY) -> None:
        self.http, self.api, self.resource = http, api, resource
        seed = facts.seed()
        self.headers = {"Authorization": f"Bearer {key}", **seed.required_headers()}
        self.example = max(seed.examples.values(), key=len)

    def url(self, op: Operation, key: str | None = None) -> str:
        path = self.api.base_path + op.path
        return path.replace("{" + self.resource.id_parameter + "}", key) if key is not None else path

    def call(
        self, role: Role, key: str | None = None, body: Any = None, query: dict[str, str] | None = None
    ) -> Any:
        op = op_of(self.resource, role)
        content = json.dumps(body).encode() if body is not None else None
        headers = {**self.headers, **({"Content-Type": "application/json"} if content else {})}
        return self.http.request(op.method, self.url(op, key), content=content, headers=headers, params=query)

    def create(self, **changes: Any) -> dict[str, Any]:
        response = self.call(Role.CREATE, body={**self.example, **changes})
        assert response.status_code == op_of(self.resource, Role.CREATE).success_status, response.text
        body: dict[str, Any] = response.json()
        return body

    def id_of(self, body: Any) -> str:
        return str(self.resource.id_of(body))

    def listed(self, **query: str) -> Any:
        response = self.call(Role.LIST, query=query)
        assert response.status_code == op_of(self.resource, Role.LIST).success_status, response.text
        return response.json()

    def all_ids(self) -> list[str]:
        """Every id the list pages through, oldest first, page after page by the spec's cursor."""
        paging = self.resource.paging
        assert paging.limit is not None and paging.after is not None and paging.order is not None
        ids: list[str] = []
        query = {paging.limit.name: "100", paging.order.name: "asc"}
        while True:
            page = self.listed(**query)
            ids += [self.id_of(item) for item in self.resource.items_of(page) or []]
            if not self.resource.has_more(page):
                return ids
            query[paging.after.name] = ids[-1]
