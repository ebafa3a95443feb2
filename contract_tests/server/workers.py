"""The reference server's app as each worker of `--workers N` builds it: the settings travel to the worker
process (spawned: they are pickled), which opens the shared store itself."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from starlette.applications import Starlette
from uvicorn.config import STARTUP_FAILURE

from contract_tests.api.document import SpecError
from contract_tests.server.app import create_app


@dataclass(frozen=True)
class ServerWorker:
    """Builds the app in a worker; a setting that fails there is one line and the worker's start failure
    (the supervisor then stops instead of starting it again)."""

    api_key: str = field(repr=False)
    spec_path: str
    max_body_bytes: int
    state: str
    docs: str | None

    def __call__(self) -> Starlette:
        try:
            return create_app(
                api_key=self.api_key,
                spec_path=self.spec_path,
                max_body_bytes=self.max_body_bytes,
                state=self.state,
                docs=self.docs,
            )
        except (SpecError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            sys.exit(STARTUP_FAILURE)
