"""`assistants-contract` (or `python -m contract_tests.suite`): run the contract suite, print the
summary, exit 0 only on a pass.

With `--base-url` it tests that server; with `--app module:attr` it serves that ASGI or WSGI app in a
thread of its own process and tests it; with neither it starts the reference server on a free loopback
port with a one-off key. The key of a server under test is read from the environment ($API_KEY), never
from the command line, where other users of the machine could see it.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import random
import re
import secrets
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from contract_tests.api.document import SPEC_PATH, SpecError
from contract_tests.api.needs import check_needs
from contract_tests.masking import Masker, masked_output, near_misses
from contract_tests.serving import AppError, load_app, serve_in_thread
from contract_tests.suite.config import (
    DEFAULT_EXAMPLES,
    DEFAULT_SEED,
    DEFAULT_TIMEOUT,
    KeyRefused,
    ServerUnreachable,
    SuiteConfig,
)
from contract_tests.suite.jsonreport import write_json
from contract_tests.suite.junit import write_junit
from contract_tests.suite.reference import PortTaken, ReferenceServerError, reference_server
from contract_tests.suite.results import KEPT_FAILURES, SHOWN_FAILURES, RunResult
from contract_tests.suite.shards import Shard, selected
from contract_tests.suite.summary import render

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
START_ATTEMPTS = 3  # of the reference server, should its port be taken before it binds it


class UsageError(Exception):
    """Bad input from the caller: a one-line reason."""


DESCRIPTION = """\
Check that a server keeps the contract of an OpenAPI spec (the Assistants API's by default): every
operation it declares, the state of its resources, JSON's and HTTP's rules. With --base-url it tests that
server; with --app it serves that ASGI or WSGI app in this process and tests it; with neither, the
reference server the spec describes, started on a free loopback port."""

EPILOG = """\
environment:
  API_KEY     the key the server under test accepts (required with --base-url or --app; read from the
              environment only, never the command line; masked as *** in everything printed or written)
  BASE_URL, APP, REPORT, REPORT_JSON, SEED, EXAMPLES, MODEL, SHARD   defaults of the options of the
              same names

exit status:
  0  the server keeps the contract
  1  it breaks a check (each failure: what was sent, what came back, the rule, a reproduction)
  2  it cannot be tested: unreachable or silent, the key refused, a spec that cannot be used, bad
     arguments, too rate-limited to judge (one line: error: ...)

other commands (each with --help):
  assistants-contract mock [-- CMD]     the reference server judging a client's requests, faults on demand
  assistants-contract proxy --upstream URL [-- CMD]   a proxy judging both sides of real traffic
  assistants-contract gallery [NAME]    list the gallery's servers, or serve one
  assistants-contract merge-reports A.xml B.xml -o all.xml   join the reports of a sharded run
  assistants-reference-server           the reference server alone (--port, --spec, --state)

Docs: README.md and docs/ of the project."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="assistants-contract",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--base-url",
        default=os.environ.get("BASE_URL", ""),
        help="server under test, e.g. http://localhost:8000 (default: $BASE_URL; none: the reference server)",
    )
    parser.add_argument(
        "--app",
        default=os.environ.get("APP", ""),
        help="an ASGI or WSGI app to check in process, as module:attribute (module:factory() calls it),"
        " imported from the current directory (default: $APP)",
    )
    parser.add_argument(
        "--report",
        default=os.environ.get("REPORT", ""),
        help="write a JUnit XML report here (default: $REPORT)",
    )
    parser.add_argument(
        "--report-json",
        default=os.environ.get("REPORT_JSON", ""),
        help="write a JSON report here: every check, every failing case with its reproduction (default:"
        " $REPORT_JSON)",
    )
    parser.add_argument(
        "--max-failures",
        default="3",
        metavar="N",
        help="failing cases shown per check on the console (default: 3; the reports have all of them)",
    )
    parser.add_argument(
        "--seed",
        default=None,
        help=f"seed of the generated cases, or 'random' (default: $SEED or {DEFAULT_SEED})",
    )
    # Numbers are parsed in run(), where a bad value (flag or environment) is a one-line error.
    parser.add_argument(
        "--examples",
        default=None,
        help=f"generated cases per mode (default: $EXAMPLES or {DEFAULT_EXAMPLES})",
    )
    parser.add_argument(
        "--timeout",
        default=str(DEFAULT_TIMEOUT),
        help=f"seconds to wait for each response (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--model",
        default=os.environ.get("MODEL") or None,
        help="the model every valid request names, for a server that checks it exists (default: $MODEL)",
    )
    parser.add_argument(
        "--spec",
        default=str(SPEC_PATH),
        help="the OpenAPI document, 3.0 or 3.1, YAML or JSON (default: the spec this tool carries)",
    )
    parser.add_argument(
        "--require-coverage",
        action="store_true",
        help="exit 1 where an operation is not testable (a flaw of the spec) or no request of the run got it"
        " a 2xx; the summary names them either way, with why",
    )
    parser.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="ID",
        help="judge only this operation (its operationId); repeat for more. Others may still be sent to"
        " reach it (the create of the object it acts on)",
    )
    parser.add_argument(
        "--shard",
        default=os.environ.get("SHARD") or None,
        metavar="I/N",
        help="judge the I-th of N shares of the operations (a resource's operations stay together), for a"
        " CI matrix of N jobs; join their reports with `assistants-contract merge-reports` (default: $SHARD)",
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header to send with every request, for one the server needs that the spec does not declare"
        " (a published spec that names `OpenAI-Beta` in prose only); repeat for more",
    )
    return parser.parse_args(argv)


def _seed(text: str) -> int:
    if text == "random":
        return random.SystemRandom().randrange(2**31)
    if not text.isdigit():
        raise UsageError(f"--seed must be a non-negative integer or 'random', got {text!r}")
    return int(text)


def _shard(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return str(Shard.parse(text))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _base_url(text: str) -> str:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a malformed port or host)
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"BASE_URL must be an http(s) URL such as http://localhost:8000, got {text!r}")
    return text.rstrip("/")


def _number(text: str, name: str, kind: type[int] | type[float]) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise UsageError(f"{name} must be a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"{name} must be {'at least 1' if kind is int else 'positive'}, got {text!r}")
    return value


# RFC 6750's b64token: what can follow "Bearer " in a header, and be masked wherever it is printed.
_KEY = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
SHORTEST_KEY = 8  # a shorter one would be masked inside every word of the output


def _api_key(what: str) -> str:
    key = os.environ.get("API_KEY", "")
    if not key:
        raise UsageError(f"API_KEY must be set (in the environment) to the key {what} accepts")
    if not _KEY.fullmatch(key):
        raise UsageError(
            "API_KEY has a character a bearer token cannot carry (a space, a quote, a pasted newline?)"
        )
    if len(key) < SHORTEST_KEY:
        raise UsageError(
            f"API_KEY is shorter than {SHORTEST_KEY} characters: too short to mask in the output"
        )
    return key


_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an RFC 9110 token


def _headers(given: list[str]) -> tuple[tuple[str, str], ...]:
    found = []
    for text in given:
        name, colon, value = text.partition(":")
        if not colon or not _HEADER_NAME.fullmatch(name.strip()) or any(c in value for c in "\r\n\0"):
            raise UsageError(f"--header must be 'NAME: VALUE', got {text!r}")
        if name.strip().lower() in ("authorization", "content-type", "content-length", "host"):
            raise UsageError(f"--header cannot set {name.strip()}: the suite sets it itself")
        found.append((name.strip(), value.strip()))
    return tuple(found)


def _spec_usable(path: Path, operations: tuple[str, ...] = (), shard: str | None = None) -> None:
    """SpecError, in one line, unless the spec is valid OpenAPI with what the suite needs; UsageError for
    an --operation it has not got."""
    api = check_needs(path)
    try:
        selected(api, operations, Shard.parse(shard) if shard else None)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> RunResult:
    seed = _seed(args.seed if args.seed is not None else os.environ.get("SEED", str(DEFAULT_SEED)))
    from_flag = args.examples is not None
    examples = args.examples if from_flag else os.environ.get("EXAMPLES") or str(DEFAULT_EXAMPLES)
    args.examples = int(_number(examples, "--examples" if from_flag else "EXAMPLES", int))
    args.timeout = _number(args.timeout, "--timeout", float)
    args.max_failures = int(_number(args.max_failures, "--max-failures", int))
    spec_path = Path(args.spec)
    kept = args.report or args.report_json
    bodies_dir = Path(kept).parent / "contract-bodies" if kept else None
    # The base URL and key are filled in below, once known.
    settings = SuiteConfig(
        "",
        "",
        seed,
        args.examples,
        args.timeout,
        spec_path,
        bodies_dir,
        model=args.model,
        headers=_headers(args.header),
        require_coverage=args.require_coverage,
        operations=tuple(args.operation),
        shard=_shard(args.shard),
        detailed=KEPT_FAILURES if args.report or args.report_json else max(args.max_failures, SHOWN_FAILURES),
    )
    if args.base_url and args.app:
        raise UsageError("give --base-url or --app, not both")
    if args.base_url or args.app:
        api_key = _api_key("the server at BASE_URL" if args.base_url else "the app")
        _spec_usable(spec_path, settings.operations, settings.shard)
        from contract_tests.suite.runner import run_suite  # noqa: PLC0415 (see below)

        if args.base_url:
            return run_suite(
                dataclasses.replace(settings, base_url=_base_url(args.base_url), api_key=api_key)
            )
        with masked_output(Masker(api_key, *near_misses(api_key).values())):
            app = load_app(args.app)
            with serve_in_thread(app) as base_url:
                shown = "$BASE_URL"  # the port is gone when the command exits
                return run_suite(
                    dataclasses.replace(settings, base_url=base_url, api_key=api_key, shown_base_url=shown)
                )
    _spec_usable(spec_path, settings.operations, settings.shard)
    api_key = f"sk-contract-{secrets.token_hex(16)}"  # one-off: proves the suite never prints the key
    print("starting the reference server on a free loopback port (no BASE_URL given)", flush=True)
    # free_port() releases the port before the server binds it: if another process took it meanwhile,
    # start again on another one.
    for attempt in range(1, START_ATTEMPTS + 1):
        with reference_server(api_key, spec_path) as server:
            # Imported only now: loading schemathesis and generating the cases overlap the server's start.
            from contract_tests.suite.runner import Run  # noqa: PLC0415

            suite = Run(dataclasses.replace(settings, base_url=server.base_url, api_key=api_key))
            suite.prepare()
            try:
                server.wait_until_up()
            except PortTaken:
                if attempt == START_ATTEMPTS:
                    raise
                continue
            return suite.run()
    raise AssertionError("unreachable")


def _rerun(args: argparse.Namespace, seed: int) -> str:
    """The command that sends the same cases again, as the reader can type it (no key on it); and the
    `make contract` of a clone where that sends the same (it takes no option but the seed, the examples
    and BASE_URL: with another spec it would judge by the project's own and pass)."""
    parts = ["assistants-contract", "--seed", str(seed), "--examples", str(args.examples)]
    if args.base_url:
        parts += ["--base-url", args.base_url]
    others: list[str] = []
    if args.app:
        others += ["--app", args.app]
    if str(args.spec) != str(SPEC_PATH):
        others += ["--spec", str(args.spec)]
    if args.model:
        others += ["--model", args.model]
    if args.require_coverage:
        others.append("--require-coverage")
    for operation in args.operation:
        others += ["--operation", operation]
    if args.shard:
        others += ["--shard", args.shard]
    for header in args.header:
        others += ["--header", header]
    if float(args.timeout) != DEFAULT_TIMEOUT:
        others += ["--timeout", f"{float(args.timeout):g}"]
    command = " ".join(shlex.quote(part) for part in parts + others)
    if args.base_url or args.app:
        command = "API_KEY=... " + command
    if others:
        return command
    return (
        command
        + f"  (in a clone: SEED={seed} EXAMPLES={args.examples} make contract, with the same BASE_URL)"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # The key in use is masked (with the near misses made from it); with no server to test it is not used,
    # and a key refused for its form is used nowhere (masking a short one would mask the words about it).
    key = os.environ.get("API_KEY", "") if args.base_url or args.app else ""
    if len(key) < SHORTEST_KEY or not _KEY.fullmatch(key):
        key = ""
    mask = Masker(key, *near_misses(key).values())
    try:
        result = run(args)
    except (UsageError, ServerUnreachable, KeyRefused, ReferenceServerError, SpecError, AppError) as exc:
        print(mask(f"error: {exc}"), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a bug of the suite, or an input it did not foresee: one line, exit 2
        where = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        print(mask(f"error: the suite could not run ({where})"), file=sys.stderr)
        return EXIT_ERROR
    print(
        mask(
            render(
                result,
                examples=args.examples,
                rerun=_rerun(args, result.seed),
                spec=str(args.spec),
                shown=args.max_failures,
            )
        )
    )
    if result.untestable is not None:
        print(mask(f"error: {result.untestable}"), file=sys.stderr)
    if not _reports_written(result, args):
        return EXIT_ERROR
    if result.untestable is not None:
        return EXIT_ERROR
    return EXIT_PASS if result.passed else EXIT_FAIL


def _reports_written(result: RunResult, args: argparse.Namespace) -> bool:
    """Write the reports asked for; False (said in one line) when one cannot be written."""
    writers: list[tuple[str, str, Callable[[Path], None]]] = [
        (args.report, "JUnit", lambda path: write_junit(result, path)),
        (args.report_json, "JSON", lambda path: write_json(result, path, str(args.spec))),
    ]
    for path, kind, write in writers:
        if not path:
            continue
        try:
            write(Path(path))
        except OSError as exc:
            print(f"error: cannot write the report {path}: {exc.strerror}", file=sys.stderr)
            return False
        print(f"{kind} report: {path}")
    return True
