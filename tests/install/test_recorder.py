"""The recorder of the same-seed test (tests/install/recorder.py) records what the client chose, not what
the server made: two sessions that carry ids a server made at random record the same lines, and a
client that chooses another value records another line."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.install.recorder import MADE, recording


def _server() -> Starlette:
    """Makes a thing with a random id, echoes the name it was given; reads a thing back by its id."""
    things: dict[str, dict[str, Any]] = {}

    async def create(request: Request) -> JSONResponse:
        body = await request.json()
        thing = {"id": f"thing_{secrets.token_hex(8)}", "name": body["name"], "kind": "thing"}
        things[thing["id"]] = thing
        return JSONResponse(thing)

    async def read(request: Request) -> JSONResponse:
        return JSONResponse(things[request.path_params["thing_id"]])

    return Starlette(routes=[Route("/things", create, methods=["POST"]), Route("/things/{thing_id}", read)])


def _session(sink: Path, name: str) -> tuple[list[list[Any]], list[str]]:
    """The lines recorded of one session, and the ids the server made in it."""
    with TestClient(recording(_server(), sink)) as client:
        first = client.post("/things", json={"name": name}).json()
        second = client.post("/things", json={"name": name, "parent": first["id"]}).json()
        client.get(f"/things/{second['id']}", params={"after": first["id"]}, headers={"x-of": first["id"]})
    lines = [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines()]
    return lines, [first["id"], second["id"]]


def test_values_the_server_made_are_recorded_by_the_order_it_made_them(tmp_path: Path) -> None:
    one, made_one = _session(tmp_path / "one.jsonl", "Ada")
    two, made_two = _session(tmp_path / "two.jsonl", "Ada")
    assert set(made_one).isdisjoint(made_two), "the server made the same ids twice"
    assert one == two, f"{one} != {two}"
    _, path, query, headers, _ = one[2]
    assert path.startswith("/things/" + MADE) and query.startswith("after=" + MADE), one[2]
    assert any(value.startswith(MADE) for name, value in headers if name == "x-of"), headers
    assert not any(made in json.dumps(line) for line in one for made in made_one)
    assert MADE in bytes.fromhex(one[1][4]).decode(), "the id carried in a body was not replaced"
    # The name the client chose, which the server echoed, is the client's, not a made value.
    assert "Ada" in bytes.fromhex(one[1][4]).decode()


def test_a_value_the_client_chose_otherwise_is_a_difference(tmp_path: Path) -> None:
    one, _ = _session(tmp_path / "one.jsonl", "Ada")
    two, _ = _session(tmp_path / "two.jsonl", "Grace")
    assert one[0] != two[0] and one[1] != two[1]
    assert one[2] == two[2], "the read carries made values only: the same line"
