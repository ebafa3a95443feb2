"""Contains some shared types for properties"""

from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, BinaryIO, Generic, Literal, TypeVar

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
    """A file to upload in a multipart body."""

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


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint: the status, the raw body and headers, and the parsed body."""

    status_code: HTTPStatus | int
    """An HTTPStatus member, or a plain int for a status code HTTPStatus does not name."""
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


__all__ = ["UNSET", "File", "FileTypes", "RequestFiles", "Response", "Unset", "http_status"]
