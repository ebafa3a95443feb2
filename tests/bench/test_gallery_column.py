"""`make bench` writes its `st run` verdicts into docs/gallery.md's last column (bench/gallery_doc.py): only
that column of the servers it ran changes, and the page still lists each server with its check."""

from __future__ import annotations

import re

from bench.gallery_doc import fill
from contract_tests.api.document import REPO_ROOT
from contract_tests.gallery import GALLERY
from contract_tests.gallery.media import MEDIA_GALLERY

PAGE = (REPO_ROOT / "docs" / "gallery.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `(\w+)` \| (.+?) \| `(\w+)` \| ([^|]*) \|$", flags=re.MULTILINE)


def test_each_server_run_gets_its_verdict_and_nothing_else_changes() -> None:
    names = list(GALLERY)
    verdicts = {
        name: ("caught", "missed", "error (st run did not finish within 180 s)")[i % 3]
        for i, name in enumerate(names)
    }
    filled = fill(PAGE, verdicts)
    rows = {name: (defect, check, cell) for name, defect, check, cell in ROW.findall(filled)}
    before = {name: (defect, check) for name, defect, check, _ in ROW.findall(PAGE)}
    assert {name: row[:2] for name, row in rows.items()} == before
    shown = {"caught": "caught", "missed": "**missed**"}
    for name, verdict in verdicts.items():
        assert rows[name][2] == shown.get(verdict, "**error**"), name
    assert len(filled.splitlines()) == len(PAGE.splitlines())
    unchanged = [line for line in PAGE.splitlines() if not ROW.match(line)]
    assert unchanged == [line for line in filled.splitlines() if not ROW.match(line)]


def test_servers_not_run_and_other_tables_keep_their_rows() -> None:
    ran = next(iter(GALLERY))
    media = next(iter(MEDIA_GALLERY))  # a row of a table without the st run column
    filled = fill(PAGE, {ran: "missed", media: "missed"})
    changed = [(a, b) for a, b in zip(PAGE.splitlines(), filled.splitlines(), strict=True) if a != b]
    assert len(changed) <= 1 and all(f"`{ran}`" in a for a, _ in changed)
    assert f"| `{ran}` |" in filled and re.search(
        rf"^\| `{ran}` \|.*\| \*\*missed\*\* \|$", filled, re.MULTILINE
    )
