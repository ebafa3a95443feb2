"""`assistants-contract proxy`: a validating proxy between a client and a real server.

    API_KEY=sk-... assistants-contract proxy --upstream URL [--port P] [--spec PATH] [--report FILE]
                                             [-- COMMAND ...]

Each request is forwarded unchanged to the upstream server and its answer passed back unchanged; both are
judged with the contract suite's rules, and each broken rule is blamed on the side that broke it (the
client sent what the spec forbids; the server answered what the spec does not allow) in the report and in
an `X-Contract-Violations` header of the answer. With a COMMAND (a client's integration tests), it runs
the command with the proxy's address in its environment (OPENAI_BASE_URL, BASE_URL; the key, $API_KEY, in
OPENAI_API_KEY and API_KEY), prints the report and exits 1 when either side broke the contract, else with
the command's status. `GET /__contract/report` answers the report so far, as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from contract_tests.api.document import SPEC_PATH, SpecError
from contract_tests.api.needs import check_needs
from contract_tests.asgi import REPORT_PATH
from contract_tests.commands import client_environment, run_command, scratch_dir, split_command
from contract_tests.masking import Masker, near_misses
from contract_tests.proxy.app import ValidatingProxy
from contract_tests.proxy.upstream import upstream_parts
from contract_tests.rules.report import TrafficReport
from contract_tests.rules.traffic import TrafficJudge

EXIT_ERROR = 2
SHORTEST_KEY = 8


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="assistants-contract proxy",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--upstream", required=True, help="the server to forward to, e.g. https://staging.example.com"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=None, help="default: a free one with a command, else 8080"
    )
    parser.add_argument("--spec", default=str(SPEC_PATH), help="the OpenAPI document both sides keep")
    parser.add_argument("--report", default=os.environ.get("REPORT"), help="write the JUnit report here")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    own, command = split_command(argv)
    args = parse_args(own)
    key = os.environ.get("API_KEY", "")
    try:
        upstream_parts(args.upstream)
    except ValueError:
        print(f"error: --upstream must be an http(s) URL with a host, got {args.upstream!r}", file=sys.stderr)
        return EXIT_ERROR
    if len(key) < SHORTEST_KEY:
        print(
            "error: API_KEY must be set to the key the upstream server accepts (8 characters or more)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    mask = Masker(key, *near_misses(key).values())
    try:
        api = check_needs(args.spec, sends=False)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    report = TrafficReport(mask, "proxy")
    judge = TrafficJudge(api, key, mask, report, scratch_dir(args.report))
    proxy = ValidatingProxy(args.upstream, judge)
    if command:
        from contract_tests.serving import serve_in_thread  # noqa: PLC0415

        with serve_in_thread(proxy, host=args.host, port=args.port or 0) as root:
            print(f"proxy to {args.upstream} on {root} (report: {root}{REPORT_PATH})", flush=True)
            code = run_command(command, client_environment(api, root, key))
    else:
        code = _serve(proxy, args)
    asyncio.run(proxy.client.aclose())
    print(report.summary())
    if args.report:
        report.write_junit(Path(args.report))
        print(f"JUnit report: {args.report}")
    if code == EXIT_ERROR and not command:
        return code
    return 1 if not report.passed else code


def _serve(proxy: ValidatingProxy, args: argparse.Namespace) -> int:
    from contract_tests.serving import serve_until_stopped  # noqa: PLC0415

    port = args.port if args.port is not None else 8080
    print(
        f"proxy to {args.upstream} on http://{args.host}:{port}; report: {REPORT_PATH}; Ctrl-C to stop",
        flush=True,
    )
    try:
        serve_until_stopped(proxy, args.host, port)
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{port}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    return 0
