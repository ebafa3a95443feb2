"""Run in a fresh interpreter: import time and peak memory of one client (see bench.client_overhead).

Usage: python -m bench.client_child CLIENT CALLS  ->  one JSON line {"import_s", "peak_rss_mib"}.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

# What a user imports to create an assistant with each client (httpx comes in with all three).
IMPORTS = {
    "python": [],
    "raw_httpx": ["httpx"],
    "generated": [
        "assistants_v1_client",
        "assistants_v1_client.api.assistants.create_assistant",
        "assistants_v1_client.models",
    ],
    "openai_sdk": ["openai"],
}


def main(name: str, calls: int) -> None:
    start = time.perf_counter()
    for module in IMPORTS[name]:
        importlib.import_module(module)
    import_s = time.perf_counter() - start
    if name != "python":
        # Only now: the import time above must be the client's alone.
        from bench.clients import BUILDERS, MOCK_BASE_URL, canned_transport  # noqa: PLC0415

        caller = BUILDERS[name](MOCK_BASE_URL, "sk-bench-local", canned_transport())
        for _ in range(calls):
            caller.call()
        caller.close()
    print(json.dumps({"import_s": import_s, "peak_rss_mib": _peak_rss_kib() / 1024}))


def _peak_rss_kib() -> int:
    # VmHWM starts afresh at exec; getrusage's ru_maxrss would carry over the parent's peak.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
