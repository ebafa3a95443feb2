"""Starting the reference server in a subprocess on a free loopback port, for a run with no BASE_URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from contract_tests.spec import REPO_ROOT

START_TIMEOUT_SECONDS = 30.0


class ReferenceServerError(Exception):
    """The reference server did not start: a one-line reason."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def reference_server(api_key: str) -> Iterator[str]:
    """Run `python -m contract_tests.server` accepting `api_key`; yields its base URL, stops it after."""
    for _ in range(3):  # another process may take the free port between choosing and binding it
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "contract_tests.server", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT,
            env={**os.environ, "ASSISTANTS_API_KEY": api_key},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            if _wait_until_up(process, base_url):
                yield base_url
                return
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    raise ReferenceServerError("the reference server did not start (python -m contract_tests.server)")


def _wait_until_up(process: subprocess.Popen[bytes], base_url: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            requests.get(f"{base_url}/", timeout=1)
            return True
        except requests.RequestException:
            time.sleep(0.05)
    return False
