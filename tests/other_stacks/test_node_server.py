"""The contract suite against a server from another stack: tests/other_stacks/node/server.mjs (Node.js,
plain node:http, JSON as JavaScript does it), written from an OpenAPI document alone.

The server is started with `node` on a free port with a one-off key, the suite runs in process against it,
and every failed check's failures are printed in the assertion message. It runs on spec/openapi.yaml (the
create alone), and on that spec grown into a whole resource (tests.edits.resource: list, retrieve, modify,
delete), with the links from the create to the item operations and without them (the server then finds
the resource by REST convention): the suite's state checks must judge cases there, and pass.
"""

from __future__ import annotations

import os
import secrets
import selectors
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from contract_tests.api.document import load_spec
from contract_tests.api.model import load_api
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.results import RunResult
from contract_tests.suite.runner import run_suite
from tests.edits.resource import grow

ROOT = Path(__file__).resolve().parents[2]
SERVER = Path(__file__).resolve().parent / "node" / "server.mjs"
SPEC = ROOT / "spec" / "openapi.yaml"
SEED = 20240101
EXAMPLES = 75
RESOURCE_EXAMPLES = 10
START_TIMEOUT = 30.0
LISTENING = "listening on "
STATE_CHECKS = ("read_after_write", "use_after_free", "list_shows_resources")


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


@contextmanager
def _running(spec: Path, api_key: str) -> Iterator[str]:
    """The Node server on `spec`, started on a free port with `api_key`: its base URL."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (ROOT / "node_modules" / "ajv").is_dir() or not (ROOT / "node_modules" / "yaml").is_dir():
        pytest.skip("ajv and yaml are not installed: run scripts/bootstrap")
    env = {**os.environ, "ASSISTANTS_API_KEY": api_key}
    proc = subprocess.Popen(
        [node, str(SERVER), "--port", "0", "--spec", str(spec)],
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


@pytest.fixture(scope="module")
def api_key() -> str:
    return f"sk-node-{secrets.token_hex(16)}"


@pytest.fixture(scope="module")
def node_server(api_key: str) -> Iterator[str]:
    with _running(SPEC, api_key) as url:
        yield url


@pytest.fixture(scope="module", params=[True, False], ids=["links", "no-links"])
def resource_spec(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """spec/openapi.yaml grown into a whole resource, with the links from its create or without them."""
    links: bool = request.param
    document = load_spec(SPEC)
    grow(document, load_api(), links=links)
    path = tmp_path_factory.mktemp("spec") / ("resource.yaml" if links else "resource-nolinks.yaml")
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def node_resource_server(resource_spec: Path, api_key: str) -> Iterator[str]:
    with _running(resource_spec, api_key) as url:
        yield url


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


def test_node_server_keeps_the_state_of_a_resource(
    node_resource_server: str, resource_spec: Path, api_key: str, tmp_path: Path
) -> None:
    result = run_suite(
        SuiteConfig(
            node_resource_server,
            api_key,
            seed=SEED,
            examples=RESOURCE_EXAMPLES,
            spec_path=resource_spec,
            bodies_dir=tmp_path,
        )
    )
    assert result.passed, (
        f"the Node server broke the contract of {resource_spec.name} (seed {SEED}):\n\n{_failures(result)}"
    )
    checks = result.checks
    for name in STATE_CHECKS:
        assert name in checks and checks[name].cases > 0, f"{name} judged no case on {resource_spec.name}"
