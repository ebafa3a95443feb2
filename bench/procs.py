"""Child processes of the benchmark: free ports, servers that are always stopped, bounded commands."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")
# The reference server's key in every run of the bench: passed through the environment, never printed.
API_KEY = "sk-bench-local"


class BenchError(Exception):
    """A measurement could not be made; the report says why instead of quoting a number."""


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"server exited with status {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise BenchError(f"server not listening on port {port} after {timeout:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's whole process group (it was started in a session of its own)."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)


@contextlib.contextmanager
def serving(
    command: list[str], port: int, log: Path, env: Mapping[str, str] | None = None, startup: float = 60.0
) -> Iterator[str]:
    """Run a server until the block ends (even on error); yields its base URL on 127.0.0.1."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        try:
            _wait_for_port(port, proc, startup)
            yield f"http://127.0.0.1:{port}"
        finally:
            _stop(proc)


@dataclass(frozen=True)
class Finished:
    returncode: int
    seconds: float
    output: str


def run(
    command: list[str], timeout: float, env: Mapping[str, str] | None = None, cwd: Path = REPO
) -> Finished:
    """Run a command to the end or to `timeout` (then its process group is killed), timing it."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        proc.communicate()
        raise BenchError(f"{Path(command[0]).name} did not finish within {timeout:.0f} s") from None
    finally:
        _stop(proc)
    return Finished(proc.returncode, time.perf_counter() - start, output.decode("utf-8", "replace"))
