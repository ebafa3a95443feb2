"""Traffic under a prefix: a client whose base URL has a path (`/api/v1`, a gateway's mount) through the
proxy, to a server mounted there, is judged as at the root: its path parameters are read (no finding on
the client's side of a conforming SDK's calls), and a broken server so mounted is blamed on the server's
side. The upstream's own path (`--upstream http://host/api`) is a prefix the proxy adds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contract_tests.api.model import load_api
from contract_tests.commands import version_prefix
from contract_tests.gallery import GALLERY
from contract_tests.gallery.mounted import Mounted
from contract_tests.masking import Masker
from contract_tests.proxy.app import ValidatingProxy
from contract_tests.rules.report import CLIENT, SERVER, TrafficReport
from contract_tests.rules.traffic import TrafficJudge
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread

KEY = "sk-test-prefixed-3e9a1f"
CLIENT_SCRIPT = Path(__file__).resolve().parent / "openai_python_client.py"


def _run_client(base_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": KEY, "WHOLE_RESOURCE": "1"}
    return subprocess.run(
        [sys.executable, str(CLIENT_SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _rules(report: TrafficReport, side: str) -> set[str]:
    return {rule for (owner, _, rule) in report.tallies if owner == side}


@pytest.mark.parametrize("where", ["the client's base URL", "the proxy's --upstream"])
def test_a_conforming_sdk_through_the_proxy_to_a_server_under_a_prefix(
    resource_spec: Path, where: str
) -> None:
    api = load_api(resource_spec)
    server = Mounted(create_app(api_key=KEY, spec_path=resource_spec))
    report = TrafficReport(Masker(KEY), "proxy")
    judge = TrafficJudge(api, KEY, Masker(KEY), report, Path("/tmp"))
    with serve_in_thread(server) as mounted:
        root = mounted.removesuffix(server.mount_path)
        upstream, client_path = (
            (root, server.mount_path) if where == "the client's base URL" else (mounted, "")
        )
        with serve_in_thread(ValidatingProxy(upstream, judge)) as url:
            done = _run_client(url + client_path + version_prefix(api))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert report.requests >= 6, report.summary()  # create, retrieve, update, list, delete, retrieve
    assert report.passed, report.summary()


def test_a_broken_server_under_a_prefix_is_blamed_on_the_server(resource_spec: Path) -> None:
    api = load_api(resource_spec)
    server = GALLERY["update_refused_under_a_prefix"].build(create_app, KEY, resource_spec)
    report = TrafficReport(Masker(KEY), "proxy")
    judge = TrafficJudge(api, KEY, Masker(KEY), report, Path("/tmp"))
    with serve_in_thread(server) as mounted, serve_in_thread(ValidatingProxy(mounted, judge)) as url:
        done = _run_client(url + version_prefix(api))
    assert done.returncode != 0, "the SDK met no refusal"  # its update is refused: it raises
    assert not _rules(report, CLIENT), report.summary()
    assert "valid_request_accepted" in _rules(report, SERVER), report.summary()
