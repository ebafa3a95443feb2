"""`assistants-contract mock`: the reference server as a judging mock, for a client's own tests.

    assistants-contract mock [--port P] [--spec PATH] [--state PATH|URL | --stateless] [--workers N]
                             [--faults RULES]
                             [--report FILE] [-- COMMAND ...]

With a COMMAND, the mock starts on a free port (or P), runs the command with the mock's address and key in
its environment, where the official SDKs look without being told (OPENAI_BASE_URL, the mock's URL and the
spec's version prefix; OPENAI_API_KEY; and BASE_URL, API_KEY), stops, prints its report and exits 1 when
the client broke the contract, else with the command's own status. Without one, it serves until
interrupted and prints its report then. Every request is judged on the client's side with the rules the
contract suite judges servers by; `GET /__contract/report` answers the report so far, as JSON. With
`--state` (a SQLite file, or a postgresql:// URL for replicas on several machines) the objects and the
findings are kept there, so that every mock naming it (and each of `--workers N`) serves the same objects
and reports every replica's findings.

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
from contract_tests.mock.app import JudgingMock
from contract_tests.mock.faults import FaultError, FaultPlan
from contract_tests.mock.shared_report import SharedTallies
from contract_tests.mock.workers import MockWorker, build_mock
from contract_tests.rules.report import CLIENT, TrafficReport
from contract_tests.server.store import close_store, open_store, workers_error
from contract_tests.serving import AppError, serving_workers

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
        "--state",
        default=None,
        help="keep the objects, and the findings, in this SQLite file or in the PostgreSQL database of a"
        " postgresql:// URL, shared by every mock that names it (default: memory)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="processes serving the port, sharing --state (default: 1)"
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
    key = os.environ.get("API_KEY", "")
    if len(key) < SHORTEST_KEY:
        key = f"sk-mock-{secrets.token_hex(12)}"  # a mock's own: it guards nothing
    mask = Masker(key)
    problem = workers_error(args.workers, args.state)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_ERROR
    try:
        api = check_needs(args.spec, sends=False)
        faults = FaultPlan.parse(args.faults, args.seed)
        if args.stateless and args.state:
            raise ValueError("--stateless keeps nothing: it cannot take --state")
        store = open_store(args.state)
    except (SpecError, FaultError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for label, why in api.untestable.items():
        # A flaw of the spec no client can keep (a body no value satisfies) is said here, not held against it.
        print(f"note: the spec's {label} cannot be kept as written: {why}", file=sys.stderr)
    # With a shared state, the findings are kept there too: the report is every replica's.
    shared = SharedTallies(store) if args.state is not None else None
    try:
        report = TrafficReport(mask, "mock", shared)
        bodies = scratch_dir(args.report)
        if shared is not None and args.workers > 1:
            worker = MockWorker(
                key, args.spec, args.state, args.faults, args.seed, str(bodies), shared.me, args.stateless
            )
            code = _run_workers(worker, api, key, args, command)
        else:
            try:
                mock = build_mock(
                    api,
                    key=key,
                    spec=args.spec,
                    store=store,
                    faults=faults,
                    report=report,
                    bodies_dir=bodies,
                    stateless=args.stateless,
                )
            except (SpecError, ValueError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_ERROR
            code = _with_command(mock, api, key, args, command) if command else _serve(mock, args, key)
        print(report.summary())
        if args.report:
            report.write_junit(Path(args.report))
            print(f"JUnit report: {args.report}")
        if code == EXIT_ERROR and not command:
            return code
        return 1 if report.broken(CLIENT) else code
    finally:
        if shared is not None:
            shared.close()
        close_store(store)


def _with_command(mock: JudgingMock, api: Api, key: str, args: argparse.Namespace, command: list[str]) -> int:
    from contract_tests.serving import serve_in_thread  # noqa: PLC0415

    with serve_in_thread(mock, host=args.host, port=args.port or 0) as root:
        print(
            f"mock of {api.path.name} on {root} (report: {root}{REPORT_PATH}); running {' '.join(command)}",
            flush=True,
        )
        return run_command(command, client_environment(api, root, key))


def _accepting(key: str) -> str:
    return "the key from $API_KEY" if os.environ.get("API_KEY", "") == key else f"the key {key}"


def _serve(mock: JudgingMock, args: argparse.Namespace, key: str) -> int:
    from contract_tests.serving import serve_until_stopped  # noqa: PLC0415

    port = args.port if args.port is not None else 8000
    print(
        f"mock on http://{args.host}:{port}, accepting {_accepting(key)}; report: {REPORT_PATH}; Ctrl-C to"
        " stop",
        flush=True,
    )
    try:
        serve_until_stopped(mock, args.host, port)
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{port}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _run_workers(worker: MockWorker, api: Api, key: str, args: argparse.Namespace, command: list[str]) -> int:
    """The mock in `--workers` processes on one port: with a command, until it ends; else until
    interrupted."""
    port = args.port if args.port is not None else 0 if command else 8000
    try:
        with serving_workers(worker, args.host, port, args.workers, probe=REPORT_PATH) as served:
            if command:
                print(
                    f"mock of {api.path.name} on {served.url}, {args.workers} workers (report:"
                    f" {served.url}{REPORT_PATH}); running {' '.join(command)}",
                    flush=True,
                )
                return run_command(command, client_environment(api, served.url, key))
            print(
                f"mock on {served.url}, {args.workers} workers, accepting {_accepting(key)}; report:"
                f" {REPORT_PATH}; Ctrl-C to stop",
                flush=True,
            )
            served.wait()
    except AppError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_ERROR if served.failed else 0
