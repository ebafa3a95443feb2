"""The exceptions the API functions raise for a response they cannot turn into a documented result.

Each keeps the HTTP status and the raw body, so a caller can log or inspect what the server sent.
"""


class UnexpectedResponse(Exception):
    """A response the client cannot return as a documented result; catch this to handle both kinds."""

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content
        super().__init__(
            f"{self._reason} (status {status_code})\n\nResponse content:\n{content.decode(errors='replace')}"
        )

    _reason = "Unexpected response"


class UnexpectedStatus(UnexpectedResponse):
    """The status is not documented for the operation and `Client.raise_on_unexpected_status` is True.

    When it is False, the API function returns None (`Response.parsed` is None) instead.
    """

    _reason = "Unexpected status code"


class UnexpectedBody(UnexpectedResponse):
    """The body of a documented status is not JSON, or does not have the shape of its documented schema.

    Raised whatever `Client.raise_on_unexpected_status` says: the client never returns None for it.
    """

    _reason = "Response body does not match its documented schema"


__all__ = ["UnexpectedBody", "UnexpectedResponse", "UnexpectedStatus"]
