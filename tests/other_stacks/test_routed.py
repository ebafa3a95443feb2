"""The operations an app implements, read from its routes (tests/other_stacks/routed.py): on the spec grown
into a whole resource, an app routing some of its operations (one under a mount, with a converter) is
found to implement those, and no other; an app routing none of them, none."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from contract_tests.api.model import Operation, load_api
from tests.edits.resource import write_grown
from tests.other_stacks.fastapi_app.app import create_app
from tests.other_stacks.routed import routed_operations


async def _nothing(request: Request) -> Response:
    return Response(status_code=204)


def _route(op: Operation) -> BaseRoute:
    """A route of the operation's path, the first segment a mount, each parameter with a converter."""
    first, _, rest = op.path.lstrip("/").partition("/")
    path = "/" + rest.replace("}", ":str}") if rest else "/"
    return Mount("/" + first, routes=[Route(path, _nothing, methods=[op.method])])


def test_the_operations_an_app_routes_are_found_and_no_other(tmp_path: Path) -> None:
    spec = tmp_path / "resource.yaml"
    write_grown(spec)
    api = load_api(spec)
    items = [op for op in api.operations if op.path_parameters]
    collection = [op for op in api.operations if not op.path_parameters]
    assert items and collection, "the grown spec has no item or no collection operation"
    chosen = [items[0], collection[-1]]
    app = Starlette(routes=[_route(op) for op in chosen])
    assert set(routed_operations(app, api)) == {op.operation_id for op in chosen}
    assert routed_operations(Starlette(routes=[Route("/elsewhere", _nothing)]), api) == ()


def test_the_fastapi_app_routes_what_it_serves() -> None:
    """Its routes matched to the spec are the operations it says it serves: the matching loses none."""
    app = create_app(api_key="sk-routed-test-key")
    served = {op.operation_id for op in app.state.contract_server.operations}
    assert served, "the FastAPI app serves no operation of the spec"
    assert set(routed_operations(app, load_api())) == served
