"""The project's own tests hold while the spec grows toward the published API: on the spec grown by a
retrieve of the create's resource, and by the whole resource (list, retrieve, modify, delete), the test
of the hand-written FastAPI app (tests/other_stacks/fastapi_app/test_contract.py), run in a fresh process
whose every default is the grown spec, passes: the app is judged on the operations it routes, and the
tests of those it lacks (every one the spec gained among them) are skipped with the reason printed.

The same-seed comparison on the grown spec is in tests/install/test_installed_tool.py (it needs the
installed tool).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from contract_tests.api.document import REPO_ROOT, SPEC_VARIABLE
from contract_tests.api.model import load_api
from tests.edits.resource import KINDS, write_grown
from tests.other_stacks.fastapi_app.app import create_app
from tests.other_stacks.routed import routed_operations

APP_TEST = "tests/other_stacks/fastapi_app/test_contract.py"
GROWTHS = {"a retrieve": ("get",), "the whole resource": KINDS}


@pytest.fixture(params=sorted(GROWTHS))
def grown(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, list[str]]:
    """(the spec grown, the operationIds it gained: none where it had them already)."""
    path = tmp_path / "openapi.yaml"
    return path, write_grown(path, GROWTHS[request.param])


def test_the_app_routes_none_of_what_the_spec_gained(grown: tuple[Path, list[str]]) -> None:
    spec, added = grown
    api = load_api(spec)
    routed = routed_operations(create_app(api_key="sk-growth-routes", spec_path=spec), api)
    assert routed, "the app routes no operation of the grown spec: its test would judge nothing"
    assert not set(routed) & set(added), f"the app routes {sorted(set(routed) & set(added))}"


def test_the_app_test_passes_on_the_grown_spec(grown: tuple[Path, list[str]]) -> None:
    spec, _ = grown
    api = load_api(spec)
    routed = routed_operations(create_app(api_key="sk-growth-routes", spec_path=spec), api)
    lacked = [op.operation_id for op in api.operations if op.operation_id not in routed]
    assert lacked, "the app routes every operation of the grown spec: nothing is skipped"
    env = {**os.environ, SPEC_VARIABLE: str(spec), "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-p", "no:xdist"]
    done = subprocess.run(
        [*command, APP_TEST], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{APP_TEST} on {spec}:\n{output[-6000:]}"
    summary = done.stdout.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) > 0, summary
    for operation in lacked:
        # pytest -rs prints each skip's reason: the plugin's, naming the operation not judged.
        assert f"{operation}: not judged" in done.stdout, f"{operation} was not skipped:\n{output[-3000:]}"
