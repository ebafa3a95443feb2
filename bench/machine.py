"""What the figures were measured on: the machine and the version of every tool compared."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from bench.procs import REPO

PYTHON_PACKAGES = (
    "httpx",
    "attrs",
    "openai",
    "pydantic",
    "openapi-python-client",
    "schemathesis",
    "jsonschema",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
)
NODE_PACKAGES = ("@stoplight/prism-cli", "autocannon")


def _cpu() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _node_version() -> str:
    try:
        return subprocess.run(
            ["node", "--version"], check=False, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "not found"


def load_average() -> float:
    """The 1-minute load average: above the core count, other work was waiting for the cores too."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def describe() -> dict[str, str]:
    facts = {
        "CPU": f"{_cpu()}, {os.cpu_count()} cores (shared with other work)",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Node": _node_version(),
    }
    for name in PYTHON_PACKAGES:
        try:
            facts[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            facts[name] = "not installed"
    for name in NODE_PACKAGES:
        manifest = REPO / "bench" / "node_modules" / name / "package.json"
        facts[name] = json.loads(manifest.read_text())["version"] if manifest.exists() else "not installed"
    return facts
