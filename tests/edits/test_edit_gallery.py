"""The gallery follows a spec edit: its servers whose defect is found in the spec itself still fail
the suite on each edited spec, and its conforming servers still pass it (all of them run on the spec as
it is in tests/contract)."""

from __future__ import annotations

from pathlib import Path

from contract_tests.gallery import GALLERY
from contract_tests.gallery.conforming import CONFORMING
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite.config import SuiteConfig
from contract_tests.suite.runner import run_suite
from tests.edits.conftest import API_KEY, EXAMPLES, failures
from tests.edits.edits import Edit

BROKEN = ("accepts_long_strings", "accepts_nested_nulls", "counts_utf16_units", "lists_dropped")
CONFORMING_HERE = ("other_habits", "numbers_as_doubles")


def test_the_gallery_follows_the_edit(edited: tuple[Edit, Path]) -> None:
    edit, spec = edited
    for name in BROKEN:
        with serve_in_thread(GALLERY[name].build(create_app, API_KEY, spec)) as base_url:
            result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=spec, timeout=3))
        assert GALLERY[name].caught_by in result.failed_checks, (
            f"{edit.name}: {name} failed only {result.failed_checks}"
        )
    for name in CONFORMING_HERE:
        with serve_in_thread(CONFORMING[name](create_app, API_KEY, spec)) as base_url:
            result = run_suite(SuiteConfig(base_url, API_KEY, examples=EXAMPLES, spec_path=spec))
        assert result.passed, f"{edit.name}: {name}: {failures(result)}"
