"""The contract suite as a server team installs it: the distribution built from this working tree,
installed into a fresh virtual environment with the lock file's versions (runtime dependencies only),
its commands run from another directory.

Checked: the embedded reference server passes; a broken server fails (1) and a conforming one passes
(0) by URL; an ASGI app and a WSGI app are checked in process with --app; the reference server command
serves; and the pytest entry, registered through `pytest11`, collects a test per operation and check.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contract_tests.api.document import REPO_ROOT
from contract_tests.gallery import GALLERY
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread

API_KEY = "sk-test-installed-3f9e"
EXAMPLES = "10"
UV = REPO_ROOT / ".tools" / "bin" / "uv"

APP_MODULE = f"""
from contract_tests.server import create_app

app = create_app(api_key={API_KEY!r})
"""
WSGI_MODULE = '''
import json


def app(environ, start_response):
    """A WSGI app that answers everything with 404: checked, and failed, in process."""
    body = json.dumps({"error": {"message": "nothing here", "type": "x", "param": None, "code": None}})
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [body.encode()]
'''
PYTEST_MODULE = f"""
from contract_tests.pytest_plugin import contract_checks

test_contract = contract_checks(app="app_under_test:app", api_key={API_KEY!r}, examples=5)


def test_the_fixture_runs_the_suite(contract_suite):
    assert contract_suite(app="app_under_test:app", api_key={API_KEY!r}, examples=2).passed
"""


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    clean.pop("ASSISTANTS_CONTRACT_SPEC", None)
    return subprocess.run(
        command, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, check=False, timeout=600
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin directory of a fresh venv with the wheel of this working tree (and pytest) installed."""
    work = tmp_path_factory.mktemp("installed")
    built = _run([str(UV), "build", "--wheel", "--out-dir", str(work / "dist"), str(REPO_ROOT)], REPO_ROOT)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (work / "dist").glob("*.whl")
    exported = _run(
        [
            str(UV),
            "export",
            "--frozen",
            "--no-default-groups",
            "--no-emit-project",
            "--no-hashes",
            "--no-header",
        ],
        REPO_ROOT,
    )
    assert exported.returncode == 0, exported.stderr
    constraints = work / "constraints.txt"
    # pytest comes from the lock file too, for the pytest entry.
    pins = [
        line for line in _locked() if line.split("==")[0] in ("pytest", "pluggy", "iniconfig", "packaging")
    ]
    constraints.write_text(exported.stdout + "\n".join(pins) + "\n", encoding="utf-8")
    made = _run([str(UV), "venv", "--python", sys.executable, str(work / "venv")], work)
    assert made.returncode == 0, made.stderr
    python = work / "venv" / "bin" / "python"
    installed = _run(
        [
            str(UV),
            "pip",
            "install",
            "--python",
            str(python),
            "--constraint",
            str(constraints),
            str(wheel),
            "pytest",
        ],
        work,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    return python.parent


# What a server team has in its own environment beside the tool: pytest (for the pytest entry) and FastAPI
# (its app), at the lock file's versions.
_TEAM_PACKAGES = frozenset(
    {
        "pytest",
        "pluggy",
        "iniconfig",
        "packaging",
        "fastapi",
        "pydantic",
        "pydantic-core",
        "annotated-types",
        "typing-inspection",
        "typing-extensions",
        "annotated-doc",
        "opentelemetry-api",
        "importlib-metadata",
        "zipp",
    }
)
FASTAPI_APP = REPO_ROOT / "tests" / "other_stacks" / "fastapi_app" / "app.py"


def _locked() -> list[str]:
    exported = _run(
        [str(UV), "export", "--frozen", "--no-hashes", "--no-header", "--no-emit-project"], REPO_ROOT
    )
    return [line.strip() for line in exported.stdout.splitlines() if "==" in line]


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A directory with nothing of this repository in it, holding the apps a team would check."""
    (tmp_path / "app_under_test.py").write_text(APP_MODULE, encoding="utf-8")
    (tmp_path / "wsgi_under_test.py").write_text(WSGI_MODULE, encoding="utf-8")
    (tmp_path / "fastapi_under_test.py").write_text(FASTAPI_APP.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_only_the_runtime_dependencies_are_installed(venv: Path, elsewhere: Path) -> None:
    listed = _run([str(venv / "python"), "-m", "pip", "list", "--format=freeze"], elsewhere)
    if listed.returncode != 0:  # uv venvs have no pip: ask uv
        listed = _run(
            [str(UV), "pip", "list", "--python", str(venv / "python"), "--format=freeze"], elsewhere
        )
    names = {line.split("==")[0].lower() for line in listed.stdout.splitlines()}
    assert "assistants-contract" in names and "schemathesis" in names
    for dev_only in ("assistants-v1-client", "openapi-python-client", "ruff", "mypy", "openai"):
        assert dev_only not in names, f"{dev_only} was installed"


def test_the_embedded_reference_server_passes(venv: Path, elsewhere: Path) -> None:
    done = _run([str(venv / "assistants-contract"), "--examples", EXAMPLES], elsewhere)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "RESULT: PASS" in done.stdout


def test_a_broken_server_fails_and_a_conforming_one_passes_by_url(venv: Path, elsewhere: Path) -> None:
    report = elsewhere / "reports" / "contract.xml"
    with serve_in_thread(GALLERY["accepts_long_strings"].build(create_app, API_KEY)) as broken:
        done = _run(
            [
                str(venv / "assistants-contract"),
                "--base-url",
                broken,
                "--examples",
                EXAMPLES,
                "--report",
                str(report),
            ],
            elsewhere,
            API_KEY=API_KEY,
        )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "FAILED invalid_body_rejected" in done.stdout and API_KEY not in done.stdout
    assert "<failure" in report.read_text(encoding="utf-8")
    with serve_in_thread(create_app(api_key=API_KEY)) as conforming:
        done = _run(
            [str(venv / "assistants-contract"), "--base-url", conforming, "--examples", EXAMPLES],
            elsewhere,
            API_KEY=API_KEY,
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_asgi_apps_and_a_wsgi_app_are_checked_in_process(venv: Path, elsewhere: Path) -> None:
    done = _run(
        [str(venv / "assistants-contract"), "--app", "app_under_test:app", "--examples", EXAMPLES],
        elsewhere,
        API_KEY=API_KEY,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    done = _run(
        [str(venv / "assistants-contract"), "--app", "wsgi_under_test:app", "--examples", "2"],
        elsewhere,
        API_KEY=API_KEY,
    )
    assert done.returncode == 1 and "FAILED" in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
    done = _run(
        [str(venv / "assistants-contract"), "--app", "no_such_module:app"], elsewhere, API_KEY=API_KEY
    )
    assert (
        done.returncode == 2
        and done.stderr.startswith("error: cannot import")
        and done.stderr.count("\n") == 1
    )


def test_the_pytest_entry_runs_a_test_per_operation_and_check(venv: Path, elsewhere: Path) -> None:
    (elsewhere / "test_contract.py").write_text(PYTEST_MODULE, encoding="utf-8")
    done = _run(
        [str(venv / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_contract.py"], elsewhere
    )
    assert done.returncode == 0, done.stdout[-3000:]
    passed = int(done.stdout.strip().splitlines()[-1].split(" passed")[0].split()[-1])
    assert passed > 10, done.stdout[-1000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_the_reference_server_command_serves(venv: Path, elsewhere: Path) -> None:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "ASSISTANTS_CONTRACT_SPEC"}
    process = subprocess.Popen(
        [str(venv / "assistants-reference-server"), "--port", str(port)],
        cwd=elsewhere,
        env={**env, "ASSISTANTS_API_KEY": API_KEY},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = _run(
                [
                    str(venv / "assistants-contract"),
                    "--base-url",
                    f"http://127.0.0.1:{port}",
                    "--examples",
                    "2",
                ],
                elsewhere,
                API_KEY=API_KEY,
            )
            if "cannot reach" not in done.stderr:
                break
            time.sleep(0.5)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-1000:]
    finally:
        process.terminate()
        process.communicate(timeout=10)
