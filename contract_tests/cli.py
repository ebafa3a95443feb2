"""`assistants-contract`: the project's one command, and the only place that puts its rooms together.

    assistants-contract [options]            the contract suite (contract_tests.suite.cli: --help)
    assistants-contract mock [-- COMMAND]    the reference server judging a client (contract_tests.mock)
    assistants-contract proxy --upstream URL [-- COMMAND]   a validating proxy (contract_tests.proxy)
    assistants-contract gallery [NAME]       list the gallery's servers, or serve one (--port, --spec)
    assistants-contract merge-reports A.xml B.xml -o all.xml   join a sharded run's reports

The suite, the reference server and the gallery never import one another; this module wires them (the
gallery's servers are the reference server with one defect: it hands them the reference server's
factory).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

from contract_tests.api.document import SPEC_PATH, SpecError

SUBCOMMANDS = ("gallery",)


def gallery(argv: list[str]) -> int:
    """Serve one server of the gallery: a broken one (the suite must fail it) or a conforming one."""
    import uvicorn  # noqa: PLC0415

    from contract_tests.gallery.conforming import CONFORMING  # noqa: PLC0415
    from contract_tests.gallery.media import MEDIA_GALLERY  # noqa: PLC0415
    from contract_tests.gallery.nested import NESTED_GALLERY  # noqa: PLC0415
    from contract_tests.gallery.servers import GALLERY as PROJECT_GALLERY  # noqa: PLC0415
    from contract_tests.server import DEFAULT_API_KEY, create_app  # noqa: PLC0415
    from contract_tests.serving import Fronted, serve_in_thread  # noqa: PLC0415

    parser = argparse.ArgumentParser(
        prog="assistants-contract gallery",
        description="Serve a gallery server: NAME is a broken server (the suite must fail it) or a"
        " conforming one (the suite must pass it). The key it accepts is $ASSISTANTS_API_KEY (default:"
        " sk-reference-local). With no NAME, list them.",
    )
    parser.add_argument("name", nargs="?", help="the server to serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--spec", default=str(SPEC_PATH), help="the OpenAPI document the server follows")
    args = parser.parse_args(argv)
    broken = {**PROJECT_GALLERY, **MEDIA_GALLERY, **NESTED_GALLERY}
    if not args.name:
        for name, server in broken.items():
            print(f"{name:30} broken: {server.defect} (caught by {server.caught_by})")
        for name, conforming in CONFORMING.items():
            print(f"{name:30} conforming: {(conforming.__doc__ or '').strip().splitlines()[0]}")
        return 0
    key = os.environ.get("ASSISTANTS_API_KEY") or DEFAULT_API_KEY
    try:
        if args.name in broken:
            app = broken[args.name].build(create_app, key, Path(args.spec))
        elif args.name in CONFORMING:
            app = CONFORMING[args.name](create_app, key, Path(args.spec))
        else:
            print(f"error: no gallery server {args.name!r}; run with no name to list them", file=sys.stderr)
            return 2
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    mounted = getattr(app, "mount_path", "")  # a server mounted under a prefix is served there
    print(f"gallery server {args.name!r} on http://{args.host}:{args.port}{mounted}", flush=True)
    if isinstance(app, Fronted):
        with serve_in_thread(app.app) as upstream, app.front(upstream, args.port, args.host):
            threading.Event().wait()
        return 0
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "gallery":
        return gallery(args[1:])
    if args and args[0] == "mock":
        from contract_tests.mock.command import main as mock  # noqa: PLC0415

        return mock(args[1:])
    if args and args[0] == "merge-reports":
        from contract_tests.suite.merge import main as merge  # noqa: PLC0415

        return merge(args[1:])
    if args and args[0] == "proxy":
        from contract_tests.proxy.command import main as proxy  # noqa: PLC0415

        return proxy(args[1:])
    from contract_tests.suite.cli import main as suite  # noqa: PLC0415

    return suite(args)


if __name__ == "__main__":
    sys.exit(main())
