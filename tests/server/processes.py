"""Starting the reference server or the mock as a process of its own, on a free port, as a replica is run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from contract_tests.api.document import REPO_ROOT

START_SECONDS = 90  # a replica with workers spawns interpreters that import everything: slow on a busy CI


@dataclass
class Started:
    url: str
    process: subprocess.Popen[str]
    out: str = ""
    err: str = ""

    def worker_pids(self) -> list[int]:
        """The worker processes of a `--workers` replica: its children that serve (not multiprocessing's
        resource tracker)."""
        # Each thread's children are its own: the supervisor starts the workers from a thread.
        tasks = Path(f"/proc/{self.process.pid}/task").iterdir()
        children = [pid for task in tasks for pid in (task / "children").read_text().split()]
        return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def stop(self) -> None:
        """SIGTERM, as CI jobs and containers stop a process, then its output."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.out, self.err = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.out, self.err = self.process.communicate()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def started(argv: list[str], probe: str, env: dict[str, str] | None = None) -> Iterator[Started]:
    """`python -m ARGV --port P` started, once it answers a GET of `probe`; stopped (SIGTERM) at the end."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", *argv, "--port", str(port)],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    replica = Started(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                replica.stop()
                raise AssertionError(f"{' '.join(argv)} ended before serving: {replica.out}{replica.err}")
            try:
                httpx.get(replica.url + probe, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"{' '.join(argv)} did not start in {START_SECONDS} s"
                time.sleep(0.1)
        yield replica
    finally:
        replica.stop()
