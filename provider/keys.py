"""The operator's keys: read from a file or the environment, never from the command line, never logged.

A key file holds one hex private key (optionally 0x-prefixed; only a final newline is stripped). A key taken
from the environment is removed from it at once, so no child process inherits it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from wallet.errors import ConfigError

MAX_KEY_FILE_BYTES = 64 * 1024  # room for many settlement keys, one per line
_HEX_KEY = re.compile(r"(0x)?[0-9a-fA-F]{64}")

FACILITATOR_KEY_ENV = "AI_FACILITATOR_KEY"
SETTLEMENT_KEYS_ENV = "AI_FACILITATOR_SETTLEMENT_KEYS"   # comma-separated


def read_secret_file(path: str | Path, what: str) -> str:
    """The text of a small secret file, read by bytes (it may be a pipe or a device)."""
    p = Path(path)
    try:
        with open(p, "rb") as f:
            if stat.S_ISDIR(os.fstat(f.fileno()).st_mode):
                raise ConfigError(f"The {what} {p} is a folder, not a file.")
            data = f.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"Cannot read the {what} {p}: {e.strerror or e}.") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ConfigError(f"The {what} {p} is larger than {MAX_KEY_FILE_BYTES // 1024} KiB; it holds no key.")
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise ConfigError(f"The {what} {p} is not a hex private key (it is not plain ASCII).") from None


def parse_key(text: str, what: str) -> LocalAccount:
    """A private key as an account; the error never repeats the text."""
    key = text[:-1] if text.endswith("\n") else text
    key = key[:-1] if key.endswith("\r") else key
    if not _HEX_KEY.fullmatch(key):
        raise ConfigError(f"The {what} is not a private key: expected 64 hexadecimal characters.")
    account: LocalAccount = Account.from_key(key if key.startswith("0x") else "0x" + key)
    return account


def key_from_file(path: str | Path, what: str) -> LocalAccount:
    return parse_key(read_secret_file(path, what), f"{what} {path}")


def keys_from_file(path: str | Path, what: str) -> list[LocalAccount]:
    """One key per non-empty line."""
    lines = [ln.strip() for ln in read_secret_file(path, what).splitlines()]
    return [parse_key(ln, f"{what} {path} (line {i})") for i, ln in enumerate(lines, 1) if ln]


def take_env_key(name: str, what: str) -> LocalAccount | None:
    text = os.environ.pop(name, None)
    return parse_key(text, f"{what} in ${name}") if text else None


def take_env_keys(name: str, what: str) -> list[LocalAccount]:
    text = os.environ.pop(name, None) or ""
    return [parse_key(part.strip(), f"{what} in ${name}") for part in text.split(",") if part.strip()]


class PayeeKeys:
    """Settlement keys by the payTo address they belong to.

    A scheme whose settlement only the payee may submit (``receiveWithAuthorization…``) settles a payment with
    the key of its payTo; the facilitator holds one such key per provider it serves.
    """

    def __init__(self, accounts: Iterable[LocalAccount] = ()) -> None:
        self._by_address: dict[str, LocalAccount] = {a.address.lower(): a for a in accounts}

    def __len__(self) -> int:
        return len(self._by_address)

    def __repr__(self) -> str:
        return f"PayeeKeys({sorted(a.address for a in self._by_address.values())})"

    def addresses(self) -> list[str]:
        return sorted(a.address for a in self._by_address.values())

    def for_pay_to(self, pay_to: str) -> LocalAccount | None:
        return self._by_address.get(pay_to.lower())
