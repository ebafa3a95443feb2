"""Schemathesis's built-in checks, run one by one so that the summary can count each of them.

Where a built-in check's message misstates what happened or does not name the field at fault, the
suite says it in its own words (what was received, the JSON pointer of what differs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contract_tests.api.media import EVENTS_TYPE
from contract_tests.rules.answers import unlisted_stream
from contract_tests.rules.checks import NOT_APPLICABLE, Verdict
from contract_tests.rules.exchange import Exchange
from contract_tests.rules.messages import schema_problem
from contract_tests.suite.context import RunContext

# On every response to a request built from the spec.
RESPONSE_CHECKS: tuple[Callable[..., Any], ...] = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)
# On generated cases only: they judge by the mode (positive or negative) schemathesis generated in.
MODE_CHECKS: tuple[Callable[..., Any], ...] = (positive_data_acceptance, negative_data_rejection)
# Re-sends the request without and with a wrong key: run on a few accepted requests, not all.
AUTH_CHECK = ignored_auth

ST_CHECKS: dict[str, Callable[..., Any]] = {
    check.__name__: check for check in (*RESPONSE_CHECKS, *MODE_CHECKS, AUTH_CHECK)
}
# What each built-in check asserts, for the summary and the JUnit report.
RULES = {
    "not_a_server_error": "No response is a 5xx.",
    "status_code_conformance": "Every status code is one the operation documents (or its `default`).",
    "content_type_conformance": "Every response's content type is one documented for its status.",
    "response_headers_conformance": "Every documented response header is present and valid.",
    "response_schema_conformance": "Every response body validates against the schema of its status.",
    "positive_data_acceptance": "A request schemathesis generated as valid gets a 2xx (a 404 where the"
    " path names a resource by a parameter), and nothing else.",
    "negative_data_rejection": "A request schemathesis generated as invalid gets a 4xx.",
    "ignored_auth": "A request accepted with the key is refused without it and with a wrong one.",
}


# What kind of case each judges (contract_tests.rules.checks.JUDGES, for schemathesis's checks).
JUDGES = {
    "not_a_server_error": "an answer to a case built from the spec",
    "status_code_conformance": "an answer to a case built from the spec",
    "content_type_conformance": "an answer to a case built from the spec",
    "response_headers_conformance": "an answer to a case built from the spec",
    "response_schema_conformance": "an answer to a case built from the spec",
    "positive_data_acceptance": "a case generated as valid that the spec agrees is valid",
    "negative_data_rejection": "a case generated as invalid that the spec agrees is invalid",
    "ignored_auth": "a 2xx to a case generated as valid, sent with the key",
}


class Faulted(Exception):
    """A request a check sent itself (ignored_auth's) got no answer."""

    def __init__(self, reason: str, request: requests.PreparedRequest | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.request = request


UNLISTED_EXEMPT = ("content_type_conformance", "response_schema_conformance")


def run_st_check(name: str, exchange: Exchange, ctx: RunContext) -> Verdict:
    """Run one built-in check on an exchange; the failures, in the suite's words, are the reason."""
    case = exchange.case
    # An event stream is judged event by event, its last event (`[DONE]`) included, by
    # valid_request_accepted: schemathesis reads every event's data as JSON.
    streamed = name == "response_schema_conformance" and exchange.response_media_type == EVENTS_TYPE
    # A stream the spec's prose alone promises (its flag's description) has no listed media type to
    # conform to.
    unlisted = name in UNLISTED_EXEMPT and unlisted_stream(ctx.api, ctx.operation(exchange), exchange)
    if case is None or exchange.raw is None or streamed or unlisted:
        return NOT_APPLICABLE
    # The mode checks only judge cases of their own mode: count only those.
    mode = case.meta.generation.mode if case.meta is not None else None
    if (name == "positive_data_acceptance" and (mode is None or not mode.is_positive)) or (
        name == "negative_data_rejection" and (mode is None or not mode.is_negative)
    ):
        return NOT_APPLICABLE
    op = ctx.operation(exchange)
    headers = ctx.auth_headers(op)
    transport = {"base_url": ctx.base_url, "session": ctx.session, "headers": headers, "timeout": ctx.timeout}
    try:
        case.validate_response(
            exchange.raw, checks=[ST_CHECKS[name]], headers=headers, transport_kwargs=transport
        )
    except requests.RequestException as exc:
        # ignored_auth re-sends the request: one it sends unanswered is a fault like any other.
        sent = exc.request if isinstance(exc.request, requests.PreparedRequest) else None
        raise Faulted(f"{name}'s own request got no answer ({type(exc).__name__})", sent) from None
    except FailureGroup as group:
        # ignored_auth re-sends outside the run's session, so without its 429 retries: a 429 there is
        # the server's rate limit, which says nothing about its key check.
        failures = [failure for failure in group.exceptions if "got `429 " not in failure.message]
        if name == "status_code_conformance" and exchange.status in exchange.also_allowed:
            # A status the spec does not document, that HTTP's rules give this request (a 401 to no key
            # on an operation documenting only its 200).
            return NOT_APPLICABLE
        if not failures:
            return NOT_APPLICABLE
        return "; ".join(ctx.mask(_reason(failure, exchange, ctx)) for failure in failures)
    return None


def _reason(failure: Failure, exchange: Exchange, ctx: RunContext) -> str:
    kind = type(failure).__name__
    status = exchange.status
    if kind == "RejectedPositiveData":
        allowed = ", ".join(getattr(failure, "allowed_statuses", None) or ["2xx"])
        return f"a request generated as valid got {status}, expected {allowed}"
    if kind == "AcceptedNegativeData":
        return f"a request generated as invalid got {status}, expected a 4xx ({_why_invalid(exchange, ctx)})"
    if kind == "JsonSchemaError":
        response = ctx.operation(exchange).response_for(status)
        if response is not None and response.schema_pointer is not None:
            problem = schema_problem(
                ctx.api.values.validator(response.schema_pointer),
                exchange.received_json,
                f"the schema documented for {status}",
                ctx.mask,
            )
            if problem is not None:
                return f"the body is not the schema documented for {status}: {problem}"
    return f"{ctx.mask(failure.title)}: {_first_lines(ctx.mask(failure.message))}"


def _why_invalid(exchange: Exchange, ctx: RunContext) -> str:
    from contract_tests.rules.requests import violations  # noqa: PLC0415

    found = violations(ctx.api, ctx.operation(exchange), exchange.request, ctx.api_key)
    return found[0].message if found else "a parameter, a header or the body's type breaks the spec"


def _first_lines(message: str, count: int = 2) -> str:
    """The first lines of a message (masked by the caller before anything is cut)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return " ".join(lines[:count])[:300]
