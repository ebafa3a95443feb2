"""Keeping API keys out of every line the suite prints or writes."""

from __future__ import annotations

MASK = "***"


class Masker:
    """Replaces each secret by `***` in any text; `mask(text)` is applied to all output."""

    def __init__(self, *secrets: str) -> None:
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text
