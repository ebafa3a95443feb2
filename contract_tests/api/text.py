"""Strings of an exact length in Unicode code points, as JSON Schema counts `minLength` and `maxLength`.

Implementations disagree where code points, UTF-16 code units, UTF-8 bytes and graphemes differ: a
JavaScript `.length` counts UTF-16 units, a byte limit counts UTF-8, a normalizing (NFC) or
grapheme-aware server counts fewer characters than were sent. These fillers are built to fall in
between, so that a server counting anything but code points gets a boundary wrong.
"""

from __future__ import annotations

# Non-ASCII but in the Basic Multilingual Plane: one code point and one UTF-16 unit each.
_BMP = "Aé中ñß-"
# Outside the BMP (an emoji, a CJK Extension B ideograph, a math letter): one code point, two UTF-16
# units, four UTF-8 bytes each.
_ASTRAL = "\U0001f600\U00020000\U0001d400"
# Long strings stay mostly ASCII: escaped as \uXXXX, a 256,000-character non-ASCII string would make a
# body of several megabytes, which common proxy limits (nginx: 1 MB) refuse before the server sees it.
# One astral character per 64 is enough to push a UTF-16 or UTF-8 count over the limit.
_LONG_BMP = "x" * 63 + "é"
_LONG_ASTRAL = "x" * 63 + "\U0001f600"
LONG = 4096
# A base letter and a combining acute accent: two code points, one grapheme, one code point after NFC.
_COMBINING = "e\u0301"


def _cycle(filler: str, length: int) -> str:
    return (filler * (length // len(filler) + 1))[:length]


def text(length: int) -> str:
    """`length` code points of mixed ASCII and non-ASCII text, all in the Basic Multilingual Plane."""
    return _cycle(_LONG_BMP if length > LONG else _BMP, length)


def astral(length: int) -> str:
    """`length` code points including characters outside the BMP (two UTF-16 units each)."""
    return _cycle(_LONG_ASTRAL if length > LONG else _ASTRAL, length)


def combining(length: int) -> str:
    """`length` code points (at least 2) that are one fewer after NFC, and one fewer grapheme."""
    if length < len(_COMBINING):
        raise ValueError("a combining sequence needs at least two code points")
    return _COMBINING + text(length - len(_COMBINING))
