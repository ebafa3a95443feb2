"""`python -m bench [--quick] [--out DIR]`: every benchmark, then docs/benchmarks.md and its chart.

Each section is bounded (fixed counts, a timeout on every child process) and stops its servers even
when it fails; a section that fails is reported as not measured and the others still run.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bench import (
    client_overhead,
    contract,
    gallery_doc,
    large_spec,
    machine,
    profiles,
    regenerate,
    server_load,
)
from bench.chart import draw
from bench.findings import findings
from bench.procs import API_KEY, REPO, run
from bench.report import Results, render, summary

T = TypeVar("T")
LOGS = "reports/bench"  # servers' logs and full profiles (git-ignored)


def _section(results: Results, name: str, title: str, measure: Callable[[], T]) -> T | None:
    print(f"==> {title} (load average {machine.load_average():.1f})", file=sys.stderr, flush=True)
    start = machine.load_average()
    try:
        return measure()
    except Exception as exc:  # a broken section must not cost the others their figures
        # A message may quote a tool's output: never let the key through.
        results.errors[name] = f"{type(exc).__name__}: {exc}".replace(API_KEY, "[key]")
        print(f"    not measured: {results.errors[name]}", file=sys.stderr, flush=True)
        return None
    finally:
        results.loads[title] = (start, machine.load_average())


def _keep_bench_group() -> None:
    """A plain `uv sync` elsewhere (make test, make generate) removes the bench group: put it back."""
    run(["scripts/bootstrap", "--group", "bench"], timeout=300)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few rounds: check the harness, not the figures")
    parser.add_argument(
        "--out",
        default="docs",
        help="where benchmarks.md and benchmarks.png go (and gallery.md's st run column)",
    )
    args = parser.parse_args(argv)
    # A timeout's SIGTERM must unwind like an exception, so that every server started is stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    n = 1 if args.quick else 0
    rounds = {"client": 3 if n else 15, "loop": 3 if n else 7, "imports": 2 if n else 7}
    rounds |= {
        "load": 1 if n else 3,
        "contract": 1 if n else 3,
        "large": 1 if n else 3,
        "regen": 1 if n else 3,
        "retry": 1 if n else 3,
    }
    calls, loop_calls, amount = (100, 20, 1000) if n else (300, 60, 3000)
    start = time.perf_counter()
    results = Results(
        machine=machine.describe(),
        settings={
            "client_rounds": f"median of {rounds['client']} rounds of {calls} calls per client",
            "loopback_rounds": f"median of {rounds['loop']} rounds of {loop_calls} calls per client",
            "footprint_runs": f"median of {rounds['imports']} runs each",
            "footprint_calls": str(calls),
            "retry_rounds": f"median of {rounds['retry']} rounds, after a warm-up call",
            "load_rounds": f"median of {rounds['load']} runs",
            "contract_rounds": f"median of {rounds['contract']} runs of each tool",
            "large_rounds": f"median of {rounds['large']} runs of each, interleaved",
            "regenerate_rounds": f"Median of {rounds['regen']} runs of each, interleaved",
        },
    )
    results.in_memory = _section(
        results,
        "in_memory",
        "client call overhead, in memory",
        lambda: client_overhead.in_memory(rounds["client"], calls),
    )
    results.footprint = _section(
        results,
        "footprint",
        "client import time and peak memory",
        lambda: client_overhead.footprint(rounds["imports"], calls),
    )
    results.retry = _section(
        results,
        "retry",
        "client retries: 429 Retry-After: 1, then 200",
        lambda: client_overhead.refused_once(rounds["retry"]),
    )
    results.loopback = _section(
        results,
        "loopback",
        "client calls over loopback",
        lambda: client_overhead.loopback(rounds["loop"], loop_calls, LOGS),
    )
    profiled = _section(
        results,
        "profiles",
        "profiles",
        lambda: [
            profiles.generated_client(4 * calls),
            profiles.reference_server(5 * calls),
            profiles.contract_suite(),
        ],
    )
    results.profiles = profiled or []
    results.validation_us = (
        _section(results, "profiles", "validation alone", lambda: profiles.validation_share(9)) or {}
    )
    _keep_bench_group()
    results.load = _section(
        results,
        "load",
        "reference server under load",
        lambda: server_load.measure(rounds["load"], 32, amount, LOGS),
    )
    results.contract = _section(
        results,
        "contract",
        "contract suite",
        lambda: contract.measure(rounds["contract"], LOGS, 2 if n else None),
    )
    results.large = _section(
        results,
        "large",
        large_spec.TITLE,
        # --quick: a few generated cases per operation, enough to run every step once.
        lambda: large_spec.measure(rounds["large"], LOGS, 3 if n else None),
    )
    results.regenerate = _section(
        results, "regenerate", "regeneration", lambda: regenerate.measure(rounds["regen"])
    )
    results.seconds = time.perf_counter() - start
    logs = REPO / LOGS
    logs.mkdir(parents=True, exist_ok=True)
    for index, profile in enumerate(results.profiles):
        (logs / f"profile-{index}.txt").write_text(profile.text)
    _keep_bench_group()
    out = REPO / args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "benchmarks.md").write_text(render(results, findings(results)).replace(API_KEY, "[key]"))
    draw(results, out / "benchmarks.png")
    if results.contract and gallery_doc.update(
        out / "gallery.md", {name: verdicts["st run"] for name, verdicts in results.contract.gallery.items()}
    ):
        print(f"wrote the st run column of {Path(args.out) / 'gallery.md'}")
    print("\n".join(summary(results)))
    print(f"wrote {Path(args.out) / 'benchmarks.md'} and benchmarks.png in {results.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
