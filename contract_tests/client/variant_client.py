"""Generating a client, with the project's generator config and templates, from a variant of the spec.

For behaviour of the templates that spec/openapi.yaml itself does not reach, such as an operation
with no `default` response.
"""

from __future__ import annotations

import copy
import importlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from contract_tests.api.document import REPO_ROOT, spec

GENERATOR_DIR = REPO_ROOT / "scripts" / "generator"
VENV_BIN = Path(sys.executable).parent


def generate_variant(workdir: Path, package: str, change: Callable[[dict[str, Any]], None]) -> ModuleType:
    """Generates the client of the spec as `change` edits it, as package `package` in `workdir`,
    and imports it. The package name must be new to this process."""
    document = copy.deepcopy(spec())
    change(document)
    spec_path = workdir / "openapi.yaml"
    spec_path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    config = yaml.safe_load((GENERATOR_DIR / "config.yaml").read_text(encoding="utf-8"))
    config["package_name_override"] = package
    config_path = workdir / "config.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    output = workdir / package
    done = subprocess.run(
        [
            str(VENV_BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec_path),
            "--config",
            str(config_path),
            "--custom-template-path",
            str(GENERATOR_DIR / "templates"),
            "--meta",
            "none",
            "--output-path",
            str(output),
        ],
        # The config's post hooks run ruff: the project's pinned one.
        env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"openapi-python-client failed:\n{done.stdout}\n{done.stderr}")
    sys.path.insert(0, str(workdir))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(workdir))
