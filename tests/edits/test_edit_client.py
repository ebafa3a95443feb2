"""`make generate` accepts each spec edit, and in a fresh process whose every default is the edited
spec, with the regenerated client first on the path, the client's property tests pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from contract_tests.api.document import REPO_ROOT, SPEC_VARIABLE
from tests.edits.edits import Edit


def test_the_regenerated_client_keeps_its_properties(generated: tuple[Edit, Path, Path]) -> None:
    """In a fresh process whose every default is the edited spec, with the regenerated client first on
    the path: the client's property tests, its run against the reference server, and every operation
    of the edited spec called through its generated function."""
    edit, spec, client = generated
    env = {
        **os.environ,
        SPEC_VARIABLE: str(spec),
        "PYTHONPATH": os.pathsep.join([str(client), str(REPO_ROOT)]),
        "CONTRACT_CLIENT_EXAMPLES": "5",
    }
    # Its broken-client and template tests do not depend on the spec: they run in contract_tests/client.
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "contract_tests/client/test_client_properties.py",
        "contract_tests/client/test_reference_server.py",
        "contract_tests/client/test_every_operation.py",
    ]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    where = json.dumps({"spec": str(spec), "client": str(client)})
    assert done.returncode == 0, f"{edit.name} ({where}):\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"
    imported = subprocess.run(
        [sys.executable, "-c", "import assistants_v1_client; print(assistants_v1_client.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert imported.startswith(str(client)), f"the tests imported {imported}, not the regenerated client"
