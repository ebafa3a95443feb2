"""The client `make generate` makes of a spec with uploads and downloads (tests/generator/files_api.yaml)
sends real multipart, form and binary bodies and returns the exact bytes of a download, on the sync and
async paths and across a retry. Each request is read back from the wire by an in-memory server."""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import pkgutil
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tests.generator.conftest import ALIAS, module
from tests.generator.wire import Server, answer_bytes, answer_json, multipart_parts

BASE_URL = "https://api.test/v1"
TOKEN = "sk-test-files-api"
# Every byte value, and the lines a fixed multipart boundary (`+++`) or a careless parser would cut at.
AUDIO = bytes(range(256)) * 4 + b"\r\n--+++\r\n--+++--\r\n\r\n"
FILE_OBJECT = {
    "id": "file-abc123",
    "object": "file",
    "bytes": len(AUDIO),
    "created_at": 1_700_000_000,
    "filename": "speech.mp3",
    "purpose": "assistants",
}


class NoWait:
    """A retry clock that records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def time(self) -> float:
        return 1_700_000_000.0

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def client_package(files_api_client: ModuleType) -> ModuleType:
    return files_api_client


def client_for(package: ModuleType, server: Server, **settings: Any) -> Any:
    retry = module("client").RetryPolicy(clock=NoWait())
    return package.AuthenticatedClient(
        base_url=BASE_URL,
        token=TOKEN,
        retry_policy=retry,
        httpx_args={"transport": server.transport},
        **settings,
    )


def transcription_request(payload: io.BytesIO) -> Any:
    models = module("models")
    return models.CreateTranscriptionRequest(
        file=module("types").File(payload=payload, file_name="speech.mp3", mime_type="audio/mpeg"),
        model="whisper-1",
        prompt=None,
        response_format=models.CreateTranscriptionRequestResponseFormat("verbose_json"),
        temperature=0.2,
        timestamp_granularities=[
            models.CreateTranscriptionRequestTimestampGranularitiesItem("word"),
            models.CreateTranscriptionRequestTimestampGranularitiesItem("segment"),
        ],
        diarize=True,
    )


def fields_of(request: httpx.Request) -> list[tuple[str | None, str | None, str, bytes]]:
    return [(part.name, part.filename, part.content_type, part.content) for part in multipart_parts(request)]


EXPECTED_TRANSCRIPTION_PARTS = [
    ("file", "speech.mp3", "audio/mpeg", AUDIO),
    ("model", None, "text/plain", b"whisper-1"),
    ("response_format", None, "text/plain", b"verbose_json"),
    ("temperature", None, "text/plain", b"0.2"),
    ("timestamp_granularities[]", None, "text/plain", b"word"),
    ("timestamp_granularities[]", None, "text/plain", b"segment"),
    ("diarize", None, "text/plain", b"true"),
]


def test_every_module_of_the_client_imports(client_package: ModuleType) -> None:
    names = [info.name for info in pkgutil.walk_packages(client_package.__path__, f"{ALIAS}.")]
    for name in names:
        importlib.import_module(name)
    expected = {
        f"{ALIAS}.api.files.upload_file",
        f"{ALIAS}.api.files.download_file",
        f"{ALIAS}.api.files.replace_file_content",
        f"{ALIAS}.api.files.label_file",
        f"{ALIAS}.api.files.preview_file",
        f"{ALIAS}.api.files.get_file_metadata",
        f"{ALIAS}.api.audio.create_transcription",
        f"{ALIAS}.api.audio.create_speech",
        f"{ALIAS}.api.vector_stores.create_vector_store",
    }
    assert expected <= set(names), f"operations without a module: {sorted(expected - set(names))}"


def test_a_multipart_upload_sends_the_file_part_and_every_field(client_package: ModuleType) -> None:
    server = Server([answer_json({"text": "Hello."})])
    client = client_for(client_package, server)
    result = module("api.audio.create_transcription").sync(
        client=client, body=transcription_request(io.BytesIO(AUDIO))
    )
    request = server.last
    assert (request.method, request.url.path) == ("POST", "/v1/audio/transcriptions")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    boundary = request.headers["content-type"].partition("boundary=")[2]
    assert boundary and boundary != "+++", f"Content-Type: {request.headers['content-type']}"
    parts = fields_of(request)
    assert parts == EXPECTED_TRANSCRIPTION_PARTS, json.dumps(
        [part.describe() for part in multipart_parts(request)], indent=1
    )
    # `language`, left UNSET, is not sent at all; nor is `prompt`, set to null, which form data cannot say.
    assert result is not None and result.text == "Hello."


def test_a_multipart_upload_with_a_required_enum_part(client_package: ModuleType) -> None:
    server = Server([answer_json(FILE_OBJECT)])
    models = module("models")
    body = models.UploadFileRequest(
        file=module("types").File(payload=io.BytesIO(b'{"prompt": "x"}\n'), file_name="train.jsonl"),
        purpose=models.UploadFileRequestPurpose("assistants"),
    )
    uploaded = module("api.files.upload_file").sync(client=client_for(client_package, server), body=body)
    parts = multipart_parts(server.last)
    assert [(part.name, part.filename, part.content) for part in parts] == [
        ("file", "train.jsonl", b'{"prompt": "x"}\n'),
        ("purpose", None, b"assistants"),
    ]
    assert uploaded.id == FILE_OBJECT["id"] and uploaded.bytes_ == len(AUDIO)


def test_an_async_multipart_upload_sends_the_same_body(client_package: ModuleType) -> None:
    server = Server([answer_json({"text": "Hello."})])

    async def upload() -> Any:
        async with client_for(client_package, server) as client:
            return await module("api.audio.create_transcription").asyncio(
                client=client, body=transcription_request(io.BytesIO(AUDIO))
            )

    result = asyncio.run(upload())
    assert fields_of(server.last) == EXPECTED_TRANSCRIPTION_PARTS
    assert result.text == "Hello."


def test_a_retried_upload_sends_the_whole_file_again(client_package: ModuleType) -> None:
    server = Server(
        [answer_json({"error": {"message": "busy"}}, status=503), answer_json({"text": "Hello."})]
    )
    client = client_for(client_package, server, max_retries=1)
    result = module("api.audio.create_transcription").sync(
        client=client, body=transcription_request(io.BytesIO(AUDIO))
    )
    assert len(server.requests) == 2
    for attempt in server.requests:
        assert fields_of(attempt) == EXPECTED_TRANSCRIPTION_PARTS
    assert result.text == "Hello."


@pytest.mark.parametrize("path", ["sync", "async"])
def test_a_binary_upload_sends_the_bytes_with_its_media_type_on_every_attempt(
    client_package: ModuleType, path: str
) -> None:
    server = Server([answer_json({}, status=500), answer_json(FILE_OBJECT)])
    replace = module("api.files.replace_file_content")
    body = module("types").File(payload=io.BytesIO(AUDIO))

    async def send_async() -> Any:
        async with client_for(client_package, server, max_retries=1) as client:
            return await replace.asyncio("file-abc123", client=client, body=body)

    if path == "sync":
        result = replace.sync(
            "file-abc123", client=client_for(client_package, server, max_retries=1), body=body
        )
    else:
        result = asyncio.run(send_async())
    assert [request.url.path for request in server.requests] == ["/v1/files/file-abc123/content"] * 2
    for attempt in server.requests:
        assert attempt.method == "PUT"
        assert attempt.headers["content-type"] == "application/octet-stream"
        assert attempt.content == AUDIO
    assert result.id == FILE_OBJECT["id"]


def test_a_download_returns_the_exact_bytes(client_package: ModuleType) -> None:
    server = Server([answer_bytes(AUDIO, "application/octet-stream")])
    download = module("api.files.download_file")
    downloaded = download.sync("file-abc123", client=client_for(client_package, server))
    assert isinstance(downloaded, module("types").File)
    assert downloaded.payload.read() == AUDIO
    assert (server.last.method, server.last.url.path) == ("GET", "/v1/files/file-abc123/content")
    detailed = download.sync_detailed("file-abc123", client=client_for(client_package, server))
    assert detailed.status_code == 200 and detailed.content == AUDIO


def test_an_audio_download_returns_the_exact_bytes(client_package: ModuleType) -> None:
    server = Server([answer_bytes(AUDIO, "audio/mpeg")])
    models = module("models")
    speech = module("api.audio.create_speech").sync(
        client=client_for(client_package, server),
        body=models.CreateSpeechRequest(
            model="tts-1", input_="Hello.", voice=models.CreateSpeechRequestVoice("alloy")
        ),
    )
    assert speech.payload.read() == AUDIO
    assert json.loads(server.last.content) == {"model": "tts-1", "input": "Hello.", "voice": "alloy"}
    assert server.last.headers["content-type"] == "application/json"


def test_a_text_download_returns_the_text(client_package: ModuleType) -> None:
    text = "first line\nsecond line, é\n"
    server = Server([lambda request: httpx.Response(200, text=text)])
    preview = module("api.files.preview_file").sync("file-abc123", client=client_for(client_package, server))
    assert preview == text


def test_a_json_operation_sends_what_was_set_and_parses_the_answer(client_package: ModuleType) -> None:
    answer = {"id": "vs_1", "object": "vector_store", "name": "Docs", "status": "completed"}
    server = Server([answer_json(answer)])
    created = module("api.vector_stores.create_vector_store").sync(
        client=client_for(client_package, server), body=module("models").CreateVectorStoreRequest(name="Docs")
    )
    # file_ids is unset: not sent, although its schema gives a default (one its own minItems refuses).
    assert json.loads(server.last.content) == {"name": "Docs"}
    assert (created.id, created.name, created.status.value) == ("vs_1", "Docs", "completed")


def test_a_body_of_two_media_types_is_sent_as_the_one_its_model_is(client_package: ModuleType) -> None:
    server = Server([answer_json({"label": "draft", "pinned": True})])
    models = module("models")
    label = module("api.files.label_file")
    client = client_for(client_package, server)
    label.sync("file-abc123", client=client, body=models.FileLabelForm(label="draft", pinned=True))
    form = server.last
    assert form.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(form.content.decode()) == {"label": ["draft"], "pinned": ["true"]}
    result = label.sync("file-abc123", client=client, body=models.FileLabel(label="draft", pinned=True))
    assert server.last.headers["content-type"] == "application/json"
    assert json.loads(server.last.content) == {"label": "draft", "pinned": True}
    assert (result.label, result.pinned) == ("draft", True)
