"""Servers mounted under a path prefix, as behind a gateway or a reverse proxy (`/api`): the suite judges
them at `--base-url http://host:port/api` as it judges them at the root, path parameters and all.

`serve_in_thread` gives such a server's URL with its `mount_path`, so that the gallery's tests and
`assistants-contract gallery NAME` name it where it serves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from contract_tests.api.model import load_api
from contract_tests.api.resources import Role
from contract_tests.gallery.rewrite import EditRequest, Request, Rewrite, acted_on

MOUNT = "/api"


class Mounted:
    """`app` served under `prefix`, as ASGI mounts an app: the prefix is its `root_path`, and the path
    keeps it (`/api/v1/assistants`; Starlette routes on what follows the root path); a path outside the
    prefix is the gateway's 404."""

    def __init__(self, app: ASGIApp, prefix: str = MOUNT) -> None:
        self.app = app
        self.mount_path = prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        prefix = self.mount_path
        if not path.startswith(prefix + "/"):
            body = json.dumps({"error": {"message": f"Nothing here: the API is under {prefix}/."}}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 404, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app({**scope, "root_path": scope.get("root_path", "") + prefix}, receive, send)


def served_under_a_prefix(base: Any, api_key: str, spec: Path) -> Mounted:
    """The reference server mounted under /api (its paths at /api/v1/...), as behind a gateway."""
    return Mounted(base(api_key=api_key, spec_path=spec))


def _refuse_updates(spec: Path) -> EditRequest:
    """Every update's body is read as no object at all: the update is refused as invalid, whatever it
    sends (the key and the parameters are still checked first)."""
    api = load_api(spec)

    def edit(request: Request) -> Request:
        acted = acted_on(api, request)
        if acted is not None and acted.role is Role.UPDATE and request.body:
            request.body = b"[]"
            request.headers["content-length"] = "2"
        return request

    return edit


def update_refused_under_a_prefix(base: Any, api_key: str, spec: Path) -> Mounted:
    return Mounted(Rewrite(base(api_key=api_key, spec_path=spec), request=_refuse_updates(spec)))
