"""Serve one broken server of the gallery: `python -m contract_tests.gallery NAME --port 8001`.

The API key it accepts comes from $ASSISTANTS_API_KEY (default: sk-reference-local). With no NAME it
lists the gallery.
"""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from contract_tests.gallery.servers import GALLERY
from contract_tests.server import DEFAULT_API_KEY


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contract_tests.gallery", description=__doc__.splitlines()[0]
    )
    parser.add_argument("name", nargs="?", help="the broken server to serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    if not args.name:
        for name, server in GALLERY.items():
            print(f"{name:30} {server.defect} (caught by {server.caught_by})")
        return 0
    if args.name not in GALLERY:
        print(f"error: no broken server {args.name!r}; run with no name to list them", file=sys.stderr)
        return 2
    app = GALLERY[args.name].build(os.environ.get("ASSISTANTS_API_KEY") or DEFAULT_API_KEY)
    print(f"broken server {args.name!r} on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
