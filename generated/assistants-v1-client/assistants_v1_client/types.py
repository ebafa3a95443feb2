"""Contains some shared types for properties"""

from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, Any, BinaryIO, Generic, Literal, TypeVar

from attrs import define


class Unset:
    """The type of UNSET: an optional field or argument that was not given (as opposed to null)."""

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

# What `httpx.Client(files=)` accepts, for multipart bodies.
FileContent = IO[bytes] | bytes | str
FileTypes = tuple[str | None, FileContent, str | None] | tuple[str | None, FileContent, str | None, Mapping[str, str]]
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """A file: one to upload (a file part of a multipart body, or a binary body), or a binary response."""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """The (name, payload, mime type) tuple httpx takes for multipart/form-data."""
        return self.file_name, self.payload, self.mime_type


# A dictionary lookup instead of calling the enum on every response (the call is much slower).
_HTTP_STATUSES: dict[int, HTTPStatus] = {status.value: status for status in HTTPStatus}


def http_status(code: int) -> HTTPStatus | int:
    """The HTTPStatus member for a status code, or the plain int for a code HTTPStatus does not name (e.g. 599)."""
    return _HTTP_STATUSES.get(code, code)


# The checks models run on JSON scalars, so a body of the wrong shape fails in from_dict (and the
# API function raises errors.UnexpectedBody) instead of returning a model with mistyped fields.
# JSON Schema's rules, not Python's: a boolean is not a number, and 1.0 is an integer.


def json_str(value: object) -> str:
    """`value` if it is a JSON string, else TypeError."""
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a string, got {type(value).__name__}")


def json_int(value: object) -> int:
    """`value` as an int if it is a JSON integer (an int, or a float with no fraction), else TypeError."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise TypeError(f"expected an integer, got {value!r}")


def json_float(value: object) -> float:
    """`value` unchanged if it is a JSON number (int or float, not bool), else TypeError."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected a number, got {type(value).__name__}")


def json_bool(value: object) -> bool:
    """`value` if it is a JSON boolean, else TypeError."""
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected a boolean, got {type(value).__name__}")


def json_list(value: object) -> list[Any]:
    """`value` if it is a JSON array, else TypeError."""
    if isinstance(value, list):
        return value
    raise TypeError(f"expected an array, got {type(value).__name__}")


def json_object(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else TypeError."""
    if isinstance(value, dict):
        return value
    raise TypeError(f"expected an object, got {type(value).__name__}")


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint: the status, the raw body and headers, and the parsed body."""

    status_code: HTTPStatus | int
    """An HTTPStatus member, or a plain int for a status code HTTPStatus does not name."""
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


__all__ = [
    "UNSET",
    "File",
    "FileTypes",
    "RequestFiles",
    "Response",
    "Unset",
    "http_status",
    "json_bool",
    "json_float",
    "json_int",
    "json_list",
    "json_object",
    "json_str",
]
