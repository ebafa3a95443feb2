"""Keeping API keys, and characters a terminal or an XML report cannot take, out of the suite's output."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

MASK = "***"


def near_misses(key: str) -> dict[str, str]:
    """Keys one slip away from `key`, by what they are: a server must refuse each of them with 401.

    Derived from the caller's key, they are as secret as it is: the Masker of a run masks them too.
    """
    if not key:
        return {}
    found = {
        "the API key with a character appended": key + "0",
        "the API key with its last character changed": key[:-1] + ("b" if key[-1] == "a" else "a"),
        "a proper prefix of the API key": key[:-1],
        "the API key in swapped case": key.swapcase(),
    }
    return {label: value for label, value in found.items() if value and value != key}


class Masker:
    """Replaces each secret by `***` in any text; `mask(text)` is applied to all output."""

    def __init__(self, *secrets: str) -> None:
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def mask_bytes(self, raw: bytes) -> bytes:
        """`raw` with each secret's UTF-8 bytes masked (a body written to a file)."""
        for secret in self.secrets:
            raw = raw.replace(secret.encode("utf-8", "surrogateescape"), MASK.encode())
        return raw

    def cut(self, text: str, limit: int, more: str = "...") -> str:
        """`text` masked, then cut to `limit` characters: cutting first could leave a key's prefix."""
        text = self(text)
        return text if len(text) <= limit else text[:limit] + more


def times(count: int) -> str:
    """ "once", "2 times": a count of occurrences as a report says it."""
    return "once" if count == 1 else f"{count} times"


_JSON_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def printable(text: str) -> str:
    """`text` with control and other unprintable characters escaped as JSON escapes them (a tab becomes
    \\t, U+0007 \\u0007, a character past the BMP its UTF-16 pair): what a reader can paste into JSON,
    never a Python repr."""
    if text.isprintable():  # the common case, without a step per character
        return text
    return "".join(char if char.isprintable() else _escaped(char) for char in text)


def _escaped(char: str) -> str:
    if char in _JSON_ESCAPES:
        return _JSON_ESCAPES[char]
    point = ord(char)
    if point < 0x10000:
        return f"\\u{point:04x}"
    point -= 0x10000
    return f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"


class _MaskingStream:
    """A text stream that masks what is written to it (an in-process app's own prints and logs)."""

    def __init__(self, stream: TextIO, mask: Masker) -> None:
        self._stream = stream
        self._mask = mask

    def write(self, text: str) -> int:
        return self._stream.write(self._mask(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def masked_output(mask: Masker) -> Iterator[None]:
    """Mask the process's stdout and stderr until the block ends: an app checked in process may print or
    log the keys it is sent (the near misses hold the whole key), which go to the suite's output."""
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _MaskingStream(sys.stdout, mask), _MaskingStream(sys.stderr, mask)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = streams
