"""The properties the generated client must have, as functions that run hypothesis and raise on a
counterexample.

Tests call each on the sync and the async path; `test_broken_clients.py` calls them on deliberately
broken clients to show they fail.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import httpx
from assistants_v1_client import AuthenticatedClient, errors
from assistants_v1_client.api.assistants import create_assistant
from assistants_v1_client.models import AssistantObject, CreateAssistantRequest, ErrorResponse
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from contract_tests.api.validators import validator_for
from contract_tests.client import strategies
from contract_tests.client.calls import API_KEY, BASE_URL, Mode, Reply, create

# Fixed: the same examples on every run, so CI cannot flake; no deadline on a shared, noisy machine.
# The spec-edit tests run these properties on each edited spec with fewer ($CONTRACT_CLIENT_EXAMPLES).
EXAMPLES = int(os.environ.get("CONTRACT_CLIENT_EXAMPLES") or 60)
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
# The tool-kind variants draw only one kind of tool each, on top of the general property.
PER_TOOL_KIND_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=EXAMPLES // 2)
# For a client known to be broken: stop at the first counterexample instead of shrinking it.
FIRST_FAILURE = settings(PROPERTY_SETTINGS, phases=[Phase.explicit, Phase.generate])


def _seed_request() -> CreateAssistantRequest:
    return CreateAssistantRequest.from_dict(strategies.example_value("request"))


def _seed_reply() -> Reply:
    return Reply(
        strategies.seed().success_status, strategies.json_bytes(strategies.example_value("response"))
    )


def _check_headers(request: httpx.Request) -> None:
    """Every required header of the operation is sent with its one valid value (OpenAI-Beta)."""
    for name, value in strategies.seed().required_headers().items():
        sent = request.headers.get(name)
        assert sent == value, f"{name} header is {sent!r}, not {value!r}"


def _sent(mode: Mode, body: CreateAssistantRequest) -> httpx.Request:
    reply = _seed_reply()
    create(mode, reply, body)
    (request,) = reply.requests
    return request


def requests_follow_the_contract(mode: Mode, run: settings = PROPERTY_SETTINGS) -> None:
    """Any valid request body survives the model losslessly and goes out as the contract says."""
    validator = validator_for(strategies.request_pointer())
    op = strategies.seed()

    @run
    @given(body=strategies.request_bodies())
    @example(body=strategies.filled_to_the_limits(strategies.request_pointer()))
    def check(body: dict[str, Any]) -> None:
        model = CreateAssistantRequest.from_dict(body)
        assert model.to_dict() == body, "the request model does not serialise back to its input"
        request = _sent(mode, model)
        assert request.method == op.method, f"method {request.method}, not {op.method}"
        assert str(request.url) == f"{BASE_URL}{op.path}", f"sent to {request.url}"
        bearer_is_the_key = request.headers.get("Authorization") == f"Bearer {API_KEY}"
        assert bearer_is_the_key, "Authorization is not 'Bearer <the client's key>'"
        _check_headers(request)
        content_type = request.headers.get("Content-Type")
        assert content_type == op.content_type, f"Content-Type is {content_type!r}"
        sent = json.loads(request.content)
        assert sent == body, "the body sent is not the input"
        validator.validate(sent)

    check()


def request_with_kind_follows_the_contract(mode: Mode, kind: str) -> None:
    """A request whose list of several kinds holds that kind, at its largest and its simplest, survives
    the model and is sent as given."""
    field, _ = strategies.kinds_field(strategies.request_pointer()) or ("", "")
    branch = strategies.request_kinds()[kind]
    values = strategies.seed().values
    body = {**strategies.example_value("request"), field: [values.largest(branch), values.minimal(branch)]}
    validator_for(strategies.request_pointer()).validate(body)
    model = CreateAssistantRequest.from_dict(body)
    assert model.to_dict() == body, f"a request with a {kind} does not serialise back to its input"
    assert json.loads(_sent(mode, model).content) == body, f"a request with a {kind} is not sent as given"


def defaulted_fields() -> dict[str, Any]:
    """The request's optional fields with a `default` in the spec, and their defaults."""
    required = set(strategies.seed().request_schema.get("required", []))
    return {name: value for name, value in strategies.seed().defaults.items() if name not in required}


def unset_defaults_are_not_sent(mode: Mode, name: str, run: settings = PROPERTY_SETTINGS) -> None:
    """A field with a `default` that the caller leaves unset is not sent (the server applies the
    default, and a server that does not know the field yet still accepts the request); set
    explicitly, even to the default itself, it is sent as set."""
    default = defaulted_fields()[name]

    @run
    @given(body=strategies.request_bodies())
    def check(body: dict[str, Any]) -> None:
        without = {key: value for key, value in body.items() if key != name}
        sent = json.loads(_sent(mode, CreateAssistantRequest.from_dict(without)).content)
        assert name not in sent, (
            f"{name!r} was sent ({json.dumps(sent.get(name))}) though the caller left it unset"
        )
        explicit = {**without, name: default}
        sent = json.loads(_sent(mode, CreateAssistantRequest.from_dict(explicit)).content)
        assert sent.get(name, "(missing)") == default, f"{name!r} set to its default was not sent as set"

    check()


def assistants_parse_losslessly(
    mode: Mode, tool_kind: str | None = None, run: settings = PROPERTY_SETTINGS
) -> None:
    """Any valid 200 body comes back as an AssistantObject that serialises to the same JSON."""
    validator = validator_for(strategies.success_pointer())

    @run
    @given(body=strategies.assistant_bodies(tool_kind))
    @example(body=strategies.filled_to_the_limits(strategies.success_pointer()))
    def check(body: dict[str, Any]) -> None:
        validator.validate(body)  # the strategy's own check: it draws only what the spec allows
        success = strategies.seed().success_status
        result = create(mode, Reply(success, json.dumps(body).encode()), _seed_request())
        assert result.status_code == success, f"status {result.status_code}, not {success}"
        assert isinstance(result.parsed, AssistantObject), f"parsed {result.parsed!r}, not an assistant"
        assert result.parsed.to_dict() == body, "the parsed model does not serialise back to the body"

    check()


def error_bodies_parse_with_their_status(mode: Mode, run: settings = PROPERTY_SETTINGS) -> None:
    """Any valid error body, on a listed error status or one the `default` response covers, comes back
    as an ErrorResponse that serialises to the same JSON, with the status kept."""
    statuses = st.sampled_from(strategies.documented_error_statuses()) | strategies.default_statuses()
    validator = validator_for(strategies.error_pointer())

    @run
    @given(status=statuses, body=strategies.error_bodies())
    def check(status: int, body: dict[str, Any]) -> None:
        validator.validate(body)  # the strategy's own check: it draws only what the spec allows
        result = create(mode, Reply(status, json.dumps(body).encode()), _seed_request())
        assert result.status_code == status, f"status {result.status_code}, not {status}"
        assert isinstance(result.parsed, ErrorResponse), f"parsed {result.parsed!r}, not an error"
        assert result.parsed.to_dict() == body, "the parsed model does not serialise back to the body"

    check()


def unparsable_bodies_raise_with_status_and_body(mode: Mode, run: settings = PROPERTY_SETTINGS) -> None:
    """A body that is not JSON, or JSON its status's schema cannot be built from, raises
    errors.UnexpectedBody carrying the status and the raw body: never a silent None."""
    success = st.tuples(
        st.just(strategies.seed().success_status),
        strategies.NON_JSON_BODIES
        | strategies.wrong_shapes(strategies.assistant_bodies(), strategies.success_pointer()).map(
            strategies.json_bytes
        ),
    )
    failure = st.tuples(
        st.sampled_from(strategies.documented_error_statuses()) | strategies.default_statuses(),
        strategies.NON_JSON_BODIES
        | strategies.wrong_shapes(
            strategies.error_bodies(), strategies.error_pointer(), within=strategies.error_envelope()
        ).map(strategies.json_bytes),
    )

    validators = {
        strategies.seed().success_status: validator_for(strategies.success_pointer()),
        None: validator_for(strategies.error_pointer()),
    }

    @run
    @given(reply=success | failure)
    def check(reply: tuple[int, bytes]) -> None:
        status, content = reply
        if strategies.is_json(content):
            # The strategies must only draw bodies the spec forbids, or this proves nothing.
            invalid = not validators.get(status, validators[None]).is_valid(json.loads(content))
            assert invalid, "the strategy drew a body its schema allows"
        raised: errors.UnexpectedBody | None = None
        try:
            create(mode, Reply(status, content), _seed_request())
        except errors.UnexpectedBody as exc:
            raised = exc
        assert raised is not None, f"no errors.UnexpectedBody for status {status}"
        assert raised.status_code == status, f"the exception has status {raised.status_code}, not {status}"
        assert raised.content == content, "the exception does not keep the raw body"

    check()


def own_httpx_client_gets_the_beta_header(mode: Mode) -> None:
    """With the caller's own httpx client (set_httpx_client), which lacks the client's preset
    headers, the API function still sends the required headers (`OpenAI-Beta`) on the request."""
    reply = _seed_reply()
    headers = {"Authorization": f"Bearer {API_KEY}"}
    transport = httpx.MockTransport(reply)
    client = AuthenticatedClient(base_url=BASE_URL, token=API_KEY)
    if mode == "sync":
        client.set_httpx_client(httpx.Client(base_url=BASE_URL, headers=headers, transport=transport))
        result = create_assistant.sync(client=client, body=_seed_request())
    else:
        client.set_async_httpx_client(
            httpx.AsyncClient(base_url=BASE_URL, headers=headers, transport=transport)
        )
        result = asyncio.run(create_assistant.asyncio(client=client, body=_seed_request()))
    assert isinstance(result, AssistantObject), f"parsed {result!r}, not an assistant"
    (request,) = reply.requests
    _check_headers(request)
