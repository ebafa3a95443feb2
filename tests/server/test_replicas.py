"""Replicas of the reference server on one store: two processes, each on its own port, on one PostgreSQL
database, serve the same objects in the same order; a replica killed mid-request loses nothing it
answered; `--workers 2` on one port, on SQLite or PostgreSQL, answers alike whichever worker takes a
request; a state that cannot be opened is one line that never shows the password."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest

from contract_tests.api.document import REPO_ROOT
from contract_tests.api.model import Api
from contract_tests.api.resources import Resource, Role
from tests import spec_facts as facts
from tests.server.conftest import API_KEY
from tests.server.postgres import password_of
from tests.server.processes import Started, free_port, started
from tests.server.resource_client import Client, op_of

PROBE = "/__contract/reference"  # answered by the server without acting on any object
THREADS = 4


def server(spec: Path, state: str, *extra: str) -> AbstractContextManager[Started]:
    argv = ["contract_tests.server", "--spec", str(spec), "--state", state, *extra]
    return started(argv, PROBE, env={"ASSISTANTS_API_KEY": API_KEY})


@contextmanager
def calling(replica: Started, api: Api, resource: Resource) -> Iterator[Client]:
    with httpx.Client(base_url=replica.url, timeout=30) as http:
        yield Client(http, api, resource)


def test_an_object_made_through_one_replica_is_read_listed_changed_and_deleted_through_the_other(
    spec: Path, api: Api, resource: Resource, postgres_url: str
) -> None:
    with (
        server(spec, postgres_url) as one,
        server(spec, postgres_url) as other,
        calling(one, api, resource) as first,
        calling(other, api, resource) as second,
    ):
        made = [first.create(), second.create(), first.create()]
        ids = [first.id_of(body) for body in made]
        for body, key in zip(made, ids, strict=True):
            assert second.call(Role.RETRIEVE, key).json() == body
        # One creation order, the store's, whichever replica made the object or lists it.
        assert first.all_ids() == second.all_ids() == ids
        string = facts.first_with("maxLength", kind="string")
        changed = second.call(Role.UPDATE, ids[0], body={string.name: "changed on the other"})
        assert changed.status_code == op_of(resource, Role.UPDATE).success_status, changed.text
        assert first.call(Role.RETRIEVE, ids[0]).json() == {**made[0], string.name: "changed on the other"}
        assert first.all_ids() == ids, "an update moved the object in the list"
        assert second.call(Role.DELETE, ids[0]).status_code == op_of(resource, Role.DELETE).success_status
        assert first.call(Role.RETRIEVE, ids[0]).status_code == 404
        assert first.all_ids() == ids[1:]
    password = password_of(postgres_url)
    for replica in (one, other):
        assert password not in replica.out + replica.err


def test_a_replica_killed_mid_request_loses_nothing_it_answered(
    spec: Path, api: Api, resource: Resource, postgres_url: str
) -> None:
    answered: list[list[dict[str, object]]] = [[] for _ in range(THREADS)]
    cut: list[Exception] = []
    stop = threading.Event()

    def creating(victim: Started, mine: list[dict[str, object]]) -> None:
        with calling(victim, api, resource) as client:
            while not stop.is_set():
                try:
                    response = client.call(Role.CREATE, body=client.example)
                except httpx.TransportError as exc:
                    cut.append(exc)
                    return
                assert response.status_code == op_of(resource, Role.CREATE).success_status, response.text
                mine.append(response.json())

    with server(spec, postgres_url) as victim, server(spec, postgres_url) as survivor:
        threads = [threading.Thread(target=creating, args=(victim, mine)) for mine in answered]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while sum(map(len, answered)) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert cut, "no request was under way when the replica was killed"
        with calling(survivor, api, resource) as client:
            listed = client.all_ids()
            assert len(listed) == len(set(listed)), f"an object is listed twice: {listed}"
            for mine in answered:
                keys = [client.id_of(body) for body in mine]
                # Each thread waited for an answer before its next create: its objects are listed in order.
                assert [key for key in listed if key in keys] == keys, "an answered create is missing"
                for body, key in zip(mine, keys, strict=True):
                    assert client.call(Role.RETRIEVE, key).json() == body
            retrieved = op_of(resource, Role.RETRIEVE).success_status
            for key in listed:  # a create cut before its answer is whole, or absent
                assert client.call(Role.RETRIEVE, key).status_code == retrieved
            after = client.create()
            assert client.all_ids() == [*listed, client.id_of(after)]


@contextmanager
def paused(pid: int) -> Iterator[None]:
    """The process stopped (SIGSTOP) for the block: the port's other worker must take every connection."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_state(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A state that processes share: a SQLite file, a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "state.sqlite")
    return str(request.getfixturevalue("postgres_url"))


def test_workers_on_one_port_see_each_others_objects(
    spec: Path, api: Api, resource: Resource, shared_state: str
) -> None:
    state = shared_state
    with server(spec, state, "--workers", "2") as served:
        workers = served.worker_pids()
        assert len(workers) == 2, f"{len(workers)} workers serve, not 2"
        made = []
        for maker, reader in (workers, workers[::-1]):
            with paused(reader), calling(served, api, resource) as client:
                made.append(client.create())
            with paused(maker), calling(served, api, resource) as client:
                key = client.id_of(made[-1])
                assert client.call(Role.RETRIEVE, key).json() == made[-1]
                assert client.all_ids() == [client.id_of(body) for body in made]
    assert served.process.returncode == 0, served.out + served.err


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=REPO_ROOT,
        env={**os.environ, "API_KEY": API_KEY},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


COMMANDS = {
    "reference server": ["contract_tests.server", "--port", "0"],
    "mock": ["contract_tests", "mock", "--port", "0"],
}
SECRET = "sekret-pw-4d1f"
# Each command with a state it cannot open (every kind of bad state is tried in tests/server/test_stores.py).
BAD_STATES = {
    "reference server": f"postgresql://contract:{SECRET}@[::1/db",
    "mock": f"postgresql://contract:{SECRET}@127.0.0.1:{free_port()}/db",
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_state_that_cannot_be_opened_is_one_line_without_the_password(command: str) -> None:
    done = _run(
        *COMMANDS[command], "--state", BAD_STATES[command], *(["--", "true"] if command == "mock" else [])
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: cannot open the state at postgresql://contract:***@"), lines[0]
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_workers_without_a_shared_state_are_refused_in_one_line(command: str) -> None:
    done = _run(*COMMANDS[command], "--workers", "2")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: --workers 2 needs --state"), (
        done.stderr
    )
