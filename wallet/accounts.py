"""What anyone may know about the wallet's accounts, and the rules their inputs follow: never anything secret.

Plain types for the GUI, the CLI and the core alike; the keys themselves stay in ``wallet.keys``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["hd", "imported"]
MAX_LABEL = 64  # printable characters in an account's name
MIN_PASSWORD_LENGTH = 8  # characters in the wallet password (and in a keystore file's own)


@dataclass(frozen=True)
class AccountInfo:
    """One account as the UI and other modules see it."""

    address: str
    label: str
    index: int | None  # BIP-44 address index for accounts derived from the recovery phrase
    kind: Kind

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "label": self.label, "index": self.index, "kind": self.kind}
