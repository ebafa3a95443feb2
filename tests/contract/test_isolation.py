"""Hypothesis inside `isolated()`: its folder is private and gone at exit; only its Unicode tables are kept,
in the user's cache folder, and a later run reads them instead of computing them again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from contract_tests.api.document import REPO_ROOT

# Draws text in an isolated block (Hypothesis then needs its Unicode tables) and says where its folder was.
_DRAW = """
from hypothesis import find, settings, strategies as st
from hypothesis import configuration
from hypothesis.internal.charmap import charmap_file
from contract_tests.isolation import isolated
with isolated():
    print(charmap_file().exists())  # before the draw: read from the cache, or not there yet
    find(st.text(min_size=1), lambda value: True, settings=settings(database=None))
    print(configuration.storage_directory().path)
"""


def _draw(cache: Path, cwd: Path) -> tuple[bool, Path]:
    """(whether the tables were there before the draw, Hypothesis's folder in that run)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _DRAW],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    *_, before, home = done.stdout.strip().splitlines()
    return before == "True", Path(home)


def test_only_the_unicode_tables_outlive_the_process(tmp_path: Path) -> None:
    cache, cwd = tmp_path / "cache", tmp_path / "work"
    cwd.mkdir()
    found, home = _draw(cache, cwd)
    assert not found, "a first run found tables in an empty cache"
    assert not home.exists(), f"Hypothesis's private folder {home} was left behind"
    assert not any(cwd.iterdir()), f"the run left {sorted(p.name for p in cwd.iterdir())} in its directory"
    kept = sorted(path.name for path in cache.rglob("*.json.gz"))
    assert "charmap.json.gz" in kept, kept
    partial = [path.name for path in cache.rglob(".*")]
    assert not partial, f"copies left half-way in the cache: {partial}"
    stamps = {path: path.stat().st_mtime_ns for path in cache.rglob("*.json.gz")}
    found, _ = _draw(cache, cwd)
    assert found, "the second run computed the tables again instead of reading them from the cache"
    assert {path: path.stat().st_mtime_ns for path in cache.rglob("*.json.gz")} == stamps, (
        "the tables were rewritten"
    )
