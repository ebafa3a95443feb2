"""The reference server and the judging mock as the client's tests meet them: separate processes on a
free loopback port (the client's tests import neither), as a client in any language would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running(arguments: list[str], port: int, key: str) -> Iterator[str]:
    """`python -m <arguments>` serving on `port`, with `key`, until the block ends; yields its URL."""
    env = {**os.environ, "ASSISTANTS_API_KEY": key, "API_KEY": key}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", *arguments], cwd=REPO_ROOT, env=env, stdout=log, stderr=log
        )
        try:
            _wait(process, port, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait(process: subprocess.Popen[bytes], port: int, log: Any) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited: {log.read().decode('utf-8', 'replace')[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@contextmanager
def reference_server(key: str) -> Iterator[str]:
    port = free_port()
    with running(["contract_tests.server", "--port", str(port)], port, key) as url:
        yield url


@contextmanager
def mock(key: str, faults: str | None = None) -> Iterator[str]:
    """The judging mock (`assistants-contract mock`), with `faults` if given."""
    port = free_port()
    arguments = ["contract_tests", "mock", "--port", str(port)]
    if faults:
        arguments += ["--faults", faults]
    with running(arguments, port, key) as url:
        yield url


def report(url: str) -> dict[str, Any]:
    """A mock's report so far."""
    with urllib.request.urlopen(f"{url}/__contract/report", timeout=10) as answer:
        found: dict[str, Any] = json.loads(answer.read())
        return found
