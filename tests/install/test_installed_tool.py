"""The contract suite as a server team installs it: the distribution built from this working tree,
installed into a fresh virtual environment with the lock file's versions (runtime dependencies only),
its commands run from another directory.

Checked: the embedded reference server passes; a broken server fails (1) and a conforming one passes
(0) by URL; an ASGI app and a WSGI app are checked in process with --app; the reference server command
serves; and the pytest entry, registered through `pytest11`, collects a test per operation and check.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contract_tests.api.document import REPO_ROOT, SPEC_VARIABLE
from contract_tests.gallery import GALLERY
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from tests.edits.resource import write_grown
from tests.install.recorder import MADE

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
# The reference server behind a recorder of every request it gets (to $RECORD_FILE, one JSON line each):
# what the client chose, not what the server made (tests/install/recorder.py).
RECORDER_MODULE = f"""
import os

from contract_tests.server import create_app
from request_recorder import recording

app = recording(create_app(api_key={API_KEY!r}), os.environ["RECORD_FILE"])
"""
RECORDER = Path(__file__).resolve().parent / "recorder.py"
PYTEST_RECORDED = f"""
from contract_tests.pytest_plugin import contract_checks

test_contract = contract_checks(app="recorder:app", api_key={API_KEY!r}, seed=7, examples=3)
"""
PYTEST_MODULE = f"""
from contract_tests.pytest_plugin import contract_checks

test_contract = contract_checks(app="app_under_test:app", api_key={API_KEY!r}, examples=5)


def test_the_fixture_runs_the_suite(contract_suite):
    assert contract_suite(app="app_under_test:app", api_key={API_KEY!r}, examples=2).passed
"""


def _environment() -> dict[str, str]:
    """This process's environment without its virtual environment's variables, nor another spec."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    clean.pop(SPEC_VARIABLE, None)
    return clean


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env={**_environment(), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _make_venv(python: str, work: Path) -> Path:
    """The bin directory of a fresh venv of `python` with the wheel of this working tree (and pytest)."""
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
    # pytest (for the pytest entry) and FastAPI (a team's app) come from the lock file too.
    pins = [line for line in _locked() if line.split("==")[0] in _TEAM_PACKAGES]
    constraints.write_text(exported.stdout + "\n".join(pins) + "\n", encoding="utf-8")
    made = _run([str(UV), "venv", "--python", python, str(work / "venv")], work)
    assert made.returncode == 0, made.stderr
    venv_python = work / "venv" / "bin" / "python"
    installed = _run(
        [
            str(UV),
            "pip",
            "install",
            "--python",
            str(venv_python),
            "--constraint",
            str(constraints),
            str(wheel),
            "pytest",
            "fastapi",
        ],
        work,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    return venv_python.parent


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin directory of a fresh venv with the wheel of this working tree (and pytest) installed."""
    return _make_venv(sys.executable, tmp_path_factory.mktemp("installed"))


def newest_python() -> str | None:
    """The newest Python 3 above this one on the machine (pyenv's, or on PATH), if any."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = [str(path) for path in root.glob("3.1[2-9]*/bin/python3") if path.is_file()]
    found += [shutil.which(f"python3.{minor}") or "" for minor in (14, 13, 12)]

    def version(path: str) -> tuple[int, ...]:
        done = subprocess.run(
            [path, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        return tuple(int(part) for part in done.stdout.split()) if done.returncode == 0 else (0,)

    usable = [
        path
        for path in found
        if path and version(path) > tuple(sys.version_info[:2]) and version(path) < (3, 15)
    ]
    return max(usable, key=version) if usable else None


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
ROUTED = REPO_ROOT / "tests" / "other_stacks" / "routed.py"


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
    (tmp_path / "app_routes.py").write_text(ROUTED.read_text(encoding="utf-8"), encoding="utf-8")
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


def test_the_newest_python_installs_the_tool_and_passes(tmp_path: Path, elsewhere: Path) -> None:
    """The tool installs from the lock file on the newest Python the machine has (3.13 on this project's
    machines), beside 3.11 which every other test of this module uses."""
    python = newest_python()
    if python is None:
        pytest.skip(f"no Python newer than {sys.version_info[0]}.{sys.version_info[1]} on this machine")
    bin_dir = _make_venv(python, tmp_path)
    version = _run([str(bin_dir / "python"), "-c", "import sys; print(sys.version)"], elsewhere).stdout
    done = _run([str(bin_dir / "assistants-contract"), "--examples", EXAMPLES], elsewhere)
    assert done.returncode == 0, version + done.stdout[-3000:] + done.stderr[-2000:]
    assert "RESULT: PASS" in done.stdout


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


@pytest.fixture(params=["as shipped", "grown by a retrieve"])
def spec_variable(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The environment that points every entry point at the spec: none for the one the tool carries; the
    spec with a retrieve of the create's resource (added where it has none), which carries the id an
    answer held."""
    if request.param == "as shipped":
        return {}
    path = tmp_path / "grown.yaml"
    write_grown(path, ("get",))
    return {SPEC_VARIABLE: str(path)}


def test_the_same_seed_sends_the_same_requests_from_every_entry_point(
    venv: Path, elsewhere: Path, tmp_path: Path, spec_variable: dict[str, str]
) -> None:
    """One seed through `make contract` (scripts/contract), `python -m contract_tests.suite`, the
    installed command by URL and with --app, and the pytest entry: the same requests, byte for byte, but
    for the values the server made (an id), compared by the order in which it made them."""
    (elsewhere / "request_recorder.py").write_text(RECORDER.read_text(encoding="utf-8"), encoding="utf-8")
    (elsewhere / "recorder.py").write_text(RECORDER_MODULE, encoding="utf-8")
    (elsewhere / "test_recorded.py").write_text(PYTEST_RECORDED, encoding="utf-8")
    options = ["--seed", "7", "--examples", "3"]
    key = {"API_KEY": API_KEY, **spec_variable}
    records: dict[str, list[str]] = {}

    def recorded(name: str) -> Path:
        path = tmp_path / f"{name}.jsonl"
        path.write_text("", encoding="utf-8")
        return path

    by_url = {
        "make contract": (["scripts/contract", *options], REPO_ROOT, {"BASE_URL": "{url}"}),
        "python -m": (
            [str(REPO_ROOT / ".venv" / "bin" / "python"), "-m", "contract_tests.suite", *options],
            REPO_ROOT,
            {"BASE_URL": "{url}"},
        ),
        "installed, by URL": (
            [str(venv / "assistants-contract"), *options],
            elsewhere,
            {"BASE_URL": "{url}"},
        ),
    }
    for name, (command, cwd, env) in by_url.items():
        record = recorded(name)
        port = _free_port()
        server = subprocess.Popen(
            [
                str(venv / "python"),
                "-m",
                "uvicorn",
                "recorder:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=elsewhere,
            env={**_environment(), **spec_variable, "RECORD_FILE": str(record)},
        )
        try:
            _wait_for(port)
            url = f"http://127.0.0.1:{port}"
            done = _run(command, cwd, **key, **{k: v.format(url=url) for k, v in env.items()})
        finally:
            server.terminate()
            server.wait(timeout=10)
        assert done.returncode == 0, f"{name}: {done.stdout[-2000:]}{done.stderr[-1000:]}"
        records[name] = record.read_text(encoding="utf-8").splitlines()
    in_process = {
        "installed, --app": [str(venv / "assistants-contract"), *options, "--app", "recorder:app"],
        "pytest entry": [
            str(venv / "python"),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "test_recorded.py",
        ],
    }
    for name, command in in_process.items():
        record = recorded(name)
        done = _run(command, elsewhere, **key, RECORD_FILE=str(record))
        assert done.returncode == 0, f"{name}: {done.stdout[-2000:]}{done.stderr[-1000:]}"
        records[name] = record.read_text(encoding="utf-8").splitlines()
    first, *others = records
    assert len(records[first]) > 50, records[first][:3]
    # The key is only where a probe puts it: in the credentials, never drawn into a body or a query.
    for line in records[first]:
        _, path, query, headers, body = json.loads(line)
        assert API_KEY not in query + path and API_KEY.encode().hex() not in body, line[:300]
        assert all(API_KEY not in value for name, value in headers if name != "authorization"), line[:300]
    if spec_variable:
        # The grown spec's retrieve carries what the create's answer held: the comparison saw it.
        assert any(MADE in json.loads(line)[1] for line in records[first]), (
            "no request carried a value the server made: " + "\n".join(records[first][-5:])
        )
    for name in others:
        assert records[name] == records[first], (
            f"{name} sent {len(records[name])} requests, {first} {len(records[first])}; first difference: "
            + next(
                (f"{a} != {b}" for a, b in zip(records[name], records[first], strict=False) if a != b),
                "(one is a prefix of the other)",
            )
        )


# The FastAPI app with its default key as a literal in its own module (not a test file): imported in the
# suite's process, its literals must not find their way into the cases (the key drawn into a tool, then
# echoed back as the spec allows, was a false alarm of api_key_not_echoed).
# It is judged on the operations it routes (tests/other_stacks/routed.py), the others' tests skipped.
SEEDS_MODULE = """
from app_routes import routed_operations
from contract_tests.api.model import load_api
from contract_tests.pytest_plugin import contract_checks
from fastapi_under_test import DEFAULT_KEY, create_app

OPERATIONS = routed_operations(create_app(), load_api())
for seed in range(1, 11):
    globals()[f"test_seed_{seed}"] = contract_checks(
        app=create_app(), api_key=DEFAULT_KEY, seed=seed, examples=5, operations=OPERATIONS
    )
"""


def test_an_app_with_its_key_as_a_literal_passes_on_ten_seeds(venv: Path, elsewhere: Path) -> None:
    (elsewhere / "test_seeds.py").write_text(SEEDS_MODULE, encoding="utf-8")
    done = _run(
        [str(venv / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_seeds.py"], elsewhere
    )
    assert done.returncode == 0, done.stdout[-4000:]
    summary = done.stdout.splitlines()[-1]
    assert " failed" not in summary and " passed" in summary, done.stdout[-1000:]
    assert not (elsewhere / ".hypothesis").exists(), (
        "the run left a .hypothesis folder in the working directory"
    )


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


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
