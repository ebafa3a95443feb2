"""Starting the reference server in a subprocess on a free loopback port, for a run with no BASE_URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests

from contract_tests.api.document import REPO_ROOT

START_TIMEOUT_SECONDS = 30.0
STDERR_LINES = 5  # of a server that exited, shown in the error


class ReferenceServerError(Exception):
    """The reference server did not start: a one-line reason."""


class PortTaken(ReferenceServerError):
    """Another process bound the free port between free_port() and the server's start: try another."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class ReferenceServer:
    base_url: str
    process: subprocess.Popen[bytes]
    stderr: IO[bytes]

    def _last_words(self) -> str:
        self.stderr.seek(0)
        lines = self.stderr.read().decode("utf-8", "replace").strip().splitlines()[-STDERR_LINES:]
        return ": " + " | ".join(line.strip() for line in lines) if lines else ""

    def wait_until_up(self) -> None:
        """Return once the server answers; ReferenceServerError if it exits or stays silent."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                words = self._last_words()
                error = PortTaken if "address already in use" in words.lower() else ReferenceServerError
                raise error(f"the reference server exited with status {self.process.returncode}{words}")
            try:
                requests.get(f"{self.base_url}/", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.05)
        raise ReferenceServerError(f"the reference server did not answer within {START_TIMEOUT_SECONDS:g}s")


@contextmanager
def reference_server(api_key: str, spec_path: Path) -> Iterator[ReferenceServer]:
    """Start `python -m contract_tests.server` serving `spec_path` and accepting `api_key`; stop it when
    the block ends.

    It is not up yet when the block starts: call `wait_until_up()`, after work that can overlap.
    """
    port = free_port()
    command = [sys.executable, "-m", "contract_tests.server", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--spec", str(Path(spec_path).resolve())]
    # A file, not a pipe: a server that logs much cannot fill it and block; read only if it exits.
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env={**os.environ, "ASSISTANTS_API_KEY": api_key},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            yield ReferenceServer(f"http://127.0.0.1:{port}", process, stderr)
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
