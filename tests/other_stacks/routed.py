"""The operations of a spec a Starlette (or FastAPI) app implements, read from the app itself: each of its
routes' methods and path, its parameters filled in, matched to the spec with `Api.match`.

An app written for one version of the spec lacks what a later version adds: its pytest entry judges the
operations it routes (`contract_checks(..., operations=routed_operations(app, api))`), and the others
are skipped with the reason printed. Standalone beside contract_tests (no import of tests/): the install
test copies it next to the app, in a directory with nothing of this repository in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from starlette.routing import Mount, Route

from contract_tests.api.model import Api

# A route's `{name}` or `{name:converter}`: one path segment, filled with a value every converter reads.
_PARAMETER = re.compile(r"\{[^{}]+\}")
_FILLED = "1"


def routes(app: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path with its parameters filled in) of every route of the app and of its mounts."""
    for route in getattr(app, "routes", []):
        if isinstance(route, Mount):
            yield from routes(route, prefix + _PARAMETER.sub(_FILLED, route.path))
        elif isinstance(route, Route) and route.methods:
            for method in sorted(route.methods):
                yield method, prefix + _PARAMETER.sub(_FILLED, route.path)


def routed_operations(app: Any, api: Api) -> tuple[str, ...]:
    """The operationIds of `api` the app has a route for, in the spec's order (the spec's base path
    before a route's path or not)."""
    found: set[str] = set()
    for method, path in routes(app):
        for candidate in (path, api.base_path + path):
            matched = api.match(method, candidate)
            if matched is not None:
                found.add(matched[0].operation_id)
                break
    return tuple(op.operation_id for op in api.operations if op.operation_id in found)
