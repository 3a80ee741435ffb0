"""Where the encrypted key blobs are stored: the OS keyring, or (explicit opt-in only) a 0600 file.

The blobs handed to a vault are already encrypted under the wallet password; the vault adds the OS's own
protection (the login keyring) on top. There is never a silent fallback: if the OS keyring cannot be used the
caller gets ``KeyringUnavailable`` saying what to do, and the file backend is used only when the settings or
the environment ask for it by name.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any, Protocol

from wallet.config import DataDir, Settings
from wallet.errors import ConfigError, KeyringUnavailable, KeystoreError
from wallet.files import write_private_json
from wallet.safe_io import MIB, load_json_file

log = logging.getLogger(__name__)

SERVICE = "ai-token-wallet"
BACKEND_ENV = "AI_WALLET_KEYRING"
SETTINGS_KEY = "keyring_backend"
FILE_NAME = "keyring-file.json"
_FILE_FORMAT = "ai-wallet-file-keyring-v1"
# About 700 bytes per secret: room for thousands of accounts, and a bound on what a damaged file can cost.
MAX_FILE_BYTES = 16 * MIB
MAX_FILE_DEPTH = 8

NO_KEYRING_HELP = (
    "No OS keyring is available to hold the wallet's keys. On Linux, install and start a Secret Service "
    "provider such as gnome-keyring (apt install gnome-keyring) and use the wallet from a desktop session, "
    "or start one with `gnome-keyring-daemon --unlock`. On a headless machine you can opt in to an encrypted "
    f'file in the data dir instead: set "{SETTINGS_KEY}": "file" in settings.json or {BACKEND_ENV}=file '
    "(see docs/keys.md)."
)
LOCKED_HELP = (
    "The OS keyring is locked. Unlock it (log in to your desktop session, or unlock the \"Login\" keyring in "
    "your keyring manager, e.g. Passwords and Keys) and try again."
)


class Vault(Protocol):
    description: str
    kind: str  # "os" or "file": recorded in accounts.json, so the wallet always reopens the same vault

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None:
        """Remove an entry; an entry that is already gone is not an error."""


def backend_choice(settings: Settings) -> str:
    raw = os.environ.get(BACKEND_ENV) or settings.extra.get(SETTINGS_KEY) or "os"
    choice = str(raw).strip().lower()
    if choice in ("os", "keyring", "system"):
        return "os"
    if choice == "file":
        return "file"
    raise ConfigError(
        f'Unknown keyring backend {raw!r} (from {BACKEND_ENV} or "{SETTINGS_KEY}" in settings.json): '
        'use "os" (the default) or "file".'
    )


def open_vault(data_dir: DataDir, settings: Settings, recorded: str | None = None) -> Vault:
    """The vault of this data dir's wallet: the one recorded in accounts.json when its secrets were written;
    for a new wallet, the one the environment or settings choose (see ``backend_choice``)."""
    choice = backend_choice(settings)
    if recorded is None and choice == "os" and (data_dir.root / FILE_NAME).is_file():
        recorded = "file"  # a wallet from before the record, whose secrets went to the file vault
    if recorded is not None and recorded != choice and os.environ.get(BACKEND_ENV):
        log.warning("%s=%s ignored: this wallet's secrets are in the %s vault", BACKEND_ENV, choice, recorded)
    if (recorded or choice) == "file":
        return FileVault(data_dir.root / FILE_NAME)
    return KeyringVault()


class KeyringVault:
    """The OS keyring through ``keyring`` (Secret Service on Linux, Keychain on macOS, Credential Locker)."""

    def __init__(self, backend: Any | None = None, service: str = SERVICE) -> None:
        self._backend = backend
        self.service = service
        self.description = "OS keyring"
        self.kind = "os"

    def _kr(self) -> Any:
        import keyring

        backend = _os_backend(self._backend or keyring.get_keyring())
        self.description = f"OS keyring ({type(backend).__name__} from {type(backend).__module__})"
        return backend

    def get(self, name: str) -> str | None:
        return self._call("read", lambda kr: kr.get_password(self.service, name))

    def set(self, name: str, value: str) -> None:
        self._call("write", lambda kr: kr.set_password(self.service, name, value))

    def delete(self, name: str) -> None:
        from keyring.errors import PasswordDeleteError

        def op(kr: Any) -> None:
            with contextlib.suppress(PasswordDeleteError):  # already gone
                kr.delete_password(self.service, name)

        self._call("delete", op)

    def _call(self, what: str, op: Any) -> Any:
        from keyring.errors import InitError, KeyringLocked, NoKeyringError

        error: KeystoreError | None = None
        result = None
        try:
            result = op(self._kr())
        except KeyringUnavailable as e:
            error = e
        except KeyringLocked:
            error = KeyringUnavailable(LOCKED_HELP)
        except (NoKeyringError, InitError):
            error = KeyringUnavailable(NO_KEYRING_HELP)
        except Exception as e:  # D-Bus, secretstorage and platform errors come in many types
            log.warning("keyring %s failed: %s", what, type(e).__name__)
            error = KeyringUnavailable(
                f"The OS keyring could not {what} the wallet's entry ({type(e).__name__}). "
                "Check that the keyring service is running and unlocked, then try again."
            )
        if error is not None:
            raise error
        return result


def _os_backend(backend: Any) -> Any:
    """The OS keyring backend to use: never one that stores in plain text, stores nothing, or prompts on a tty.

    ``keyring`` chains every viable backend, so with keyrings.alt installed the chain holds its plaintext file
    beside the Secret Service; the wallet then talks to the best OS backend of the chain directly.
    """
    from keyring.backends import chainer, fail, null

    members = list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
    rejected = [b for b in members if type(b).__module__.startswith("keyrings.alt")]
    usable = [b for b in members if b not in rejected and not isinstance(b, (fail.Keyring, null.Keyring))]
    if usable:
        return usable[0]
    if rejected:
        b = rejected[0]
        raise KeyringUnavailable(
            f"The configured keyring backend {type(b).__module__}.{type(b).__name__} is not an OS keyring; "
            "the wallet does not use it. " + NO_KEYRING_HELP
        )
    raise KeyringUnavailable(NO_KEYRING_HELP)


class FileVault:
    """The same encrypted blobs in one JSON file, mode 0600, for machines without an OS keyring."""

    def __init__(self, path: Path, service: str = SERVICE) -> None:
        self.path = path
        self.service = service
        self.description = f"encrypted file {path}"
        self.kind = "file"

    def get(self, name: str) -> str | None:
        value = self._load().get(name)
        return value if isinstance(value, str) else None

    def set(self, name: str, value: str) -> None:
        entries = self._load()
        entries[name] = value
        self._save(entries)

    def delete(self, name: str) -> None:
        entries = self._load()
        if entries.pop(name, None) is not None:
            self._save(entries)

    def _read(self) -> Any:
        try:
            return load_json_file(self.path, max_bytes=MAX_FILE_BYTES, max_depth=MAX_FILE_DEPTH,
                                  what="the key file", must_exist=False, error=KeystoreError)
        except KeystoreError as e:
            raise KeystoreError(f"{e.user_message} It was left as it is.") from None

    def _load(self) -> dict[str, Any]:
        try:
            data = self._read()
        except FileNotFoundError:
            return {}
        if not isinstance(data, dict) or data.get("format") != _FILE_FORMAT:
            raise KeystoreError(f"The key file {self.path} is not in the expected format; it was left as it is.")
        entries = data.get("entries", {}).get(self.service, {})
        return dict(entries) if isinstance(entries, dict) else {}

    def _save(self, entries: dict[str, Any]) -> None:
        try:
            data = self._read()
        except FileNotFoundError:
            data = {}
        all_entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(all_entries, dict):
            all_entries = {}
        all_entries[self.service] = entries
        write_private_json(self.path, {"format": _FILE_FORMAT, "entries": all_entries})
