"""Which status answers which kind of fault in a request, from what the operation documents.

A spec says it by number (a 400, or a 422 as FastAPI answers), by range (`4XX`) or not at all (`default`,
or only its 200 documented, as published specs often are). Where it names statuses for a fault, those
are the answers; where it does not, HTTP's rules decide (RFC 9110): a missing or wrong key gets 401, an
invalid request some 4xx, an unknown resource 404, a method the path does not define 405, a body of
another media type 415 and one too large 413. `Statuses.documented` tells the two apart, so that the
summary can say a verdict came from HTTP's rules rather than from the spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Fault(Enum):
    """What is wrong with a request, by the rule it breaks."""

    CREDENTIALS = "a missing or wrong key"
    INVALID = "an invalid parameter or body"
    NOT_FOUND = "a resource the server has not got"
    METHOD = "a method the path does not define"
    MEDIA_TYPE = "a body of another media type"
    TOO_LARGE = "a body over the size limit"


# The statuses each fault may be documented with, the likeliest first: what a server answers.
_CANDIDATES: dict[Fault, tuple[int, ...]] = {
    Fault.CREDENTIALS: (401, 403),
    Fault.INVALID: (400, 422),
    Fault.NOT_FOUND: (404, 410),
    Fault.METHOD: (405,),
    Fault.MEDIA_TYPE: (415,),
    Fault.TOO_LARGE: (413,),
}
# HTTP's own answer to each fault, where the spec names none.
_HTTP_ANSWER = {
    Fault.CREDENTIALS: 401,
    Fault.INVALID: 400,
    Fault.NOT_FOUND: 404,
    Fault.METHOD: 405,
    Fault.MEDIA_TYPE: 415,
    Fault.TOO_LARGE: 413,
}


@dataclass(frozen=True)
class Statuses:
    """The statuses right for one fault on one operation."""

    fault: Fault
    allowed: frozenset[int]
    answer: int  # what a server of the spec answers
    documented: bool  # named by the spec's own responses (else HTTP's rules decide)

    def describe(self) -> str:
        """`400`, `400 or 422`, `a 4xx` (the last for an invalid request the spec names no status for)."""
        if len(self.allowed) > 3:
            return "a 4xx"
        return " or ".join(str(status) for status in sorted(self.allowed))


def fault_statuses(fault: Fault, documented_codes: frozenset[str]) -> Statuses:
    """The statuses for `fault` on an operation documenting `documented_codes` ("400", "4XX", "default")."""
    named = [status for status in _CANDIDATES[fault] if str(status) in documented_codes]
    if named:
        return Statuses(fault, frozenset(named), named[0], documented=True)
    answer = _HTTP_ANSWER[fault]
    if fault is Fault.INVALID:
        # An invalid request gets some 4xx: which one the spec does not say. Not 401 or 403 (the key was
        # right) nor 404 on a path that exists; 405 or 415 would misname the fault, but are still 4xx.
        return Statuses(fault, frozenset(range(400, 500)) - {401, 403}, answer, documented=False)
    return Statuses(fault, frozenset({answer}), answer, documented=False)


def covers(documented_codes: frozenset[str], status: int) -> bool:
    """Whether a response for `status` is documented: by number, by range (`4XX`) or by `default`."""
    code = str(status)
    return code in documented_codes or f"{code[0]}XX" in documented_codes or "default" in documented_codes
