"""Item 4: the wall time of `make generate`, beside the stock generator on the same spec.

`make generate` is scripts/bootstrap then scripts/generate; here bootstrap keeps the bench group (a
plain `uv sync` would remove it mid-run) and scripts/generate writes to a scratch directory, so the
bench never rewrites generated/. The peer is openapi-python-client with its stock
templates and default settings, which is what a user without this project would run.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import REPO, BenchError, Finished, run
from bench.stats import median

VENV_BIN = REPO / ".venv" / "bin"


@dataclass
class RegenerateResult:
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def median(self, label: str) -> float:
        return median(self.seconds[label])


OURS = "make generate (bootstrap + scripts/generate)"
STOCK = "openapi-python-client, stock templates"


def _once(label: str, scratch: Path) -> float:
    out = scratch / "client"
    if label == OURS:
        done = run(
            [
                "bash",
                "-c",
                'scripts/bootstrap --group bench >/dev/null && scripts/generate "$1"',
                "-",
                str(out),
            ],
            300,
        )
    else:
        done = _stock(out)
    if done.returncode != 0:
        raise BenchError(f"{label} failed: {done.output.strip()[-300:]}")
    return done.seconds


def _stock(out: Path) -> Finished:
    command = [str(VENV_BIN / "openapi-python-client"), "generate", "--path", "spec/openapi.yaml"]
    command += ["--meta", "uv", "--output-path", str(out), "--overwrite"]
    # Its default post hooks call ruff: the pinned one.
    return run(command, 300, env={"PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"})


def stock_client(out: Path) -> str:
    """Generate the client with the stock templates into `out`; returns its package name."""
    done = _stock(out)
    packages = [path.parent.name for path in out.glob("*/client.py")]
    if done.returncode != 0 or len(packages) != 1:
        raise BenchError(f"stock generation failed: {done.output.strip()[-300:]}")
    return packages[0]


def measure(rounds: int) -> RegenerateResult:
    result = RegenerateResult({OURS: [], STOCK: []})
    with tempfile.TemporaryDirectory() as scratch:
        for index in range(rounds):
            order = [OURS, STOCK] if index % 2 == 0 else [STOCK, OURS]
            for label in order:
                result.seconds[label].append(_once(label, Path(scratch)))
    return result
