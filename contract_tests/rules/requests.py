"""What is wrong with a request, by the spec: the rules a client must keep, each fault with where and why.

The suite uses them to know which answer a request deserves (a valid request its success, a request
without the key 401...); a judging mock or proxy uses them to tell a client what it broke. Each fault is
a `Violation` naming the check that judges the server's answer to it, the JSON pointer (or the header,
parameter) at fault, and a message a stranger can act on, with values shown as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contract_tests.api.faults import Fault
from contract_tests.api.media import PARTS, matches, value_of_parts
from contract_tests.api.messages import first_error, message, part_pointer, pointer, show
from contract_tests.api.model import Api, Operation, Parameter, media_type, trailing_values
from contract_tests.api.parameters import ABSENT, read
from contract_tests.rules.exchange import NOT_JSON, Sent, parse_json
from contract_tests.rules.parts import NotParts, read_parts

CREDENTIALS_CHECK = "api_key_required"
PARAMETER_CHECK = "invalid_parameter_rejected"
MALFORMED_CHECK = "malformed_body_rejected"
BODY_CHECK = "invalid_body_rejected"


@dataclass(frozen=True)
class Violation:
    check: str  # the check that judges the server's answer to it
    fault: Fault
    where: str  # `header OpenAI-Beta`, `/tools/0/function/name`, `the body`
    message: str
    named: str | None = None  # the client's rule, where the check's does not say it (a malformed upload)

    @property
    def rule(self) -> str:
        """The rule the client broke, as a client's report names it."""
        if self.named is not None:
            return self.named
        if self.check == PARAMETER_CHECK:
            return "headers_valid" if self.where.startswith("header ") else "parameters_valid"
        return CLIENT_RULES.get(self.check, self.check)


# A client's rules, by the check that judges the server's answer to a request breaking them.
CLIENT_RULES = {
    CREDENTIALS_CHECK: "api_key_sent",
    MALFORMED_CHECK: "body_is_json",
    BODY_CHECK: "body_valid",
}
# What each rule of a client's says, for its report.
CLIENT_RULE_TEXT = {
    "api_key_sent": "Every request carries the key, in a form the spec declares (`Authorization: Bearer`).",
    "headers_valid": "Every required header is sent, with a value its schema allows.",
    "parameters_valid": "Every required query or path parameter is sent, with a value its schema allows.",
    "body_is_json": "A body is sent as the spec's JSON media type: one UTF-8 JSON value of its type.",
    "body_well_formed": "A form or an upload is what its media type says: its parts named, its boundary"
    " declared and kept (RFC 7578), its text UTF-8.",
    "body_valid": "A body is valid against the request schema, at every depth (lengths, types, fields...).",
    "operation_declared": "Every request is for an operation the spec declares (its path and method).",
    "retry_after_respected": "After a 429 or 503 with Retry-After, a retry of the request waits that long.",
    "client_errors_not_retried": "A request refused with a 4xx but 408, 409, 429 is not retried as it was.",
}


def path_values(api: Api, op: Operation, path: str) -> dict[str, str] | None:
    """The path parameters' values of a request path, or None when it is not the operation's path: read
    from its last segments, whatever prefix the API is served under (`/v1`, `/api`, `/api/v1`, none)."""
    return trailing_values(op.path, path)


def credentials_violation(op: Operation, sent: Sent, key: str) -> Violation | None:
    """None when some alternative of the operation's security carries `key` in every scheme it names."""
    if not op.security.testable:
        return None
    offered = []
    for alternative in op.security.usable:
        given = [_credential(sent, scheme.location, scheme.parameter) for scheme in alternative]
        offered += [
            scheme.label for scheme, value in zip(alternative, given, strict=True) if value is not None
        ]
        if all(scheme.accepts(value, key) for scheme, value in zip(alternative, given, strict=True)):
            return None
    if not offered:
        return Violation(CREDENTIALS_CHECK, Fault.CREDENTIALS, "credentials", "the request carries no key")
    where = " and ".join(dict.fromkeys(offered))
    sent_values = " ".join(value for _, value in sent.headers) + " " + sent.url
    # The right key in the wrong form (a bare key, another scheme word), or another key altogether.
    said = (
        "not in a form the spec declares" if key and key in sent_values else "not the key the server accepts"
    )
    return Violation(
        CREDENTIALS_CHECK, Fault.CREDENTIALS, "credentials", f"the key sent in {where} is {said}"
    )


def _credential(sent: Sent, location: str, name: str) -> str | None:
    if location == "query":
        values = [value for key, value in sent.query if key == name]
        return values[-1] if values else None
    if location == "cookie":
        return sent.cookie(name)
    return sent.header(name)


def parameter_violations(api: Api, op: Operation, sent: Sent) -> list[Violation]:
    """Each parameter the request leaves out though required, or carries with a value its schema forbids."""
    found = []
    path = path_values(api, op, sent.path) or {}
    for parameter in op.parameters:
        texts = _texts(sent, path, parameter)
        items = api.values.child(parameter.schema_pointer, "items") if parameter.schema_pointer else None
        value = read(parameter, texts, api.values.schema(items) if items else None)
        if value is ABSENT or (parameter.location == "path" and value == ""):
            if parameter.required:
                found.append(
                    Violation(
                        PARAMETER_CHECK,
                        Fault.INVALID,
                        parameter.label,
                        f"the required {parameter.label} is missing",
                    )
                )
            continue
        if parameter.schema_pointer is None:
            continue
        validator = api.values.validator(parameter.schema_pointer)
        if not validator.is_valid(value):
            error = first_error(validator, value)
            said = message(error) if error is not None else f"{show(value)} is not allowed"
            found.append(Violation(PARAMETER_CHECK, Fault.INVALID, parameter.label, said))
    return found


def _texts(sent: Sent, path: dict[str, str], parameter: Parameter) -> list[str]:
    if parameter.location == "header":
        # HTTP drops a field value's surrounding whitespace (RFC 9110, 5.5).
        return [value.strip(" \t") for value in sent.header_values(parameter.name)]
    if parameter.location == "query":
        return [value for key, value in sent.query if key == parameter.name]
    if parameter.location == "cookie":
        found = sent.cookie(parameter.name)
        return [] if found is None else [found]
    return [path[parameter.name]] if parameter.name in path else []


def body_violations(api: Api, op: Operation, sent: Sent) -> list[Violation]:  # noqa: PLR0911 (per rule)
    """A body not sent as the spec's media type, not what that media type says (JSON, a form, an upload
    with its boundary), or a value the schema forbids. An optional body sent empty is no body (RFC 9110,
    8.6: no content), whatever its Content-Type said."""
    if op.body is None:
        return []
    sent_type = media_type(sent.header("content-type"))
    if not sent.body and (not sent_type or not op.body.required):
        if op.body.required:
            return [Violation(MALFORMED_CHECK, Fault.INVALID, "the body", "the required body is missing")]
        return []
    if not matches(sent_type, op.body.media_type):
        shown = show(sent_type) if sent_type else "no Content-Type"
        return [
            Violation(
                MALFORMED_CHECK,
                Fault.MEDIA_TYPE,
                "header Content-Type",
                f"the body is sent as {shown}, not as {show(op.body.media_type)}",
            )
        ]
    if op.body.kind in PARTS:
        return _parts_violations(api, op, sent)
    if not op.body.is_json:
        return []  # bytes or text: what the media type allows, the spec does not say more
    value = parse_json(sent.body)
    if value is NOT_JSON:
        return [Violation(MALFORMED_CHECK, Fault.INVALID, "the body", _why_not_json(sent.body))]
    validator = api.values.validator(op.body.schema_pointer)
    if not isinstance(value, dict) and "object" in api.values.types(op.body.schema_pointer):
        return [
            Violation(
                MALFORMED_CHECK,
                Fault.INVALID,
                "the body",
                f"the body is {show(value)[:60]}, not a JSON object",
            )
        ]
    error = first_error(validator, value)
    if error is not None:
        return [Violation(BODY_CHECK, Fault.INVALID, pointer(error.absolute_path) or "/", message(error))]
    return []


def _parts_violations(api: Api, op: Operation, sent: Sent) -> list[Violation]:
    """A form or an upload: its parts, read as the body's schema types them, judged as one object."""
    assert op.body is not None
    try:
        parts = read_parts(sent.header("content-type") or "", sent.body)
    except NotParts as exc:
        return [Violation(MALFORMED_CHECK, Fault.INVALID, "the body", str(exc), named="body_well_formed")]
    value = value_of_parts(api.values, op.body.schema_pointer, parts)
    error = first_error(api.values.validator(op.body.schema_pointer), value)
    if error is None:
        return []
    return [Violation(BODY_CHECK, Fault.INVALID, part_pointer(error) or "/", message(error))]


def _why_not_json(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"the body is not UTF-8 (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})"
    if not raw.strip():
        return "the body is empty"
    return "the body is not JSON (RFC 8259: no NaN or Infinity, nothing after the value)"


def violations(api: Api, op: Operation, sent: Sent, key: str) -> list[Violation]:
    """Every rule of the spec the request breaks, the credentials first (a server checks them first)."""
    found = []
    credentials = credentials_violation(op, sent, key)
    if credentials is not None:
        found.append(credentials)
    found += parameter_violations(api, op, sent)
    found += body_violations(api, op, sent)
    return found


def statuses_for(op: Operation, found: list[Violation]) -> frozenset[int]:
    """Every status right for a request breaking `found` (any of its rules may be checked first)."""
    allowed: frozenset[int] = frozenset()
    for violation in found:
        allowed |= op.statuses(violation.fault).allowed
        if violation.check == MALFORMED_CHECK:
            allowed |= frozenset(range(400, 500))
    return allowed


def value_of(sent: Sent) -> Any:
    return parse_json(sent.body)


def request_value(api: Api, op: Operation, sent: Sent) -> Any:
    """The value a request's body carries: its JSON, or what its form or upload's parts mean; NOT_JSON
    where there is none to read."""
    if op.body is None or not sent.body:
        return NOT_JSON
    if op.body.kind in PARTS:
        try:
            parts = read_parts(sent.header("content-type") or "", sent.body)
        except NotParts:
            return NOT_JSON
        return value_of_parts(api.values, op.body.schema_pointer, parts)
    return parse_json(sent.body) if op.body.is_json else NOT_JSON


def beyond_prose(api: Api, op: Operation, sent: Sent) -> str | None:
    """Where a request the schema allows lies beyond a bound its description states in prose only
    (contract_tests.api.bounds), in words, with the sentence; None where it does not. A server may take
    such a request or refuse it with the documented error: both keep the spec."""
    prose = api.prose
    if not prose.found:
        return None
    bounded = prose.values
    path = path_values(api, op, sent.path) or {}
    for parameter in op.parameters:
        place = parameter.schema_pointer
        if place is None or place not in prose.found:
            continue
        texts = _texts(sent, path, parameter)
        items = api.values.child(place, "items")
        value = read(parameter, texts, api.values.schema(items) if items else None)
        if value is not ABSENT and not bounded.is_valid(place, value):
            said = prose.sentence(place)
            return f"{parameter.label} {show(value)}, beyond the bound its description states: {said!r}"
    if op.body is None:
        return None
    value = request_value(api, op, sent)
    if value is NOT_JSON or bounded.is_valid(op.body.schema_pointer, value):
        return None
    error = first_error(bounded.validator(op.body.schema_pointer), value)
    where = pointer(error.absolute_path) if error is not None else ""
    said = message(error) if error is not None else "beyond a bound"
    return f"{where or '/'}: {said}, a bound its description states in prose only"


# What counts as a value no bound of the schema prepared a server for: a server may refuse it (with the
# documented error), and the suite then warns that the spec should state the bound, rather than fail it.
_PAST_32_BITS = 2**31 - 1
_LONG_TEXT = 4096
_MANY_ITEMS = 100
_MANY_PROPERTIES = 64
_DEPTH = 8


def unbounded_extreme(api: Api, op: Operation, sent: Sent) -> str | None:
    """The first value of a request that lies past what its schema bounds and past what servers commonly
    take (a negative number with no minimum, an integer past 32 bits with no maximum, text past 4096
    characters with no maxLength...), named with where it is; None where there is none."""
    path = path_values(api, op, sent.path) or {}
    for parameter in op.parameters:
        if parameter.schema_pointer is None:
            continue
        items = api.values.child(parameter.schema_pointer, "items")
        value = read(parameter, _texts(sent, path, parameter), api.values.schema(items) if items else None)
        if value is not ABSENT:
            found = _extreme(api, parameter.schema_pointer, value, parameter.label)
            if found is not None:
                return found
    if op.body is None:
        return None
    value = request_value(api, op, sent)
    return None if value is NOT_JSON else _extreme(api, op.body.schema_pointer, value, "")


def _extreme(api: Api, place: str, value: Any, where: str, depth: int = 0) -> str | None:  # noqa: PLR0911
    if depth > _DEPTH or isinstance(value, bool):
        return None
    schema = api.values.schema(place)
    if isinstance(value, int | float):
        return _extreme_number(schema, value, where)
    if isinstance(value, str):
        if len(value) > _LONG_TEXT and "maxLength" not in schema:
            return f"{where or '/'} of {len(value)} characters (its schema states no maxLength)"
        return None
    if isinstance(value, list):
        if len(value) > _MANY_ITEMS and "maxItems" not in schema:
            return f"{where or '/'} of {len(value)} items (its schema states no maxItems)"
        items = api.values.child(place, "items")
        found = (
            _extreme(api, items, item, f"{where}/{i}", depth + 1) for i, item in enumerate(value) if items
        )
        return next((said for said in found if said is not None), None)
    if isinstance(value, dict):
        if len(value) > _MANY_PROPERTIES and "maxProperties" not in schema:
            return f"{where or '/'} of {len(value)} properties (its schema states no maxProperties)"
        properties = api.values.properties(place)
        found = (
            _extreme(api, properties[name], item, f"{where}/{name}", depth + 1)
            for name, item in value.items()
            if name in properties
        )
        return next((said for said in found if said is not None), None)
    return None


def _extreme_number(schema: dict[str, Any], value: float, where: str) -> str | None:
    shown = f"{where or '/'} {show(value, 40)}"
    if value < 0 and "minimum" not in schema and "exclusiveMinimum" not in schema:
        return f"{shown} (negative, and its schema states no minimum)"
    if abs(value) > _PAST_32_BITS and "maximum" not in schema and "exclusiveMaximum" not in schema:
        return f"{shown} (past 32 bits, and its schema states no maximum)"
    return None
