"""Hypothesis, as the project runs it: the same cases for the same seed in any process, and nothing left
in the user's directory.

Hypothesis draws string and number constants from the code imported in the process (an app checked in
process would lend its own literals, its key among them, to the cases, and the same seed would send other
cases from another entry point), and keeps caches in a `.hypothesis/` folder of the working directory.
Inside `isolated()`, it draws no such constant and keeps its caches in a private temporary folder removed
when the process exits; outside, it is as the process had it (a team's own Hypothesis tests keep their
settings and database).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import configuration
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

_HOME = "__hypothesis_home_directory"  # hypothesis.configuration's own global (no getter exists)
_scratch: list[Path] = []


def _scratch_home() -> Path:
    if not _scratch:
        _scratch.append(Path(tempfile.mkdtemp(prefix="contract-hypothesis-")))
        atexit.register(shutil.rmtree, _scratch[0], True)
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
