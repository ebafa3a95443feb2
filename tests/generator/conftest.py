"""The client `make generate` makes of tests/generator/files_api.yaml, a spec with uploads, downloads and
the flaws of published specs: generated once per test process, and imported under a name of its own (the
generated package is called as the project's client is, which the environment has installed already)."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from contract_tests.api.document import REPO_ROOT

FILES_API = Path(__file__).resolve().parent / "files_api.yaml"
GENERATED_PACKAGE = "assistants_v1_client"  # scripts/generator/config.yaml's package_name_override
ALIAS = "files_api_client"


@dataclass(frozen=True)
class Generation:
    """What `scripts/generate OUT SPEC` did."""

    returncode: int
    stdout: str
    stderr: str
    output: Path

    @property
    def said(self) -> str:
        return f"exit status {self.returncode}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


def run_generate(spec: Path, output: Path) -> Generation:
    done = subprocess.run(
        ["scripts/generate", str(output), str(spec)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return Generation(done.returncode, done.stdout, done.stderr, output)


def import_as(package_dir: Path, alias: str) -> ModuleType:
    """The generated package at `package_dir`, imported as `alias` (its modules import each other by
    relative imports only, so they follow the package's name)."""
    spec = importlib.util.spec_from_file_location(
        alias, package_dir / "__init__.py", submodule_search_locations=[str(package_dir)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def files_api_generation(tmp_path_factory: pytest.TempPathFactory) -> Generation:
    return run_generate(FILES_API, tmp_path_factory.mktemp("files-api") / "client")


@pytest.fixture(scope="session")
def files_api_client(files_api_generation: Generation) -> ModuleType:
    """The generated package, imported as files_api_client; its modules as files_api_client.api...."""
    assert files_api_generation.returncode == 0, files_api_generation.said
    if ALIAS not in sys.modules:
        import_as(files_api_generation.output / GENERATED_PACKAGE, ALIAS)
    return sys.modules[ALIAS]


def module(name: str) -> ModuleType:
    """A module of the generated package, by its name inside it (e.g. `api.files.upload_file`)."""
    return importlib.import_module(f"{ALIAS}.{name}")
