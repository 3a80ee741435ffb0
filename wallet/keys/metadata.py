"""accounts.json: the non-secret half of the wallet (addresses, labels, derivation indexes, keyring entry names).

Nothing in this file can sign: it names the vault entries that hold the encrypted secrets, so the data dir
alone reveals no key, and the vault alone does not say which address a blob belongs to beyond its public
address. Entry names carry a generation number that changes with the password, which is what lets a password
change write the new entries beside the old ones and then switch over with one atomic write of this file.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wallet.accounts import AccountInfo, Kind
from wallet.config import read_json
from wallet.errors import ConfigError
from wallet.files import write_private_json

FORMAT_VERSION = 1
VAULT_KINDS = ("os", "file")


@dataclass
class AccountRecord:
    address: str
    label: str
    kind: Kind
    index: int | None = None
    secret: str | None = None  # vault entry of an imported key; derived keys come from the phrase

    def info(self) -> AccountInfo:
        return AccountInfo(self.address, self.label, self.index, self.kind)


@dataclass
class WalletMeta:
    wallet_id: str
    generation: int = 1
    mnemonic_secret: str | None = None
    mnemonic_words: int | None = None
    accounts: list[AccountRecord] = field(default_factory=list)
    # Crash recovery for a password change: entries written under a generation not (yet) switched to, and
    # entries of the previous generation still to be deleted.
    pending_generation: int | None = None
    stale_secrets: list[str] = field(default_factory=list)
    # Which vault holds the secrets ("os" or "file"), recorded when they are first written, so that later opens
    # use it whatever the environment says. None in wallets written before it was recorded.
    vault: str | None = None

    @classmethod
    def new(cls) -> WalletMeta:
        # Entries of two data dirs never collide in the one OS keyring because each wallet has its own id.
        return cls(wallet_id=secrets.token_hex(8))

    def entry(self, what: str, generation: int | None = None) -> str:
        return f"{self.wallet_id}/g{generation or self.generation}/{what}"

    def mnemonic_entry(self, generation: int | None = None) -> str:
        return self.entry("mnemonic", generation)

    def key_entry(self, address: str, generation: int | None = None) -> str:
        return self.entry("key-" + address.lower().removeprefix("0x"), generation)

    def secret_names(self, generation: int | None = None) -> list[str]:
        """Every vault entry this wallet would have under ``generation``."""
        names = [self.key_entry(a.address, generation) for a in self.accounts if a.kind == "imported"]
        if self.mnemonic_secret is not None:
            names.insert(0, self.mnemonic_entry(generation))
        return names

    def find(self, address: str) -> AccountRecord | None:
        wanted = address.lower()
        return next((a for a in self.accounts if a.address.lower() == wanted), None)

    def has_secrets(self) -> bool:
        return self.mnemonic_secret is not None or any(a.kind == "imported" for a in self.accounts)

    def next_index(self) -> int:
        used = [a.index for a in self.accounts if a.kind == "hd" and a.index is not None]
        return max(used) + 1 if used else 0

    def default_label(self, kind: Kind, index: int | None) -> str:
        if kind == "hd" and index is not None:
            return f"Account {index + 1}"
        return f"Imported {sum(1 for a in self.accounts if a.kind == 'imported') + 1}"

    def to_json(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, raw: Any, path: Path) -> WalletMeta:
        bad = ConfigError(f"The accounts file {path} is not in the expected format; it was left as it is.")
        if not isinstance(raw, dict) or raw.get("version") != FORMAT_VERSION:
            raise bad
        try:
            accounts = [AccountRecord(**a) for a in raw.get("accounts", [])]
            meta = cls(
                wallet_id=str(raw["wallet_id"]),
                generation=int(raw.get("generation", 1)),
                mnemonic_secret=raw.get("mnemonic_secret"),
                mnemonic_words=raw.get("mnemonic_words"),
                accounts=accounts,
                pending_generation=raw.get("pending_generation"),
                stale_secrets=list(raw.get("stale_secrets", [])),
                vault=raw.get("vault"),
            )
        except (KeyError, TypeError, ValueError):
            raise bad from None
        if any(a.kind not in ("hd", "imported") for a in accounts) or meta.vault not in (None, *VAULT_KINDS):
            raise bad
        return meta


def load_meta(path: Path) -> WalletMeta | None:
    try:
        raw = read_json(path, "accounts")
    except FileNotFoundError:
        return None
    return WalletMeta.from_json(raw, path)


def save_meta(path: Path, meta: WalletMeta) -> None:
    write_private_json(path, meta.to_json())


