"""docs/benchmarks.png: one figure, a panel per job, ours beside the peers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: write the file only

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from bench import clients
from bench.large_spec import SHARDED, WHOLE
from bench.report import Results
from bench.server_load import PRISM

OURS = "#1f77b4"
PEER = "#b0b0b0"


@dataclass(frozen=True)
class Panel:
    labels: list[str]
    values: list[float]
    ours: list[bool]
    unit: str
    title: str


def _bars(ax: Axes, panel: Panel) -> None:
    bars = ax.barh(panel.labels, panel.values, color=[OURS if mine else PEER for mine in panel.ours])
    texts = [f"{v:.0f} {panel.unit}" if v >= 10 else f"{v:.1f} {panel.unit}" for v in panel.values]
    ax.bar_label(bars, labels=texts, padding=3)
    ax.invert_yaxis()
    ax.set_title(panel.title, fontsize=10, loc="left")
    ax.margins(x=0.3)
    ax.tick_params(labelsize=8)
    ax.set_xticks([])


def draw(results: Results, path: Path) -> None:
    panels = []
    if results.in_memory:
        names = list(results.in_memory.samples)
        panels.append(
            Panel(
                [clients.LABELS[n] for n in names],
                [results.in_memory.median_us(n) for n in names],
                [n in ("generated", "generated_no_retries") for n in names],
                "µs",
                "Client: µs per create call, in memory (lower is better)",
            )
        )
    if results.load:
        labels = list(results.load.rps)
        panels.append(
            Panel(
                labels,
                [results.load.median("rps", label) for label in labels],
                [label != PRISM for label in labels],
                "req/s",
                f"Server: requests/s at {results.load.connections} in flight (higher is better)",
            )
        )
        panels.append(
            Panel(
                labels,
                [results.load.median("p99_ms", label) for label in labels],
                [label != PRISM for label in labels],
                "ms",
                "Server: p99 latency (lower is better)",
            )
        )
    if results.contract:
        gallery = results.contract.gallery
        caught = {
            tool: f" ({sum(v[tool] == 'caught' for v in gallery.values())}/{len(gallery)} caught)"
            if gallery
            else ""
            for tool in ("make contract", "st run")
        }
        tools = [
            (
                f"make contract{caught['make contract']}",
                results.contract.make_contract.median_seconds(),
                True,
            ),
            (f"st run --checks all{caught['st run']}", results.contract.st_run.median_seconds(), False),
        ]
        panels.append(
            Panel(
                [t[0] for t in tools],
                [t[1] for t in tools],
                [t[2] for t in tools],
                "s",
                "Contract suite: wall time (lower is better), defect gallery caught",
            )
        )
    if results.large and results.large.runs[WHOLE].seconds:
        runs = {tool: runs for tool, runs in results.large.runs.items() if runs.seconds}
        panels.append(
            Panel(
                [tool.replace("`", "") for tool in runs],
                [each.median("seconds") for each in runs.values()],
                [tool in (WHOLE, SHARDED) for tool in runs],
                "s",
                f"Contract suite on {results.large.spec_operations} operations: wall time (lower is better)",
            )
        )
    if not panels:
        return
    # Each panel as tall as its bars need, so that a panel of many servers stays readable.
    heights = [0.6 + 0.28 * len(panel.labels) for panel in panels]
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(8, 0.8 + sum(heights)), squeeze=False, height_ratios=heights
    )
    for ax, panel in zip(axes[:, 0], panels, strict=True):
        _bars(ax, panel)
    fig.suptitle("make bench: ours (blue) beside the peers (grey), medians of one run", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})  # no version stamp: smaller diffs
    plt.close(fig)
