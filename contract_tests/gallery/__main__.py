"""Serve one server of the gallery: `python -m contract_tests.gallery NAME --port 8001 [--spec PATH]`.

NAME is a broken server (the suite must fail it) or a conforming one (the suite must pass it). The API
key it accepts comes from $ASSISTANTS_API_KEY (default: sk-reference-local). With no NAME it lists them.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

import uvicorn

from contract_tests.gallery.conforming import CONFORMING
from contract_tests.gallery.servers import GALLERY
from contract_tests.server import DEFAULT_API_KEY
from contract_tests.serving import Fronted, serve_in_thread
from contract_tests.spec import SPEC_PATH, SpecError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contract_tests.gallery", description=__doc__.splitlines()[0]
    )
    parser.add_argument("name", nargs="?", help="the server to serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--spec", default=str(SPEC_PATH), help="the OpenAPI document the server follows")
    args = parser.parse_args(argv)
    if not args.name:
        for name, server in GALLERY.items():
            print(f"{name:30} broken: {server.defect} (caught by {server.caught_by})")
        for name, conforming in CONFORMING.items():
            print(f"{name:30} conforming: {(conforming.__doc__ or '').strip().splitlines()[0]}")
        return 0
    key = os.environ.get("ASSISTANTS_API_KEY") or DEFAULT_API_KEY
    try:
        if args.name in GALLERY:
            app = GALLERY[args.name].build(key, Path(args.spec))
        elif args.name in CONFORMING:
            app = CONFORMING[args.name](key, Path(args.spec))
        else:
            print(f"error: no gallery server {args.name!r}; run with no name to list them", file=sys.stderr)
            return 2
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"gallery server {args.name!r} on http://{args.host}:{args.port}", flush=True)
    if isinstance(app, Fronted):
        with serve_in_thread(app.app) as upstream, app.front(upstream, args.port, args.host):
            threading.Event().wait()
        return 0
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
