"""The wallet's accounts: create, import, name, back up, lock and unlock, and which one is in use.

Every change is announced: ``AccountsChanged`` (added, imported, renamed), ``AccountSelected`` (the account in
use), ``LockChanged`` and ``SettingsChanged``. ``signer`` is the core's internal path to a key: the facade
hands it to the sub-services that sign (payments, sends, top-ups), never to its callers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from wallet.accounts import AccountInfo
from wallet.addresses import parse_address
from wallet.config import DataDir, Settings
from wallet.errors import InvalidInput
from wallet.events import AccountsChanged, AccountSelected, EventBus, LockChanged, SettingsChanged
from wallet.keys.metadata import WalletMeta, load_meta

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from wallet.keys.manager import KeyManager

CURRENT_ACCOUNT_KEY = "current_account"
MAX_AUTO_LOCK_MINUTES = 24 * 60
# What a signing sub-service is given: the key of an account of this wallet, while it is unlocked.
SignerFor: TypeAlias = "Callable[[str], LocalAccount]"


class AccountService:
    def __init__(self, data_dir: DataDir, settings: Settings, bus: EventBus, *, auto_lock: bool = True) -> None:
        self._data_dir = data_dir
        self._settings = settings
        self._bus = bus
        self._auto_lock = auto_lock  # off for a process that lives for one command (the CLI)
        self._lock = threading.Lock()
        self._manager: KeyManager | None = None

    @property
    def _keys(self) -> KeyManager:
        from wallet.keys.manager import KeyManager  # eth_account: ~1 s, imported outside the lock

        with self._lock:
            if self._manager is None:
                if self._auto_lock:
                    self._manager = KeyManager(self._data_dir, self._settings, on_lock=self._on_locked)
                else:
                    self._manager = KeyManager(self._data_dir, self._settings, idle_timeout=None,
                                               auto_lock_thread=False, on_lock=self._on_locked)
            return self._manager

    def _on_locked(self, reason: str) -> None:
        self._bus.publish(LockChanged(True))

    def close(self) -> None:
        with self._lock:
            manager, self._manager = self._manager, None
        if manager is not None:
            manager.close()

    def prepare_keys(self) -> None:
        """Load the key libraries and open the key manager now (~1 s, mostly importing eth_account), so that
        the first unlock or import does not wait for them."""
        self._keys  # noqa: B018 - the property does the loading

    def keys_ready(self) -> bool:
        """True once the key libraries are loaded: an unlock starts at once."""
        return self._manager is not None

    # --- the accounts: read from accounts.json alone, so the first screen needs no key library ---
    def _meta(self) -> WalletMeta | None:
        return load_meta(self._data_dir.accounts_file)

    def has_wallet(self) -> bool:
        meta = self._meta()
        return meta is not None and bool(meta.accounts)

    def has_mnemonic(self) -> bool:
        meta = self._meta()
        return meta is not None and meta.mnemonic_secret is not None

    def accounts(self) -> list[AccountInfo]:
        meta = self._meta()
        return [a.info() for a in meta.accounts] if meta else []

    def current_account(self) -> str | None:
        """The account the app shows and pays from; the first one unless the user picked another."""
        known = [a.address for a in self.accounts()]
        chosen = self._settings.extra.get(CURRENT_ACCOUNT_KEY)
        if chosen in known:
            return str(chosen)
        return known[0] if known else None

    def select_account(self, address: str) -> None:
        addr = parse_address(address)
        if addr not in [a.address for a in self.accounts()]:
            raise InvalidInput(f"The account {addr} is not in this wallet.")
        self._settings.extra[CURRENT_ACCOUNT_KEY] = addr
        self._settings.save(self._data_dir)
        self._bus.publish(AccountSelected(addr))

    def _added(self, select: str | None = None) -> None:
        self._bus.publish(AccountsChanged())
        if select is not None or self.current_account() is None:
            accounts = self.accounts()
            if accounts:
                self.select_account(select or accounts[0].address)

    # --- create and import ---
    def create_wallet(self, password: str, words: int = 12) -> str:
        phrase = self._keys.create_wallet(password, words)
        self._added()
        return phrase

    def import_mnemonic(self, phrase: str, password: str, label: str | None = None) -> AccountInfo:
        info = self._keys.import_mnemonic(phrase, password)
        if label:
            info = self._keys.rename_account(info.address, label)
        self._added(info.address)
        return info

    def import_private_key(self, key_text: str, password: str, label: str | None = None) -> AccountInfo:
        info = self._keys.import_private_key(key_text, password, label=label)
        self._added(info.address)
        return info

    def import_keystore(self, json_text: str, keystore_password: str, password: str,
                        label: str | None = None) -> AccountInfo:
        info = self._keys.import_keystore(json_text, keystore_password, password, label=label)
        self._added(info.address)
        return info

    def add_account(self, label: str | None = None) -> AccountInfo:
        info = self._keys.add_account(label)
        self._added(info.address)
        return info

    def rename_account(self, address: str, label: str) -> AccountInfo:
        info = self._keys.rename_account(address, label)
        self._bus.publish(AccountsChanged())
        return info

    # --- recovery phrases: pure helpers, so that the GUI never imports the key libraries itself ---
    @staticmethod
    def new_recovery_phrase(words: int = 12) -> str:
        from wallet.keys import mnemonic

        return mnemonic.generate(words)

    @staticmethod
    def check_recovery_phrase(phrase: str) -> int:
        from wallet.keys import mnemonic

        return len(mnemonic.normalize(phrase).split())

    # --- backups and password ---
    def export_keystore(self, address: str, password: str, keystore_password: str | None = None) -> str:
        return self._keys.export_keystore(address, password, keystore_password)

    @staticmethod
    def save_keystore(path: Path, keystore_json: str, *, replace: bool = True) -> None:
        from wallet.files import write_new_private_text

        try:
            # Never through a pipe, a device or a symlink; an existing regular file only when ``replace``.
            write_new_private_text(path, keystore_json, replace=replace)
        except OSError as e:
            raise InvalidInput(f"The file {path} could not be written: {e.strerror or e}.") from None

    def reveal_mnemonic(self, password: str) -> str:
        return self._keys.reveal_mnemonic(password)

    def change_password(self, old: str, new: str) -> None:
        self._keys.change_password(old, new)

    def reset_password(self, phrase: str, new: str) -> None:
        """Forgotten password: this wallet's recovery phrase sets a new one, and the wallet is unlocked."""
        self._keys.reset_password(phrase, new)
        self._bus.publish(LockChanged(False))

    def missing_secrets(self) -> list[str]:
        return self._keys.missing_secrets()

    # --- lock ---
    def unlock(self, password: str) -> None:
        self._keys.unlock(password)
        self._bus.publish(LockChanged(False))

    def lock(self) -> None:
        with self._lock:
            manager = self._manager
        if manager is not None:  # else no key was ever opened in this process
            manager.lock()  # publishes LockChanged through the manager's on_lock hook

    def is_locked(self) -> bool:
        """A process whose key manager is not open yet has never been unlocked: no key library is loaded to
        say so."""
        with self._lock:
            manager = self._manager
        return manager is None or manager.is_locked()

    def touch(self) -> None:
        with self._lock:
            manager = self._manager
        if manager is not None:
            manager.touch()

    def auto_lock_minutes(self) -> int:
        return self._settings.auto_lock_minutes

    def set_auto_lock_minutes(self, minutes: int) -> None:
        if not 0 <= minutes <= MAX_AUTO_LOCK_MINUTES:
            raise InvalidInput("Auto-lock must be between 0 (never) and 1440 minutes.")
        self._settings.auto_lock_minutes = minutes
        self._settings.save(self._data_dir)
        self._keys.set_idle_timeout(minutes * 60 or None)
        self._bus.publish(SettingsChanged("auto_lock_minutes"))

    def set_idle_timeout(self, seconds: float | None) -> None:
        """Lock after ``seconds`` without activity, for this run only (tests, benchmarks); the saved setting
        stays as it is."""
        self._keys.set_idle_timeout(seconds)

    # --- the core's internal path to a key ---
    def signer(self, address: str) -> LocalAccount:
        """For sub-services that sign; raises ``WalletLocked`` while locked. Never reaches the facade's API."""
        return self._keys.signer(address)
