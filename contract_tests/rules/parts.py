"""A form or multipart body as the rules read it off the wire: split into parts by the standard library
(urllib's query parser, the e-mail package's MIME parser), not by the reference server's reader, so that
the judge does not read a request through the reader of the server it judges."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import parse_qsl

from contract_tests.api.media import MULTIPART, Part, kind_of


class NotParts(Exception):
    """The body is not the form or multipart body its Content-Type says: why, in words."""


def read_parts(content_type: str, body: bytes) -> list[Part]:
    """The named parts of a form (`application/x-www-form-urlencoded`) or `multipart/form-data` body."""
    if kind_of(content_type) == MULTIPART:
        return _multipart(content_type, body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotParts(f"the form body is not UTF-8 (byte {exc.start})") from None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError as exc:
        raise NotParts(f"the body is not a form ({exc})") from None
    return [Part(name, value) for name, value in pairs]


def _multipart(content_type: str, body: bytes) -> list[Part]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or message.get_boundary() is None:
        raise NotParts("the multipart body's Content-Type names no boundary")
    if not message.is_multipart() or message.defects:
        said = ", ".join(type(defect).__name__ for defect in message.defects) or "no part"
        raise NotParts(f"the body is not multipart with the boundary its Content-Type names ({said})")
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise NotParts(
                "a part of the multipart body has no name (Content-Disposition: form-data; name=...)"
            )
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None and part.get_content_maintype() != "application":
            charset = part.get_content_charset() or "utf-8"
            try:
                parts.append(Part(name, content.decode(charset), None, part.get("content-type")))
                continue
            except (UnicodeDecodeError, LookupError):
                pass
        parts.append(Part(name, content, filename, part.get("content-type")))
    return parts
