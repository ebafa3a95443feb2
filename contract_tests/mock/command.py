"""`assistants-contract mock`: the reference server as a judging mock, for a client's own tests.

    assistants-contract mock [--port P] [--spec PATH] [--state PATH | --stateless] [--faults RULES]
                             [--report FILE] [-- COMMAND ...]

With a COMMAND, the mock starts on a free port (or P), runs the command with the mock's address and key in
its environment, where the official SDKs look without being told (OPENAI_BASE_URL, the mock's URL and the
spec's version prefix; OPENAI_API_KEY; and BASE_URL, API_KEY), stops, prints its report and exits 1 when
the client broke the contract, else with the command's own status. Without one, it serves until
interrupted and prints its report then. Every request is judged on the client's side with the rules the
contract suite judges servers by; `GET /__contract/report` answers the report so far, as JSON.

The spec's paths are served under its servers' base path (`/v1`) and at the root, as Prism serves them.
By default the mock keeps state: an id it never created is a 404. With --stateless it answers, as Prism
does, every valid request with its success, whatever id it names (the spec's example, else a value
built from the request and the schema): a test suite written against Prism runs unchanged.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from contract_tests.api.document import SPEC_PATH, SpecError
from contract_tests.api.model import Api
from contract_tests.api.needs import check_needs
from contract_tests.asgi import REPORT_PATH
from contract_tests.commands import client_environment, run_command, scratch_dir, split_command
from contract_tests.masking import Masker
from contract_tests.mock.app import JudgingMock, served_prefixes
from contract_tests.mock.faults import FaultError, FaultPlan
from contract_tests.rules.report import CLIENT, TrafficReport
from contract_tests.rules.traffic import TrafficJudge

EXIT_ERROR = 2
SHORTEST_KEY = 8


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="assistants-contract mock",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=None, help="default: a free one with a command, else 8000"
    )
    parser.add_argument("--spec", default=str(SPEC_PATH), help="the OpenAPI document to mock")
    parser.add_argument(
        "--state", default=None, help="keep the objects in this SQLite file (default: memory)"
    )
    parser.add_argument(
        "--stateless",
        action="store_true",
        help="answer every valid request with its success, whatever id it names, keeping nothing (as Prism)",
    )
    parser.add_argument(
        "--faults",
        default=os.environ.get("FAULTS"),
        help="faults drawn at a rate: '429:0.1,503:0.05,latency=200ms:0.2,drop:0.01,truncate:0.01' (a request"
        " may also ask for one: 'X-Contract-Fault: 429;retry-after=2')",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the faults drawn (default: 0)")
    parser.add_argument(
        "--report", default=os.environ.get("REPORT"), help="write the client's JUnit report here"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    own, command = split_command(argv)
    args = parse_args(own)
    from contract_tests.server import create_app  # noqa: PLC0415 (the mock is the reference server)

    key = os.environ.get("API_KEY", "")
    if len(key) < SHORTEST_KEY:
        key = f"sk-mock-{secrets.token_hex(12)}"  # a mock's own: it guards nothing
    mask = Masker(key)
    try:
        api = check_needs(args.spec, sends=False)
        faults = FaultPlan.parse(args.faults, args.seed)
        if args.stateless and args.state:
            raise ValueError("--stateless keeps nothing: it cannot take --state")
        app = create_app(api_key=key, spec_path=args.spec, state=args.state, stateless=args.stateless)
    except (SpecError, FaultError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    report = TrafficReport(mask, "mock")
    judge = TrafficJudge(api, key, mask, report, scratch_dir(args.report), served_prefixes(api))
    mock = JudgingMock(app, api, judge, faults)
    code = _with_command(mock, api, key, args, command) if command else _serve(mock, args, key)
    print(report.summary())
    if args.report:
        report.write_junit(Path(args.report))
        print(f"JUnit report: {args.report}")
    if code == EXIT_ERROR and not command:
        return code
    return 1 if report.broken(CLIENT) else code


def _with_command(mock: JudgingMock, api: Api, key: str, args: argparse.Namespace, command: list[str]) -> int:
    from contract_tests.serving import serve_in_thread  # noqa: PLC0415

    with serve_in_thread(mock, host=args.host, port=args.port or 0) as root:
        print(
            f"mock of {api.path.name} on {root} (report: {root}{REPORT_PATH}); running {' '.join(command)}",
            flush=True,
        )
        return run_command(command, client_environment(api, root, key))


def _serve(mock: JudgingMock, args: argparse.Namespace, key: str) -> int:
    from contract_tests.serving import serve_until_stopped  # noqa: PLC0415

    port = args.port if args.port is not None else 8000
    chosen = os.environ.get("API_KEY", "") == key
    said = "the key from $API_KEY" if chosen else f"the key {key}"
    print(
        f"mock on http://{args.host}:{port}, accepting {said}; report: {REPORT_PATH}; Ctrl-C to stop",
        flush=True,
    )
    try:
        serve_until_stopped(mock, args.host, port)
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{port}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    return 0
