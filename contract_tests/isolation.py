"""Hypothesis, as the project runs it: the same cases for the same seed in any process, and nothing left
in the user's directory.

Hypothesis draws string and number constants from the code imported in the process (an app checked in
process would lend its own literals, its key among them, to the cases, and the same seed would send other
cases from another entry point), and keeps caches in a `.hypothesis/` folder of the working directory.
Inside `isolated()`, it draws no such constant and keeps its caches in a private temporary folder removed
when the process exits; outside, it is as the process had it (a team's own Hypothesis tests keep their
settings and database). Only Hypothesis's tables of Unicode (a function of the Python's Unicode version,
2 s to compute) outlive the process, in the user's cache folder, as pip keeps its wheels.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import configuration
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

_HOME = "__hypothesis_home_directory"  # hypothesis.configuration's own global (no getter exists)
_scratch: list[Path] = []


def unicode_cache() -> Path:
    """Where Hypothesis's Unicode tables are kept between runs ($XDG_CACHE_HOME, else ~/.cache)."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "assistants-contract" / "hypothesis-unicode" / unicodedata.unidata_version


def _tables(home: Path) -> Path:
    return home / "unicode_data" / unicodedata.unidata_version  # hypothesis.internal.charmap's folder


def _keep_tables(home: Path) -> None:
    """Copy the tables this run computed to the user's cache, then remove the private folder. A table is
    copied under another name, then renamed: a run beside this one sees it whole or not at all."""
    # RuntimeError: no home folder to find (no $HOME and no passwd entry): nothing is kept then.
    with contextlib.suppress(OSError, RuntimeError):
        made = _tables(home)
        if made.is_dir():
            kept = unicode_cache()
            kept.mkdir(parents=True, exist_ok=True)
            for table in made.iterdir():
                if not (kept / table.name).exists():
                    partial = kept / f".{table.name}.{os.getpid()}"
                    shutil.copyfile(table, partial)
                    os.replace(partial, kept / table.name)
    shutil.rmtree(home, ignore_errors=True)


def _scratch_home() -> Path:
    if not _scratch:
        home = Path(tempfile.mkdtemp(prefix="contract-hypothesis-"))
        with contextlib.suppress(OSError, RuntimeError):
            if unicode_cache().is_dir():
                shutil.copytree(unicode_cache(), _tables(home), ignore=shutil.ignore_patterns(".*"))
        _scratch.append(home)
        atexit.register(_keep_tables, home)
    return _scratch[0]


@contextmanager
def isolated() -> Iterator[None]:
    """Hypothesis draws no constant from imported code, and writes nothing outside a private folder."""
    home = vars(configuration).get(_HOME)
    found = providers._get_local_constants
    empty = Constants()
    configuration.set_hypothesis_home_dir(_scratch_home())
    providers._get_local_constants = lambda: empty
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = found
        providers.CONSTANTS_CACHE.cache.clear()
        configuration.set_hypothesis_home_dir(home)
