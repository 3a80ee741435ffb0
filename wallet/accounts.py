"""What anyone may know about the wallet's accounts, and the rules their inputs follow: never anything secret.

Plain types for the GUI, the CLI and the core alike; the keys themselves stay in ``wallet.keys``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from wallet.errors import InvalidInput

Kind = Literal["hd", "imported"]
MAX_LABEL = 64  # printable characters in an account's name
MIN_PASSWORD_LENGTH = 8  # characters in the wallet password (and in a keystore file's own)
# A v3 keystore is about 500 bytes and three levels deep; anything far beyond is not one.
MAX_KEYSTORE_BYTES = 64 * 1024
MAX_KEYSTORE_DEPTH = 8


@dataclass(frozen=True)
class AccountInfo:
    """One account as the UI and other modules see it."""

    address: str
    label: str
    index: int | None  # BIP-44 address index for accounts derived from the recovery phrase
    kind: Kind

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "label": self.label, "index": self.index, "kind": self.kind}


def clean_label(label: str | None) -> str | None:
    """An account name as stored: whitespace collapsed, NFC; None when empty; refused when too long or not
    printable (checked before anything is written)."""
    if label is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", label).split())
    if not text:
        return None
    if len(text) > MAX_LABEL or any(unicodedata.category(c).startswith("C") for c in text):
        raise InvalidInput(f"A label is at most {MAX_LABEL} printable characters.")
    return text


def check_new_password(password: str, what: str = "") -> None:
    """A password the wallet will encrypt with: the wallet's own, or an exported keystore's (``what``)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        if what:
            raise InvalidInput(f"{what} must have at least {MIN_PASSWORD_LENGTH} characters, like the wallet's.")
        raise InvalidInput(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.")
