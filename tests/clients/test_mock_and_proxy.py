"""Clients judged by the mock and through the proxy: each broken client of the gallery is reported on the
client's side with its rule (and the command exits 1); the conforming clients (the generated client, the
official openai SDKs for Python and Node) break no rule; a broken server behind the proxy is blamed on
the server's side, never the client's, and a broken client never on the server's."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from contract_tests.api.document import REPO_ROOT, SPEC_PATH
from contract_tests.api.model import load_api
from contract_tests.gallery import GALLERY
from contract_tests.gallery.clients import CLIENTS, Target
from contract_tests.masking import Masker
from contract_tests.mock.app import JudgingMock
from contract_tests.mock.faults import FaultPlan
from contract_tests.proxy.app import ValidatingProxy
from contract_tests.proxy.upstream import Upstream
from contract_tests.rules.exchange import Sent
from contract_tests.rules.report import CLIENT, SERVER, TrafficReport
from contract_tests.rules.requests import credentials_violation
from contract_tests.rules.traffic import TrafficJudge
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from tests import spec_facts as facts

KEY = "sk-test-clients-2b7e9d"
HERE = Path(__file__).resolve().parent


@contextmanager
def mock(spec: Path = SPEC_PATH) -> Iterator[tuple[str, TrafficReport]]:
    api = load_api(spec)
    report = TrafficReport(Masker(KEY), "mock")
    judge = TrafficJudge(api, KEY, Masker(KEY), report, Path("/tmp"))
    app = JudgingMock(create_app(api_key=KEY, spec_path=spec), api, judge, FaultPlan([]))
    with serve_in_thread(app) as url:
        yield url, report


@contextmanager
def proxy(upstream: str, spec: Path = SPEC_PATH) -> Iterator[tuple[str, TrafficReport]]:
    api = load_api(spec)
    report = TrafficReport(Masker(KEY), "proxy")
    judge = TrafficJudge(api, KEY, Masker(KEY), report, Path("/tmp"))
    with serve_in_thread(ValidatingProxy(upstream, judge)) as url:
        yield url, report


def _create_path() -> str:
    return load_api(SPEC_PATH).base_path + facts.seed().path


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}", **facts.seed().required_headers()}


def _example() -> Any:
    return max(facts.seed().examples.values(), key=len)


def _rules(report: TrafficReport, side: str) -> set[str]:
    return {rule for (owner, _, rule) in report.tallies if owner == side}


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_each_broken_client_is_reported_by_the_mock_and_through_the_proxy(name: str) -> None:
    client = CLIENTS[name]
    with mock() as (url, report):
        client.run(Target(url, KEY, load_api(SPEC_PATH)))
        assert client.rule in _rules(report, CLIENT), report.summary()
        assert not _rules(report, SERVER)
        with proxy(url) as (through, proxied):  # the mock as the upstream: it answers asked faults
            client.run(Target(through, KEY, load_api(SPEC_PATH)))
    assert client.rule in _rules(proxied, CLIENT), proxied.summary()
    assert not _rules(proxied, SERVER), (
        f"the proxy blamed the server for a client's fault: {proxied.summary()}"
    )


def _command(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contract_tests", *argv],
        cwd=REPO_ROOT,
        env={**os.environ, "API_KEY": KEY, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_a_broken_client_fails_the_mock_command_naming_its_rule(name: str, tmp_path: Path) -> None:
    report = tmp_path / "client.xml"
    child = [sys.executable, "-m", "contract_tests.gallery.clients", name]
    done = _command("mock", "--report", str(report), "--", *child)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"BROKEN by the client: {CLIENTS[name].rule}" in done.stdout
    assert KEY not in done.stdout + done.stderr + report.read_text(encoding="utf-8")
    assert f'name="{CLIENTS[name].rule}"' in report.read_text(encoding="utf-8")


def test_a_broken_client_fails_the_proxy_command(tmp_path: Path) -> None:
    with mock() as (upstream, _):
        child = [sys.executable, "-m", "contract_tests.gallery.clients", "string_over_its_limit"]
        done = _command("proxy", "--upstream", upstream, "--", *child)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "BROKEN by the client: body_valid" in done.stdout and "the server 0 times" in done.stdout


CONFORMING = {
    "the generated client": [sys.executable, str(HERE / "generated_client.py")],
    "openai-python 1.20.0": [sys.executable, str(HERE / "openai_python_client.py")],
    "the openai Node SDK 4.36.0": ["node", str(HERE / "openai_node_client.mjs")],
}


# The generated client is the project's spec's (the create only): it runs on that spec alone.
RUNS = [
    (name, kind)
    for name in sorted(CONFORMING)
    for kind in ("the project's spec", "the spec grown into a resource")
]
RUNS.remove(("the generated client", "the spec grown into a resource"))


@pytest.mark.parametrize(("name", "spec_kind"), RUNS)
def test_conforming_clients_break_no_rule(name: str, spec_kind: str, resource_spec: Path) -> None:
    if CONFORMING[name][0] == "node" and (
        shutil.which("node") is None or not (REPO_ROOT / "node_modules" / "openai").is_dir()
    ):
        pytest.skip("node or the openai Node SDK is not installed: run scripts/bootstrap")
    spec = SPEC_PATH if spec_kind == "the project's spec" else resource_spec
    whole = {"WHOLE_RESOURCE": "1" if spec != SPEC_PATH else "0"}
    done = _command("mock", "--spec", str(spec), "--", *CONFORMING[name], env=whole)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "RESULT: PASS, no rule of the contract broken" in done.stdout
    with mock(spec) as (upstream, _):
        done = _command(
            "proxy", "--upstream", upstream, "--spec", str(spec), "--", *CONFORMING[name], env=whole
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "RESULT: PASS, no rule of the contract broken" in done.stdout


@pytest.mark.parametrize(
    "server", ["strings_truncated", "missing_response_field", "delete_keeps", "wrong_field_type"]
)
def test_a_broken_server_behind_the_proxy_is_blamed_on_the_server(server: str, resource_spec: Path) -> None:
    spec = resource_spec
    broken = GALLERY[server].build(create_app, KEY, spec)
    with serve_in_thread(broken) as upstream:
        done = _command(
            "proxy",
            "--upstream",
            upstream,
            "--spec",
            str(spec),
            "--",
            sys.executable,
            str(HERE / "openai_python_client.py"),
            env={"WHOLE_RESOURCE": "1"},
        )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "the client broke the contract 0 times" in done.stdout, done.stdout[-3000:]
    assert "BROKEN by the server:" in done.stdout


def test_an_unreachable_upstream_is_a_502_blamed_on_the_server() -> None:
    with serve_in_thread(create_app(api_key=KEY)) as closed:
        pass  # served and stopped: nothing listens there any more
    with proxy(closed) as (url, report):
        answer = httpx.post(f"{url}{_create_path()}", json=_example(), headers=_headers(), timeout=30)
    assert answer.status_code == 502
    assert "the upstream server did not answer" in answer.json()["error"]["message"]
    assert _rules(report, SERVER) == {"server_answers_every_request"}
    assert not _rules(report, CLIENT)


def test_the_proxy_keeps_its_upstream_connections_open() -> None:
    """Requests one after another reuse one upstream connection (a new one each would cost a handshake
    and, on a busy proxy, run the machine out of ports)."""
    peers: set[tuple[str, int]] = set()
    app = create_app(api_key=KEY)

    async def watched(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            peers.add(tuple(scope["client"]))
        await app(scope, receive, send)

    with (
        serve_in_thread(watched) as upstream,
        proxy(upstream) as (url, report),
        httpx.Client(base_url=url, headers=_headers(), timeout=30) as client,
    ):
        answers = [client.post(_create_path(), json=_example()) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [answers[0].status_code] * 5
    assert 200 <= answers[0].status_code < 300
    assert len(peers) == 1, f"{len(peers)} upstream connections for 5 requests in turn"
    assert report.passed, report.summary()


def test_a_connection_the_upstream_closed_while_idle_is_not_reused() -> None:
    """An upstream that closes idle connections sooner than the proxy would (keep-alive of 1 s here): the
    next request goes on a new connection, answered, not a 502 blamed on the server."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(api_key=KEY), timeout_keep_alive=1, log_level="critical")
    upstream = uvicorn.Server(config)
    thread = threading.Thread(target=upstream.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not upstream.started:
        time.sleep(0.02)
    try:
        with proxy(f"http://127.0.0.1:{sock.getsockname()[1]}") as (url, report):
            statuses = []
            for _ in range(2):
                answer = httpx.post(f"{url}{_create_path()}", json=_example(), headers=_headers(), timeout=30)
                statuses.append(answer.status_code)
                time.sleep(1.5)  # the upstream closes the idle connection meanwhile
    finally:
        upstream.should_exit = True
        thread.join(10)
    assert statuses == [facts.seed().success_status] * 2, statuses
    assert report.passed, report.summary()


@pytest.mark.parametrize("path", ["/v1/caf%C3%A9/x%20y", "/v1/a%2Fb?q=%C3%A9&r=1%202"])
def test_the_proxy_forwards_the_path_as_the_client_wrote_it(path: str) -> None:
    """Percent-encoded, as sent: not decoded (a space or a non-ASCII character in a request target is no
    request at all), nor re-encoded another way; Host names the upstream."""
    seen: dict[str, Any] = {}

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        query = scope["query_string"]
        seen["target"] = scope["raw_path"] + (b"?" + query if query else b"")
        seen["host"] = dict(scope["headers"])[b"host"]
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with serve_in_thread(recording) as upstream, proxy(upstream + "/") as (url, _):
        answer = httpx.get(f"{url}{path}", headers=_headers(), timeout=30)
    assert answer.status_code == 404, answer.text
    assert seen["target"] == path.encode()
    assert seen["host"] == upstream.removeprefix("http://").encode()


def test_an_upstream_with_a_path_and_an_ipv6_host_is_addressed_as_named() -> None:
    upstream = Upstream("http://[::1]:8080/staging/")
    assert upstream.host == b"[::1]:8080"
    assert upstream.prefix == b"/staging"


@pytest.mark.parametrize(
    "given", ["http://127.0.0.1:99999", "http://127.0.0.1:port", "http://:8080", "ftp://x"]
)
def test_an_unusable_upstream_is_one_line(given: str) -> None:
    done = _command("proxy", "--upstream", given, env={"API_KEY": KEY})
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().count("\n") == 0 and done.stderr.startswith("error: --upstream"), done.stderr


def test_a_new_call_after_the_tries_that_met_an_asked_429_is_no_early_retry() -> None:
    """A client asked for a 429 (`X-Contract-Fault`), gave up on it, then made a new call without the
    header: a new call, not a retry that ignored `Retry-After`."""
    with mock() as (url, report):
        asked = {**_headers(), "X-Contract-Fault": "429;retry-after=2"}
        first = httpx.post(f"{url}{_create_path()}", json=_example(), headers=asked, timeout=30)
        after = httpx.post(f"{url}{_create_path()}", json=_example(), headers=_headers(), timeout=30)
    assert (first.status_code, after.status_code) == (429, facts.seed().success_status)
    assert not _rules(report, CLIENT), report.summary()


def test_a_request_whose_answer_was_cut_may_be_sent_again_at_once() -> None:
    """A truncated answer reached the client as a transport error, not as its status: retrying it is right,
    even where the whole answer would have been a 4xx."""
    refused = {**_example(), "x_contract_unknown_field": 1}
    cut = {**_headers(), "X-Contract-Fault": "truncate"}
    with mock() as (url, report), httpx.Client(timeout=30) as client:
        for _ in range(2):
            with pytest.raises(httpx.TransportError):
                client.post(f"{url}{_create_path()}", json=refused, headers=cut)
    assert "client_errors_not_retried" not in _rules(report, CLIENT), report.summary()
    assert _rules(report, CLIENT), "the unknown field was not reported"


@pytest.mark.parametrize("command", ["mock", "proxy"])
def test_sigterm_stops_the_command_with_its_report(command: str, tmp_path: Path) -> None:
    """CI jobs and containers stop a background process with SIGTERM: the report is still written."""
    port, report = _free_port(), tmp_path / "client.xml"
    with serve_in_thread(create_app(api_key=KEY)) as upstream:
        extra = ["--upstream", upstream] if command == "proxy" else []
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "contract_tests",
                command,
                "--port",
                str(port),
                "--report",
                str(report),
                *extra,
            ],
            cwd=REPO_ROOT,
            env={**os.environ, "API_KEY": KEY},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{url}/__contract/report", timeout=5)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the command did not start"
                    time.sleep(0.2)
            httpx.post(f"{url}{_create_path()}", json=_example(), headers={"Authorization": f"Bearer {KEY}"})
            process.terminate()
            out, err = process.communicate(timeout=60)
        finally:
            process.kill()
    assert process.returncode == 1, out + err
    assert "RESULT: FAIL" in out and report.exists(), out + err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("authorization", "said"),
    [
        (KEY, "not in a form the spec declares"),
        ("Bearer sk-another-key-0000", "not the key the server accepts"),
    ],
)
def test_a_refused_key_says_whether_its_form_or_the_key_is_wrong(authorization: str, said: str) -> None:
    api = load_api(SPEC_PATH)
    op = next(op for op in api.operations if op.security.testable)
    sent = Sent(op.method, f"http://127.0.0.1{api.base_path}{op.path}", [("Authorization", authorization)])
    found = credentials_violation(op, sent, KEY)
    assert found is not None and found.message.endswith(said), found
