"""The spec edits of tests/edits/edits.py, each made once per test process: the edited spec (cheap),
and the client `make generate` makes from it (a few seconds), for the test files that need each."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.api.document import REPO_ROOT, SPEC_PATH, load_spec
from tests import spec_facts as facts
from tests.edits.edits import Edit, all_edits

API_KEY = "sk-test-spec-edits-7c1d"
EXAMPLES = 10
EDITS = {edit.name: edit for edit in all_edits(facts.seed())}


def _write(edit: Edit, path: Path) -> Path:
    document = load_spec(SPEC_PATH)
    edit.apply(document)
    if edit.adds or edit.old_server_fails:
        assert document != load_spec(SPEC_PATH), f"{edit.name}: the edit changed nothing"
    # Another YAML writer than the spec's: other quoting, flow style, line breaks; the same meaning.
    path.write_text(
        yaml.safe_dump(document, default_flow_style=None, width=60, allow_unicode=True), encoding="utf-8"
    )
    return path


_SPECS: dict[str, Path] = {}
_CLIENTS: dict[str, Path] = {}


def edited_spec(name: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if name not in _SPECS:
        workdir = tmp_path_factory.mktemp(name.replace(" ", "-").replace(",", ""))
        _SPECS[name] = _write(EDITS[name], workdir / "openapi.yaml")
    return _SPECS[name]


@pytest.fixture(params=sorted(EDITS))
def edited(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Edit, Path]:
    """(the edit, the edited spec)."""
    return EDITS[request.param], edited_spec(request.param, tmp_path_factory)


@pytest.fixture(params=sorted(name for name, edit in EDITS.items() if edit.adds_operation))
def edited_operation(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Edit, Path]:
    return EDITS[request.param], edited_spec(request.param, tmp_path_factory)


@pytest.fixture(params=sorted(EDITS))
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Edit, Path, Path]:
    """(the edit, the edited spec, the client `make generate` made from it)."""
    name = request.param
    spec = edited_spec(name, tmp_path_factory)
    if name not in _CLIENTS:
        client = spec.parent / "client"
        done = subprocess.run(
            ["scripts/generate", str(client), str(spec)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{name}: make generate failed:\n{done.stdout}{done.stderr}"
        _CLIENTS[name] = client
    return EDITS[name], spec, _CLIENTS[name]


def failures(result: Any) -> dict[str, list[str]]:
    return {
        f"{op.operation_id}: {check.name}": [f"{f.label}: {f.reason}" for f in check.failures]
        for op, check in result.failed
    }
