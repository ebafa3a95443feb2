"""`make docs` renders the spec as one static page (Redocly's build-docs), the reference server serves it at
a path outside the spec's, and a real browser (Debian's headless Chromium) shows every operation and
every schema of the loaded spec on it, without the network (the Redoc bundle is inlined)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from contract_tests.api.document import REPO_ROOT, SPEC_PATH
from contract_tests.api.model import load_api
from contract_tests.server import create_app
from contract_tests.server.app import REFERENCE_PAGE
from contract_tests.serving import serve_in_thread

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# What the machine's own checks found it needs: no sandbox as root, no GPU, and none of the background
# connections a closed network refuses.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=10000",
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "reference.html"
    done = subprocess.run(
        ["scripts/docs", str(SPEC_PATH), str(out)], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_the_server_serves_the_page_outside_the_specs_paths(page: Path) -> None:
    api = load_api(SPEC_PATH)
    assert not any(REFERENCE_PAGE.startswith(api.base_path + op.path.split("{")[0]) for op in api.operations)
    from starlette.testclient import TestClient  # noqa: PLC0415

    with TestClient(create_app(api_key="sk-docs-test-key", docs=page)) as client:
        response = client.get(REFERENCE_PAGE)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    with TestClient(create_app(api_key="sk-docs-test-key", docs=page.parent / "none.html")) as client:
        missing = client.get(REFERENCE_PAGE)
        assert missing.status_code == 404 and "make docs" in missing.json()["error"]["message"]


def test_a_browser_shows_every_operation_and_schema(page: Path, tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it)")
    api = load_api(SPEC_PATH)
    with serve_in_thread(create_app(api_key="sk-docs-test-key", docs=page)) as base_url:
        done = subprocess.run(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={tmp_path / 'profile'}",
                "--dump-dom",
                base_url + REFERENCE_PAGE,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    dom = done.stdout
    assert done.returncode == 0 and "<html" in dom, done.stderr[-2000:]
    for op in api.operations:
        node = api.document["paths"][op.path][op.method.lower()]
        assert node.get("summary", op.operation_id) in dom, f"{op.label} is not on the page"
    for name in (api.document.get("components") or {}).get("schemas", {}):
        assert name in dom, f"the schema {name} is not on the page"
