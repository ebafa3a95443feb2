"""Run the reference server: `python -m contract_tests.server --port 8000` (installed:
`assistants-reference-server`).

The API key it accepts comes from $ASSISTANTS_API_KEY (default: sk-reference-local). It keeps the
resources it creates in memory (at most 10,000 objects, the oldest dropped first), or with `--state
PATH` in a SQLite file that survives a restart and that the servers of one machine can share, or with
`--state postgresql://user:password@host/db` in a PostgreSQL database that replicas on several machines
share. `--workers N` serves one port from N processes sharing the `--state`.
"""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from contract_tests.api.document import SPEC_PATH, SpecError
from contract_tests.server.app import (
    DEFAULT_API_KEY,
    DEFAULT_DOCS,
    DEFAULT_MAX_BODY_BYTES,
    REFERENCE_PAGE,
    create_app,
)
from contract_tests.server.store import close_store, open_store, workers_error
from contract_tests.server.workers import ServerWorker
from contract_tests.serving import AppError, serving_workers

API_KEY_VARIABLE = "ASSISTANTS_API_KEY"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="assistants-reference-server", description=" ".join((__doc__ or "").split("\n\n")[1].split())
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind, 0 for a free one")
    parser.add_argument("--spec", default=str(SPEC_PATH), help="the OpenAPI document to serve")
    parser.add_argument(
        "--state",
        default=None,
        help="keep the resources in this SQLite file, or in the PostgreSQL database of a postgresql:// URL"
        " (default: in memory)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="processes serving the port, sharing --state (default: 1)"
    )
    parser.add_argument(
        "--docs",
        default=str(DEFAULT_DOCS),
        help="the spec rendered as a page (`make docs`), served at /__contract/reference"
        " (default: %(default)s)",
    )
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    api_key = os.environ.get(API_KEY_VARIABLE) or DEFAULT_API_KEY
    # The default key is public; a key the user chose is never printed.
    key_note = (
        f"the key from ${API_KEY_VARIABLE}" if api_key != DEFAULT_API_KEY else f"the default key {api_key}"
    )
    problem = workers_error(args.workers, args.state)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        store = open_store(args.state)
        app = create_app(
            api_key=api_key,
            spec_path=args.spec,
            max_body_bytes=args.max_body_bytes,
            store=store,
            docs=args.docs,
        )
    except (SpecError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.workers > 1:
        close_store(store)  # each worker opens its own
        worker = ServerWorker(api_key, args.spec, args.max_body_bytes, args.state, args.docs)
        return _serve_workers(worker, args, key_note)
    print(f"reference server on http://{args.host}:{args.port}, accepting {key_note}", flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    finally:
        close_store(store)
    return 0


def _serve_workers(worker: ServerWorker, args: argparse.Namespace, key_note: str) -> int:
    try:
        with serving_workers(
            worker, args.host, args.port, args.workers, probe=REFERENCE_PAGE, log_level=args.log_level
        ) as served:
            print(
                f"reference server on {served.url} ({args.workers} workers), accepting {key_note}", flush=True
            )
            served.wait()
    except AppError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2 if served.failed else 0


if __name__ == "__main__":
    sys.exit(main())
