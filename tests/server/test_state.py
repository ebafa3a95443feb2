"""The reference server keeps what it creates: on the spec grown into a resource (tests/edits/resource.py)
it retrieves, changes, lists and deletes it; in memory up to a cap, or in a SQLite file that survives a
restart and that two servers share. Every path, field and parameter comes from the loaded spec's model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from contract_tests.api.model import Api
from contract_tests.api.resources import Resource, Role
from contract_tests.server import create_app
from contract_tests.server.store import MemoryStore
from tests import spec_facts as facts
from tests.server.conftest import API_KEY
from tests.server.resource_client import Client, op_of


@pytest.fixture
def client(spec: Path, api: Api, resource: Resource) -> Iterator[Client]:
    with TestClient(create_app(api_key=API_KEY, spec_path=spec)) as http:
        yield Client(http, api, resource)


def test_a_created_object_is_retrieved_as_created(client: Client) -> None:
    made = client.create()
    got = client.call(Role.RETRIEVE, client.id_of(made))
    assert got.status_code == 200 and got.json() == made


def test_an_update_changes_the_fields_sent_and_keeps_the_others(client: Client) -> None:
    made = client.create()
    string = facts.first_with("maxLength", kind="string")
    changed = client.call(Role.UPDATE, client.id_of(made), body={string.name: "changed"})
    assert changed.status_code == 200, changed.text
    expected = {**made, string.name: "changed"}
    assert changed.json() == expected
    assert client.call(Role.RETRIEVE, client.id_of(made)).json() == expected


def test_an_invalid_update_is_refused_and_changes_nothing(client: Client) -> None:
    made = client.create()
    string = facts.first_with("maxLength", kind="string")
    too_long = "x" * (string.schema["maxLength"] + 1)
    assert client.call(Role.UPDATE, client.id_of(made), body={string.name: too_long}).status_code == 400
    assert client.call(Role.RETRIEVE, client.id_of(made)).json() == made


def test_a_deleted_object_is_gone_for_every_operation(client: Client, resource: Resource) -> None:
    made = client.create()
    key = client.id_of(made)
    deleted = client.call(Role.DELETE, key)
    assert deleted.status_code == 200, deleted.text
    confirmation = deleted.json()
    assert key in json.dumps(confirmation) and True in confirmation.values()
    for role in (Role.RETRIEVE, Role.DELETE):
        assert client.call(role, key).status_code == 404
    assert client.call(Role.UPDATE, key, body={}).status_code == 404
    assert key not in {client.id_of(item) for item in resource.items_of(client.listed(limit="100")) or []}


def test_an_id_never_given_is_404_after_the_key_is_checked(client: Client) -> None:
    assert client.call(Role.RETRIEVE, "never-given").status_code == 404
    op = op_of(client.resource, Role.RETRIEVE)
    response = client.http.get(client.url(op, "never-given"), headers=facts.seed().required_headers())
    assert response.status_code == 401


def test_lists_page_newest_first_by_the_spec_cursor(client: Client, resource: Resource) -> None:
    made = [client.id_of(client.create()) for _ in range(5)]
    paging = resource.paging
    assert paging.limit is not None and paging.after is not None and paging.order is not None
    first = client.listed(**{paging.limit.name: "2"})
    page = [client.id_of(item) for item in resource.items_of(first) or []]
    assert page == made[::-1][:2] and resource.has_more(first) is True
    second = client.listed(**{paging.limit.name: "2", paging.after.name: page[-1]})
    assert [client.id_of(item) for item in resource.items_of(second) or []] == made[::-1][2:4]
    oldest = client.listed(**{paging.limit.name: "100", paging.order.name: "asc"})
    ids = [client.id_of(item) for item in resource.items_of(oldest) or []]
    assert ids[-5:] == made and resource.has_more(oldest) is False


@pytest.mark.parametrize("size", ["0", "101", "x"])
def test_a_page_size_outside_its_schema_is_refused(client: Client, resource: Resource, size: str) -> None:
    assert resource.paging.limit is not None
    assert client.call(Role.LIST, query={resource.paging.limit.name: size}).status_code == 400


def test_the_memory_store_keeps_at_most_its_cap() -> None:
    store = MemoryStore(cap=3)
    for index in range(5):
        store.put("/things", str(index), {"n": index})
    assert [key for key, _ in store.items("/things")] == ["2", "3", "4"]
    assert store.get("/things", "0") is None


def test_the_sqlite_state_survives_a_restart_and_is_shared(
    spec: Path, api: Api, resource: Resource, tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite"
    with TestClient(create_app(api_key=API_KEY, spec_path=spec, state=state)) as first:
        made = Client(first, api, resource).create()
    key = Client(first, api, resource).id_of(made)
    with (
        TestClient(create_app(api_key=API_KEY, spec_path=spec, state=state)) as again,
        TestClient(create_app(api_key=API_KEY, spec_path=spec, state=state)) as beside,
    ):
        assert Client(again, api, resource).call(Role.RETRIEVE, key).json() == made
        assert Client(beside, api, resource).call(Role.DELETE, key).status_code == 200
        assert Client(again, api, resource).call(Role.RETRIEVE, key).status_code == 404


def test_a_state_file_that_cannot_be_opened_is_a_clear_error(spec: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot open the state at"):
        create_app(api_key=API_KEY, spec_path=spec, state=tmp_path / "missing-folder" / "state.sqlite")
