"""What the install steps of the Action and of the Dockerfile find on a fresh machine, played here: a
Python first on PATH (as setup-python or a python base image put it), the machine's environment without
this checkout's venv or the suite's variables of a developer's shell, the uv that scripts/bootstrap pins;
and the servers they are run against, each in a process of its own."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from contract_tests.api.document import REPO_ROOT

API_KEY = "sk-install-3c9d41e07b"
# What a developer's shell may hold that a fresh machine would not (the suite reads some as defaults).
NOT_ON_A_FRESH_MACHINE = (
    "VIRTUAL_ENV",
    "PYTHONHOME",
    "PYTHONPATH",
    "API_KEY",
    "ASSISTANTS_API_KEY",
    "ASSISTANTS_CONTRACT_SPEC",
    "BASE_URL",
    "APP",
    "REPORT",
    "SEED",
    "EXAMPLES",
    "MODEL",
)


def machine_env(python_bin: Path) -> dict[str, str]:
    """This machine's environment, with `python_bin` first on PATH and no venv of this checkout's."""
    own_bins = {str(Path(sys.executable).parent), str(REPO_ROOT / ".venv" / "bin")}
    path = [part for part in os.environ["PATH"].split(os.pathsep) if part not in own_bins]
    env = {key: value for key, value in os.environ.items() if key not in NOT_ON_A_FRESH_MACHINE}
    return env | {"PATH": os.pathsep.join([str(python_bin), *path])}


def link_python(bin_dir: Path, version: str) -> None:
    """Python `version` (3.11, ...) as `python` and `python3` in `bin_dir`: this one, or the machine's."""
    here = f"{sys.version_info[0]}.{sys.version_info[1]}"
    # The interpreter behind this venv's python (sys._base_executable: CPython's, not typed).
    base: str = getattr(sys, "_base_executable", sys.executable)
    found = base if version == here else shutil.which(f"python{version}")
    assert found, f"Python {version} was asked for, and this machine does not have it"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in ("python", "python3"):
        (bin_dir / name).unlink(missing_ok=True)
        (bin_dir / name).symlink_to(Path(found).resolve())


def bootstrap_uv_version() -> str:
    text = (REPO_ROOT / "scripts" / "bootstrap").read_text(encoding="utf-8")
    found = re.search(r"^UV_VERSION=(\S+)$", text, re.MULTILINE)
    assert found, "scripts/bootstrap names no UV_VERSION"
    return found.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(*command: str) -> Iterator[str]:
    """A server command of this checkout's venv (`assistants-reference-server`, `assistants-contract
    gallery NAME`) on a free loopback port, accepting API_KEY, in its own process; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / command[0]), *command[1:], "--port", str(port)],
        env={**os.environ, "ASSISTANTS_API_KEY": API_KEY},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, f"{command} exited: {process.communicate()[1][-2000:]}"
            assert time.monotonic() < deadline, f"{command} did not listen on port {port}"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.communicate(timeout=10)
