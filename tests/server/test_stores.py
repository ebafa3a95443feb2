"""The stores behave alike (memory, SQLite, PostgreSQL): objects kept by collection and id in creation
order, an update keeping an object's place; the shared ones are shared by every store opened on them; the
PostgreSQL store opens its connection again when the database drops it; a state that cannot be opened is
one line that shows no password."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from contract_tests.server.store import MemoryStore, Store, close_store, open_store, shown
from tests.server.postgres import password_of, server_url
from tests.server.processes import free_port

SECRET = "sekret-pw-93ab"


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if request.param == "memory":
        return None
    if request.param == "sqlite":
        return str(tmp_path / "state.sqlite")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(state: str | None) -> Iterator[Store]:
    opened = open_store(state)
    yield opened
    close_store(opened)


def test_objects_are_kept_by_collection_in_creation_order(store: Store) -> None:
    for key in ("b", "a", "c"):
        store.put("/things", key, {"name": key, "nested": {"list": [1, 2.5, None, "ü"]}})
    store.put("/others", "a", {"other": True})
    store.put("/things", "b", {"name": "b changed"})  # an update keeps its place
    assert [key for key, _ in store.items("/things")] == ["b", "a", "c"]
    assert store.get("/things", "b") == {"name": "b changed"}
    assert store.get("/things", "a") == {"name": "a", "nested": {"list": [1, 2.5, None, "ü"]}}
    assert store.get("/others", "a") == {"other": True} and store.get("/others", "b") is None
    assert store.delete("/things", "a") is True and store.delete("/things", "a") is False
    assert [key for key, _ in store.items("/things")] == ["b", "c"]
    store.put("/things", "a", {"name": "again"})  # made again: the newest
    assert [key for key, _ in store.items("/things")] == ["b", "c", "a"]


def test_a_shared_state_is_one_store_for_every_process_that_opens_it(state: str | None) -> None:
    if state is None:
        first, second = open_store(None), open_store(None)
        first.put("/things", "x", 1)
        assert second.get("/things", "x") is None, "two memory stores shared an object"
        return
    first, second = open_store(state), open_store(state)
    try:
        first.put("/things", "x", {"n": 1})
        second.put("/things", "y", {"n": 2})
        first.put("/things", "z", {"n": 3})
        assert [key for key, _ in second.items("/things")] == ["x", "y", "z"]
        assert second.delete("/things", "x")
        assert first.get("/things", "x") is None
    finally:
        close_store(first)
        close_store(second)


def test_the_postgresql_store_reopens_a_connection_the_database_dropped(postgres_url: str) -> None:
    store = open_store(postgres_url)
    try:
        store.put("/things", "x", {"n": 1})
        backend = store._db.info.backend_pid  # type: ignore[attr-defined]
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        assert store.get("/things", "x") == {"n": 1}
        assert store._db.info.backend_pid != backend  # type: ignore[attr-defined]
    finally:
        close_store(store)


def _bad(kind: str) -> str:
    if kind == "unreachable":
        return f"postgresql://contract:{SECRET}@127.0.0.1:{free_port()}/db"
    if kind == "malformed":
        return f"postgresql://contract:{SECRET}@[::1/db"
    if kind == "password as a parameter":
        return f"postgresql://contract@127.0.0.1:{free_port()}/db?sslmode=disable&password={SECRET}"
    url = server_url()  # a real server, the wrong password
    return url.replace(f":{password_of(url)}@", f":{SECRET}@")


@pytest.mark.parametrize("kind", ["unreachable", "malformed", "password as a parameter", "wrong password"])
def test_a_state_that_cannot_be_opened_says_why_in_one_line_without_its_password(kind: str) -> None:
    with pytest.raises(ValueError, match=r"^cannot open the state at postgresql://contract") as raised:
        open_store(_bad(kind))
    said = str(raised.value)
    assert "\n" not in said and SECRET not in said, said
    assert "***" in said.split(": ", 1)[0], f"the password is not shown masked: {said}"
    if kind == "wrong password":
        assert "password authentication failed" in said, said


def test_a_password_is_masked_in_every_form_of_url() -> None:
    assert shown(f"postgresql://me:{SECRET}@db:5432/app") == "postgresql://me:***@db:5432/app"
    assert shown("postgresql://me:p%40ss@db/app") == "postgresql://me:***@db/app"
    assert shown("postgresql://me:a@b@db/app") == "postgresql://me:***@db/app"
    assert (
        shown(f"postgresql://db/app?user=me&password={SECRET}") == "postgresql://db/app?user=me&password=***"
    )
    assert shown("postgresql://me@db/app") == "postgresql://me@db/app"
    assert shown("state.sqlite") == "state.sqlite"


def test_the_memory_store_is_the_default() -> None:
    assert isinstance(open_store(None), MemoryStore)
