"""Every relative link of the README and of docs/ leads to a file of the repository (a page moved, a file
renamed, and the docs would send a reader nowhere)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract_tests.api.document import REPO_ROOT

DOCUMENTS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("document", DOCUMENTS, ids=[path.name for path in DOCUMENTS])
def test_relative_links_lead_to_files(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "#", "mailto:")):
            continue
        path = (document.parent / target.split("#", 1)[0]).resolve()
        if not path.exists():
            broken.append(target)
    assert not broken, f"{document.name} links to nothing: {broken}"


def test_the_readme_is_read_in_five_minutes() -> None:
    lines = (REPO_ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 250, f"the README has {lines} lines: move detail into docs/"
