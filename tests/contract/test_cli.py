"""The command line: exit codes, one-line errors for servers that cannot be tested, keys never printed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from starlette.types import ASGIApp

from contract_tests.api.document import SPEC_PATH, SpecError, load_spec
from contract_tests.api.model import load_api
from contract_tests.gallery import GALLERY
from contract_tests.gallery.rewrite import Reply, Request, Rewrite
from contract_tests.masking import near_misses
from contract_tests.rules.exchange import _EXCERPT
from contract_tests.server import create_app
from contract_tests.serving import serve_in_thread
from contract_tests.suite import runner
from contract_tests.suite.cli import EXIT_ERROR, EXIT_FAIL, EXIT_PASS, main
from contract_tests.suite.reference import PortTaken, ReferenceServer, ReferenceServerError
from tests import spec_facts as facts
from tests.contract.conftest import API_KEY, EXAMPLES


@pytest.fixture
def key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_KEY", API_KEY)
    for name in ("BASE_URL", "REPORT", "SEED", "EXAMPLES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A socket that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def garbage_server() -> Iterator[str]:
    """A socket that answers every connection with bytes that are not HTTP."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                connection, _ = sock.accept()
            except OSError:
                continue
            with connection:
                connection.sendall(b"this is not HTTP\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join()
    sock.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and API_KEY not in err
    return err


@pytest.mark.usefixtures("key_in_env")
def test_unreachable_server_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--base-url", f"http://127.0.0.1:{_closed_port()}"]) == EXIT_ERROR
    assert "cannot reach" in _one_line_error(capsys)


@pytest.mark.usefixtures("key_in_env")
def test_server_that_never_answers_is_a_one_line_error(
    silent_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base-url", silent_server, "--timeout", "0.5"]) == EXIT_ERROR
    assert "did not answer within 0.5s" in _one_line_error(capsys)


@pytest.mark.usefixtures("key_in_env")
def test_server_that_does_not_speak_http_is_a_one_line_error(
    garbage_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base-url", garbage_server]) == EXIT_ERROR
    assert garbage_server in _one_line_error(capsys)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--base-url", "localhost:8000"], "BASE_URL must be an http(s) URL"),
        (["--base-url", "http://127.0.0.1:9", "--seed", "abc"], "--seed must be"),
        (["--base-url", "http://127.0.0.1:9", "--examples", "0"], "--examples must be"),
    ],
)
@pytest.mark.usefixtures("key_in_env")
def test_bad_input_is_a_one_line_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_ERROR
    assert message in _one_line_error(capsys)


def test_base_url_without_key_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("API_KEY", raising=False)
    assert main(["--base-url", "http://127.0.0.1:9"]) == EXIT_ERROR
    assert "API_KEY must be set" in _one_line_error(capsys)


@pytest.mark.usefixtures("key_in_env")
def test_conforming_server_passes_and_writes_a_report(
    reference_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "junit.xml"
    code = main(["--base-url", reference_url, "--examples", str(EXAMPLES), "--report", str(report)])
    out = capsys.readouterr().out
    assert code == EXIT_PASS, out
    assert "RESULT: PASS" in out and 'failures="0"' in report.read_text()


@pytest.mark.usefixtures("key_in_env")
def test_failures_name_the_check_and_never_print_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "junit.xml"
    # This server puts the caller's key in a response header: the suite must report it without repeating it.
    with serve_in_thread(GALLERY["echoes_api_key"].build(create_app, API_KEY)) as base_url:
        code = main(["--base-url", base_url, "--examples", str(EXAMPLES), "--report", str(report)])
    out, err = capsys.readouterr()
    assert code == EXIT_FAIL
    assert "FAILED api_key_not_echoed" in out and "RESULT: FAIL" in out
    assert '"Authorization: Bearer $API_KEY"' in out  # the reproduction reads the key from the environment
    xml = report.read_text()
    assert 'name="api_key_not_echoed"' in xml and "<failure" in xml
    for text in (out, err, xml):
        assert API_KEY not in text


@pytest.mark.usefixtures("key_in_env")
def test_long_bodies_are_reproduced_from_a_file_next_to_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "junit.xml"
    with serve_in_thread(GALLERY["accepts_too_many_items"].build(create_app, API_KEY)) as base_url:
        code = main(["--base-url", base_url, "--examples", str(EXAMPLES), "--report", str(report)])
    out = capsys.readouterr().out
    assert code == EXIT_FAIL
    bodies = list((tmp_path / "contract-bodies").iterdir())
    assert bodies and f"--data-binary @{bodies[0]}" in out
    # The lists over their maxItems (the tools, on this spec) are among the bodies written to files.
    limits = {prop.name: prop.schema["maxItems"] for prop in facts.with_keyword("maxItems")}
    sent = [json.loads(body.read_bytes()) for body in bodies]
    assert any(len(body.get(name, [])) == limit + 1 for body in sent for name, limit in limits.items())


@pytest.mark.usefixtures("key_in_env")
def test_a_run_without_a_report_makes_a_bodies_folder_only_for_bodies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Short bodies are reproduced inline: no folder is made, so none is left where a process ends without
    its exit handlers (a test worker); long ones get a private folder, named in the summary."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # The seed's operation alone: an operation reached after it (a retrieve of what it made) is reproduced
    # with the create's body first, which may be long.
    seed = ["--operation", facts.seed().operation_id]
    with serve_in_thread(GALLERY["echoes_api_key"].build(create_app, API_KEY)) as base_url:
        assert main(["--base-url", base_url, "--examples", str(EXAMPLES), *seed]) == EXIT_FAIL
    assert not list(tmp_path.glob("contract-bodies-*")), "a folder was made with no body to keep"
    assert "removed when this command exits" not in capsys.readouterr().out
    with serve_in_thread(GALLERY["accepts_too_many_items"].build(create_app, API_KEY)) as base_url:
        assert main(["--base-url", base_url, "--examples", str(EXAMPLES)]) == EXIT_FAIL
    made = list(tmp_path.glob("contract-bodies-*"))
    assert len(made) == 1 and any(made[0].iterdir()) and made[0].stat().st_mode & 0o077 == 0
    assert f"are in {made[0]}, removed when this command exits" in capsys.readouterr().out


LEAKY_KEY = "Zq7v-leaky-9f31c0d2e4b5a6f7"  # its first 4 characters appear nowhere else in the output


def _leak_targets() -> tuple[str, str, str]:
    """Response fields to put the key in: a string the request sets, a number, and a second string."""
    request = {prop.name for prop in facts.request_properties()}
    fields = facts.properties(facts.response_pointer())
    strings = [f.name for f in fields if f.name in request and f.schema.get("type") == "string"]
    numbers = [f.name for f in fields if f.schema.get("type") in ("integer", "number")]
    others = [f.name for f in fields if f.name not in (strings[:1] + numbers[:1])]
    return strings[0], numbers[0], others[0]


def _leaky_server(api_key: str) -> ASGIApp:
    """Echoes the caller's key so that it crosses each point where the suite cuts a text short."""

    def leak(request: Request, reply: Reply) -> Reply:
        token = request.headers.get("authorization", "").partition(" ")[2]
        if reply.status >= 400:
            start = '{"error": {"message": "'
            message = "p" * (_EXCERPT - 5 - len(start)) + token  # the key crosses the body excerpt's cut
            error = {"message": message, "type": "invalid_request_error", "param": None, "code": None}
            reply.body = json.dumps({"error": error}).encode()
        elif 200 <= reply.status < 300:
            body = json.loads(reply.body)
            reflected, number, nullable = _leak_targets()
            body[reflected] = "n" * 54 + token  # crosses the cut of a reflected value (60)
            body[number] = "c" * 194 + token  # crosses the cut of a schema error (200)
            body[nullable] = 7 * ["d" * 40 + token]  # crosses schemathesis's message cut (300)
            reply.body = json.dumps(body).encode()
        return reply

    return Rewrite(create_app(api_key=api_key), reply=leak)


@pytest.mark.usefixtures("key_in_env")
def test_a_key_crossing_a_cut_point_leaves_no_prefix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("API_KEY", LEAKY_KEY)
    report = tmp_path / "junit.xml"
    with serve_in_thread(_leaky_server(LEAKY_KEY)) as base_url:
        code = main(["--base-url", base_url, "--examples", "2", "--report", str(report)])
    out, err = capsys.readouterr()
    assert code == EXIT_FAIL
    assert "FAILED response_reflects_request" in out and "FAILED api_key_not_echoed" in out
    for text in (out, err, report.read_text()):
        assert LEAKY_KEY[:4] not in text


@pytest.mark.usefixtures("key_in_env")
def test_a_wrong_key_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, reference_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("API_KEY", "sk-not-the-servers-key-4821")
    assert main(["--base-url", reference_url]) == EXIT_ERROR
    err = _one_line_error(capsys)
    assert "error: the server refused API_KEY (401)" in err and "4821" not in err


def _edited_spec(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> str:
    document = load_spec(SPEC_PATH)
    edit(document)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return str(path)


def test_an_invalid_request_example_of_a_users_spec_is_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user's spec is judged as it is: an example its own schema refuses is not sent (nor built on), and
    the summary says so; only the project's own spec is refused for it (`make generate`)."""
    media = facts.request_pointer_in_document(facts.seed())
    name = next(iter(facts.seed().examples), None)
    assert name is not None, "the spec has no request example to break"
    required = facts.required()[0]
    spec = _edited_spec(
        tmp_path, lambda document: facts.at(document, media)["examples"][name]["value"].pop(required)
    )
    assert main(["--spec", spec, "--examples", "5"]) == EXIT_PASS
    out = capsys.readouterr().out
    assert f"request example {name!r} is invalid against its own schema: not used" in out


def _flaw_the_others(tmp_path: Path, spec: str, schema: dict[str, Any]) -> tuple[str, list[str]]:
    """The spec at `spec` with the same flaw in every operation its own leaves testable (a grown spec's
    retrieve or delete): a query parameter whose schema is `schema`. A new spec (the model of the first is
    cached by path), and the pointers of the parameters' schemas."""
    try:
        testable = load_api(spec).testable.operations
    except SpecError:  # every operation reaches the flaw already
        return spec, []
    document = load_spec(spec)
    pointers = []
    for operation in testable:
        node = facts.target(document, operation.pointer)
        node.setdefault("parameters", []).append({"name": "x_flawed", "in": "query", "schema": schema})
        pointers.append(f"{operation.pointer}/parameters/{len(node['parameters']) - 1}/schema")
    path = tmp_path / "every-operation-flawed.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return str(path), pointers


def _error_media(document: dict[str, Any]) -> dict[str, Any]:
    """The media type object of the seed operation's first documented error response."""
    op = facts.seed()
    status = next(code for code in sorted(r.status for r in op.op.responses) if code.startswith("4"))
    response = facts.at(document, f"{op.pointer}/responses/{status}")
    while "$ref" in response:
        response = facts.at(document, response["$ref"][1:])
    found: dict[str, Any] = next(iter(response["content"].values()))
    return found


DANGLING = {"$ref": "#/components/schemas/x-contract-no-such-schema"}


def _dangling_ref(document: dict[str, Any]) -> None:
    _error_media(document)["schema"] = dict(DANGLING)


def _inline_success_schema(document: dict[str, Any]) -> None:
    op = facts.seed()
    success = facts.at(document, f"{op.pointer}/responses/{op.success_status}")
    media = next(iter(success["content"].values()))
    assert "$ref" in media["schema"], "the success schema is inline already"
    media["schema"] = facts.deep(facts.at(document, media["schema"]["$ref"][1:]))


@pytest.mark.usefixtures("key_in_env")
def test_a_dangling_ref_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Every operation reaches a flaw (the seed's through its error, any other through a parameter): nothing
    # is left to test, and the line names the flaw's place.
    spec, _ = _flaw_the_others(tmp_path, _edited_spec(tmp_path, _dangling_ref), DANGLING)
    assert main(["--base-url", "http://127.0.0.1:9", "--spec", spec]) == EXIT_ERROR
    said = _one_line_error(capsys)
    assert "no operation can be tested" in said and "/$ref: the $ref" in said, said
    assert '"#/components/schemas/x-contract-no-such-schema" points to nothing' in said, said


@pytest.mark.usefixtures("key_in_env")
def test_an_inline_response_schema_is_supported(
    reference_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _edited_spec(tmp_path, _inline_success_schema)
    code = main(["--base-url", reference_url, "--spec", spec, "--examples", "2"])
    assert code == EXIT_PASS, capsys.readouterr().out


@pytest.mark.usefixtures("key_in_env")
def test_a_bad_number_in_the_environment_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXAMPLES", "abc")
    assert main(["--base-url", "http://127.0.0.1:9"]) == EXIT_ERROR
    assert "EXAMPLES must be a number, got 'abc'" in _one_line_error(capsys)


@pytest.mark.usefixtures("key_in_env")
def test_near_miss_keys_are_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "junit.xml"
    with serve_in_thread(GALLERY["key_case_insensitive"].build(create_app, API_KEY)) as base_url:
        code = main(["--base-url", base_url, "--examples", "2", "--report", str(report)])
    out, err = capsys.readouterr()
    assert code == EXIT_FAIL and "the API key in swapped case" in out
    for text in (out, err, report.read_text()):
        assert not any(key in text for key in (API_KEY, *near_misses(API_KEY).values()))


@pytest.mark.usefixtures("key_in_env")
def test_a_case_still_rate_limited_is_not_judged(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(runner, "BACKOFF_FACTOR", 0)

    def limit_long_names(request: Request) -> Request | Reply:
        # A request with a string at maxLength (non-ASCII, escaped) is refused for its rate, retries included.
        if b'"A\\u00e9' in request.body:
            error = {"message": "Slow down.", "type": "requests", "param": None, "code": None}
            return Reply(429, {"content-type": "application/json"}, json.dumps({"error": error}).encode())
        return request

    with serve_in_thread(Rewrite(create_app(api_key=API_KEY), request=limit_long_names)) as base_url:
        code = main(["--base-url", base_url, "--examples", "2"])
    out = capsys.readouterr().out
    assert code == EXIT_PASS, out
    assert "cases not judged (rate limited" in out


@pytest.mark.usefixtures("key_in_env")
def test_the_reference_server_serves_the_spec_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prop = facts.first_with("maxLength", kind="string")

    def shorter_names(document: dict[str, Any]) -> None:
        facts.target(document, prop.pointer)["maxLength"] = 20

    monkeypatch.delenv("API_KEY")
    spec = _edited_spec(tmp_path, shorter_names)
    # Served the default spec instead, the server would accept the 21-character name the suite sends.
    assert main(["--spec", spec, "--examples", "2"]) == EXIT_PASS, capsys.readouterr().out


def test_a_reference_server_that_exits_shows_its_last_words(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import sys; sys.stderr.write('first\\nboom\\n'); sys.exit(3)"]
    with (tmp_path / "stderr").open("w+b") as stderr:
        process = subprocess.Popen(command, stderr=stderr)
        process.wait()
        server = ReferenceServer("http://127.0.0.1:9", process, stderr)
        with pytest.raises(ReferenceServerError, match=r"exited with status 3: first \| boom$"):
            server.wait_until_up()


def test_a_taken_port_is_told_apart(tmp_path: Path) -> None:
    words = "error: cannot serve on 127.0.0.1:1: Address already in use"
    with (tmp_path / "stderr").open("w+b") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", f"import sys; sys.stderr.write({words!r}); sys.exit(2)"], stderr=stderr
        )
        process.wait()
        with pytest.raises(PortTaken):
            ReferenceServer("http://127.0.0.1:9", process, stderr).wait_until_up()


@pytest.mark.usefixtures("key_in_env")
def test_a_pinned_model_lets_a_server_that_knows_one_model_pass(capsys: pytest.CaptureFixture[str]) -> None:
    def one_model(request: Request) -> Request | Reply:
        # After the key, as a server looks a model up for a caller it knows.
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return request
        try:
            model = json.loads(request.body).get("model")
        except (ValueError, AttributeError):
            return request
        if isinstance(model, str) and model != "house-model-1":
            error = {
                "message": "No such model.",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
            return Reply(400, {"content-type": "application/json"}, json.dumps({"error": error}).encode())
        return request

    with serve_in_thread(Rewrite(create_app(api_key=API_KEY), request=one_model)) as base_url:
        assert main(["--base-url", base_url, "--examples", "5"]) == EXIT_FAIL
        capsys.readouterr()
        code = main(["--base-url", base_url, "--examples", "5", "--model", "house-model-1"])
    assert code == EXIT_PASS, capsys.readouterr().out


@pytest.mark.usefixtures("key_in_env")
def test_a_server_that_rate_limits_everything_cannot_be_judged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server answering 429 to all but its first request would otherwise pass every check it leaves
    without a case: it is "cannot be tested" (exit 2), in one line and in the JUnit report."""
    monkeypatch.setattr(runner, "BACKOFF_FACTOR", 0)
    answered = [0]

    def limit_all_but_the_first(request: Request) -> Request | Reply:
        answered[0] += 1
        if answered[0] == 1:
            return request
        error = {"message": "Slow down.", "type": "requests", "param": None, "code": None}
        return Reply(429, {"content-type": "application/json"}, json.dumps({"error": error}).encode())

    report = tmp_path / "junit.xml"
    with serve_in_thread(Rewrite(create_app(api_key=API_KEY), request=limit_all_but_the_first)) as base_url:
        code = main(["--base-url", base_url, "--examples", "2", "--report", str(report)])
    out, err = capsys.readouterr()
    assert code == EXIT_ERROR, out
    assert (
        "RESULT: NOT JUDGED" in out
        and err.startswith("error: the server rate-limited")
        and err.count("\n") == 1
    )
    assert "<error" in report.read_text(encoding="utf-8")


@pytest.mark.usefixtures("key_in_env")
def test_a_server_that_hangs_from_its_second_request_ends_the_run_early(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Three timeouts in a row end the run, during the probes too: a failure, not a wait for each probe."""
    from contract_tests.gallery.faults import FaultyFront  # noqa: PLC0415

    seen = [0]

    def hang_after_first(head: bytes, body: bytes) -> Literal["forward", "hang"]:
        seen[0] += 1
        return "forward" if seen[0] == 1 else "hang"

    with serve_in_thread(FaultyFront(create_app(api_key=API_KEY), hang_after_first)) as base_url:
        code = main(["--base-url", base_url, "--examples", "2", "--timeout", "0.5"])
    out = capsys.readouterr().out
    assert code == EXIT_FAIL, out
    assert "the server stopped answering: 3 requests in a row" in out
    assert seen[0] <= 5


PRINTING_APP = """
from contract_tests.gallery.rewrite import Rewrite
from contract_tests.server import create_app


def log_key(request):
    print("rejected?", request.headers.get("authorization"))  # a careless app's own log line
    return request


app = Rewrite(create_app(api_key={key!r}), request=log_key)
"""


@pytest.mark.usefixtures("key_in_env")
def test_an_app_in_process_cannot_print_the_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The near-miss keys hold the whole key (one is the key with a character appended): what an app
    checked in process prints goes through the suite's mask too."""
    (tmp_path / "printing_app.py").write_text(PRINTING_APP.format(key=API_KEY), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["--app", "printing_app:app", "--examples", "2"])
    out, err = capsys.readouterr()
    assert code == EXIT_PASS, out
    assert "rejected? Bearer ***" in out
    for text in (out, err):
        assert API_KEY not in text


@pytest.mark.parametrize(
    "key",
    ["sk-good\n", "sk-with space-123", "sk-quote'd-12345", "sk-1234"],
    ids=["newline", "space", "quote", "short"],
)
def test_a_key_that_cannot_be_masked_or_sent_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    monkeypatch.setenv("API_KEY", key)
    assert main(["--base-url", "http://127.0.0.1:9"]) == EXIT_ERROR
    err = _one_line_error(capsys)
    assert "API_KEY" in err and key.strip() not in err.replace("API_KEY", "")


@pytest.mark.usefixtures("key_in_env")
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--timeout", "nan"], "--timeout must be positive"),
        (["--timeout", "inf"], "--timeout must be positive"),
        (["--base-url", "http://[::1"], "BASE_URL must be an http(s) URL"),
        (["--app", "json:dumps"], "is not an ASGI app"),
        (["--app", "x_contract_no_such_module:app"], "cannot import"),
    ],
)
def test_more_bad_input_is_a_one_line_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_ERROR
    assert message in _one_line_error(capsys)


@pytest.mark.usefixtures("key_in_env")
def test_a_spec_that_is_not_valid_openapi_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A flaw is refused in one line where it leaves no operation testable (one confined to some leaves the
    others judged): a keyword of the wrong type in a request field, and in every operation it does not
    reach (a spec grown by a retrieve), a parameter whose schema has the same flaw."""
    prop = facts.first_with("maxLength", kind="string")
    spec = _edited_spec(
        tmp_path, lambda document: facts.target(document, prop.pointer).update(maxLength="256")
    )
    spec, others = _flaw_the_others(tmp_path, spec, {"type": "string", "maxLength": "256"})
    flawed = [prop.pointer, *others]
    assert main(["--base-url", "http://127.0.0.1:9", "--spec", spec]) == EXIT_ERROR
    said = _one_line_error(capsys)
    named = any(f"{where}/maxLength" in said for where in flawed)
    assert "not a valid JSON Schema keyword value" in said and named, said


def test_a_run_leaves_nothing_behind_but_its_report(tmp_path: Path) -> None:
    """A failing run writes the bodies its reproductions send into a temporary folder it removes when it
    exits, or next to the report it was asked for; nothing in the working directory, nothing in $TMPDIR."""
    temporary, work = tmp_path / "tmp", tmp_path / "work"
    temporary.mkdir()
    work.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary), "API_KEY": API_KEY}
    with serve_in_thread(GALLERY["accepts_long_strings"].build(create_app, API_KEY)) as base_url:
        command = [sys.executable, "-m", "contract_tests", "--base-url", base_url, "--examples", "2"]
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == EXIT_FAIL, done.stdout[-2000:] + done.stderr[-2000:]
        assert "--data-binary @" in done.stdout, "no body was long enough to be written to a file"
        assert not list(temporary.iterdir()) and not list(work.iterdir())
        report = work / "reports" / "contract.xml"
        done = subprocess.run(
            [*command, "--report", str(report)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == EXIT_FAIL
    assert not list(temporary.iterdir())
    assert sorted(path.name for path in work.iterdir()) == ["reports"]
    assert {path.name for path in report.parent.iterdir()} == {"contract.xml", "contract-bodies"}
    for body in (report.parent / "contract-bodies").iterdir():
        assert API_KEY.encode() not in body.read_bytes()


@pytest.mark.parametrize("key", ["API", "a", "sk-1"])
def test_a_key_too_short_to_mask_is_refused_in_words_left_whole(
    key: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The message about a short key is not masked with that key (it is used nowhere)."""
    monkeypatch.setenv("API_KEY", key)
    assert main(["--base-url", "http://127.0.0.1:9"]) == EXIT_ERROR
    assert (
        "error: API_KEY is shorter than 8 characters: too short to mask in the output"
        in capsys.readouterr().err
    )


def test_help_names_the_key_the_exit_codes_and_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    for needed in ("API_KEY", "exit status:", "  0  ", "  1  ", "  2  ", "--base-url", "--app", "--header"):
        assert needed in shown, needed
    assert shown.rstrip().endswith("Docs: README.md and docs/ of the project.")


@pytest.mark.parametrize(
    ("argv", "by_make"),
    [
        (["--base-url", "http://127.0.0.1:9"], True),
        (["--base-url", "http://127.0.0.1:9", "--spec", "other.yaml"], False),
        (["--app", "service.main:app"], False),
        (["--base-url", "http://127.0.0.1:9", "--model", "gpt-4"], False),
    ],
)
def test_the_rerun_offers_make_contract_only_where_it_sends_the_same(argv: list[str], by_make: bool) -> None:
    """`make contract` takes the seed, the examples and BASE_URL alone: offered for a run of another spec,
    it would judge the server by the project's own spec and pass."""
    from contract_tests.suite.cli import _rerun, parse_args  # noqa: PLC0415

    args = parse_args(argv)
    rerun = _rerun(args, 7)
    assert rerun.split("  (")[0].endswith(" ".join(argv[2:]) if len(argv) > 2 else argv[-1]), rerun
    assert ("make contract" in rerun) is by_make, rerun
