"""The contract suite against a server from another stack: tests/other_stacks/node/server.mjs (Node.js,
plain node:http, JSON as JavaScript does it), written from spec/openapi.yaml alone.

The server is started with `node` on a free port with a one-off key, the suite runs in process against it,
and every failed check's failures are printed in the assertion message.
"""

from __future__ import annotations

import os
import secrets
import selectors
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.results import RunResult
from contract_tests.suite.runner import run_suite

ROOT = Path(__file__).resolve().parents[2]
SERVER = Path(__file__).resolve().parent / "node" / "server.mjs"
SPEC = ROOT / "spec" / "openapi.yaml"
SEED = 20240101
EXAMPLES = 75
START_TIMEOUT = 30.0
LISTENING = "listening on "


def _read_url(proc: subprocess.Popen[str]) -> str:
    """The URL of the line `listening on http://127.0.0.1:PORT` the server prints once it accepts."""
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = proc.stdout.readline()
            if line == "":
                break
            if line.startswith(LISTENING):
                return line[len(LISTENING) :].strip()
    proc.kill()
    _, stderr = proc.communicate(timeout=10)
    pytest.fail(f"the Node server did not start (exit {proc.returncode}): {stderr[-2000:]}")


@pytest.fixture(scope="module")
def api_key() -> str:
    return f"sk-node-{secrets.token_hex(16)}"


@pytest.fixture(scope="module")
def node_server(api_key: str) -> Iterator[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (ROOT / "node_modules" / "ajv").is_dir() or not (ROOT / "node_modules" / "yaml").is_dir():
        pytest.skip("ajv and yaml are not installed: run scripts/bootstrap")
    env = {**os.environ, "ASSISTANTS_API_KEY": api_key}
    proc = subprocess.Popen(
        [node, str(SERVER), "--port", "0", "--spec", str(SPEC)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield _read_url(proc)
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=10)


def _failures(result: RunResult) -> str:
    lines: list[str] = []
    for name, check in result.checks.items():
        for failure in check.failures:
            lines.append(f"{name}: {failure.label}: {failure.reason}\n{failure.details}")
    return "\n\n".join(lines)


def test_node_server_keeps_the_contract(node_server: str, api_key: str, tmp_path: Path) -> None:
    result = run_suite(
        SuiteConfig(node_server, api_key, seed=SEED, examples=EXAMPLES, spec_path=SPEC, bodies_dir=tmp_path)
    )
    assert result.passed, f"the Node server broke the contract (seed {SEED}):\n\n{_failures(result)}"
