"""`KeyManager`: create, import, back up, lock and use the wallet's keys. Plain Python, blocking, thread-safe.

``_op`` serializes the operations that read or write secrets (they can take seconds of scrypt); the unlocked
state has its own lock (see unlocked.py), so ``is_locked`` and signing stay fast while such an operation runs.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Literal, TypeVar

from eth_account.signers.local import LocalAccount

from wallet.accounts import check_new_password, clean_label
from wallet.addresses import parse_address
from wallet.config import DataDir, Settings
from wallet.errors import InvalidInput, InvalidPassword, KeystoreError, SecretMissing
from wallet.files import ProcessLock
from wallet.keys import keystore, mnemonic
from wallet.keys import secrets_io as sio
from wallet.keys.lockstate import Session, Throttle
from wallet.keys.metadata import AccountInfo, AccountRecord, WalletMeta, load_meta, save_meta
from wallet.keys.rotation import change_password, recover, reset_password
from wallet.keys.unlocked import LockReason, Unlocked
from wallet.keys.vault import Vault, open_vault

log = logging.getLogger(__name__)

T = TypeVar("T")
THROTTLE_FILE = "unlock-attempts.json"
LOCK_FILE = "keys.lock"


class KeyManager:
    def __init__(
        self,
        data_dir: DataDir,
        settings: Settings | None = None,
        *,
        vault: Vault | None = None,
        on_lock: Callable[[LockReason], None] | None = None,
        idle_timeout: float | Literal["settings"] | None = "settings",
        scrypt_n: int = keystore.WALLET_SCRYPT_N,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        auto_lock_thread: bool = True,
    ) -> None:
        self.data_dir = data_dir
        self.settings = settings if settings is not None else Settings.load(data_dir)
        self._vault = vault
        self._scrypt_n = scrypt_n
        self._op = ProcessLock(data_dir.root / LOCK_FILE)
        timeout = (
            self.settings.auto_lock_minutes * 60 or None  # 0 minutes: never auto-lock
            if idle_timeout == "settings"
            else idle_timeout
        )
        self._unlocked = Unlocked(timeout, on_lock, monotonic=monotonic, background=auto_lock_thread)
        self._throttle = Throttle(data_dir.root / THROTTLE_FILE, clock=clock)

    # --- vault and metadata ---
    @property
    def vault(self) -> Vault:
        with self._op:
            if self._vault is None:
                meta = self._meta()
                self._vault = open_vault(self.data_dir, self.settings, meta.vault if meta else None)
            return self._vault

    def _meta(self) -> WalletMeta | None:
        return load_meta(self.data_dir.accounts_file)

    def _save(self, meta: WalletMeta) -> None:
        if meta.vault is None and meta.has_secrets() and self._vault is not None:
            meta.vault = getattr(self._vault, "kind", None)  # secrets were just written to, or read from, it
        self.data_dir.ensure()
        save_meta(self.data_dir.accounts_file, meta)

    def _meta_for_write(self) -> WalletMeta:
        meta = self._meta()
        if meta is None:
            return WalletMeta.new()
        return recover(self.vault, meta, self._save)

    def _existing(self) -> WalletMeta:
        meta = self._meta()
        if meta is None or not meta.accounts:
            raise KeystoreError("There is no wallet yet: create one or import a recovery phrase or key.")
        return meta

    # --- queries (no keyring access) ---
    def has_wallet(self) -> bool:
        meta = self._meta()
        return meta is not None and bool(meta.accounts)

    def list_accounts(self) -> list[AccountInfo]:
        meta = self._meta()
        return [a.info() for a in meta.accounts] if meta else []

    def has_mnemonic(self) -> bool:
        meta = self._meta()
        return meta is not None and meta.mnemonic_secret is not None

    def missing_secrets(self) -> list[str]:
        """Addresses whose secret was not found in the keyring at the last unlock."""
        return self._unlocked.missing()

    # --- create and import ---
    def create_wallet(self, password: str, words: int = 12) -> str:
        """A new recovery phrase and its first account. Returns the phrase (space-separated words) to show once."""
        phrase = mnemonic.generate(words)
        with self._op:
            if self.has_wallet():
                raise InvalidInput(
                    f"A wallet already exists in {self.data_dir.root}. Use another data dir for a second one."
                )
            self._import_phrase(phrase, password)
        return phrase

    def import_mnemonic(self, phrase: str, password: str, label: str | None = None) -> AccountInfo:
        label = clean_label(label)  # every argument is checked before anything is written
        canonical = mnemonic.normalize(phrase)
        with self._op:
            return self._import_phrase(canonical, password, label)

    def import_private_key(self, key_text: str, password: str, label: str | None = None) -> AccountInfo:
        label = clean_label(label)
        key = keystore.parse_private_key(key_text)
        return self._import_key(key, password, label)

    def import_keystore(
        self, json_text: str, keystore_password: str, password: str, label: str | None = None
    ) -> AccountInfo:
        label = clean_label(label)
        ks = keystore.parse_foreign_keystore(json_text)
        stated = ks.get("address")
        meta = self._meta()
        if meta and isinstance(stated, str) and (rec := meta.find("0x" + stated.lower().removeprefix("0x"))):
            self._refuse_duplicate(meta, rec)
        key = keystore.decrypt_foreign_keystore(ks, keystore_password)
        return self._import_key(key, password, label)

    def _refuse_duplicate(self, meta: WalletMeta, rec: AccountRecord) -> None:
        if rec.kind == "imported" and rec.secret and self.vault.get(rec.secret) is None:
            return  # its secret was lost: importing it again restores it
        raise InvalidInput(f"The account {rec.address} is already in this wallet.")

    def _import_phrase(self, phrase: str, password: str, label: str | None = None) -> AccountInfo:
        meta = self._meta_for_write()
        seed = mnemonic.to_seed(phrase)
        first = mnemonic.derive_address(seed, 0)
        restoring = False
        if meta.mnemonic_secret is not None:
            rec0 = next((a for a in meta.accounts if a.kind == "hd" and a.index == 0), None)
            same = rec0 is not None and rec0.address == first
            if same and self.vault.get(meta.mnemonic_secret) is None:
                restoring = True
            elif same:
                raise InvalidInput("This recovery phrase is already in the wallet.")
            else:
                raise InvalidInput(
                    "This wallet already has a different recovery phrase; a wallet holds one. "
                    "Use another data dir for a second wallet."
                )
        session = self._session_for_import(meta, password)
        meta.mnemonic_secret = meta.mnemonic_entry()
        meta.mnemonic_words = len(phrase.split())
        sio.seal_phrase(self.vault, meta.mnemonic_secret, phrase, password, self._scrypt_n)
        replaced = [] if restoring else self._put_hd_account(meta, 0, first, label)
        self._save(meta)
        sio.delete_quietly(self.vault, replaced)
        session.seed = seed
        for rec in meta.accounts:
            if rec.kind == "hd" and rec.index is not None:
                session.keys[rec.address] = mnemonic.derive_key(seed, rec.index)
                session.missing.discard(rec.address)
        self._unlocked.start(session)
        log.info("recovery phrase %s; first account %s", "restored" if restoring else "stored", first)
        rec = meta.find(first)
        assert rec is not None
        return rec.info()

    def _import_key(self, key: bytearray, password: str, label: str | None) -> AccountInfo:
        address = mnemonic.address_of_key(key)
        with self._op:
            meta = self._meta_for_write()
            rec = meta.find(address)
            if rec is not None:
                self._refuse_duplicate(meta, rec)
            session = self._session_for_import(meta, password)
            if rec is None:
                rec = AccountRecord(address, label or meta.default_label("imported", None), "imported")
                meta.accounts.append(rec)
            rec.secret = meta.key_entry(address)
            sio.store_key(self.vault, rec.secret, key, password, self._scrypt_n)
            self._save(meta)
            session.keys[address] = key
            session.missing.discard(address)
            self._unlocked.start(session)
            log.info("imported account %s", address)
            return rec.info()

    def _session_for_import(self, meta: WalletMeta, password: str) -> Session:
        """The session to extend; proves ``password`` is the wallet's when the wallet already has secrets."""
        if not meta.has_secrets():
            check_new_password(password)
            return Session()
        current = self._unlocked.current()
        opened = self._checked(lambda: sio.open_all(self.vault, meta, password, first_only=current is not None))
        try:
            if not opened.verified:
                # Every secret was lost from the keyring: this import starts them again under this password.
                check_new_password(password)
            return current if current is not None else sio.session_from(meta, opened)
        finally:
            opened.wipe()

    def _put_hd_account(self, meta: WalletMeta, index: int, address: str, label: str | None) -> list[str]:
        """Add the derived account; an imported copy of the same key becomes derived. Returns entries to drop."""
        rec = meta.find(address)
        if rec is None:
            meta.accounts.append(AccountRecord(address, label or meta.default_label("hd", index), "hd", index))
            return []
        dropped = [rec.secret] if rec.secret else []
        rec.kind, rec.index, rec.secret = "hd", index, None
        if label:
            rec.label = label
        return dropped

    def add_account(self, label: str | None = None) -> AccountInfo:
        """The next account from the recovery phrase (MetaMask's "Add account"). Needs the wallet unlocked."""
        label = clean_label(label)
        with self._op:
            meta = self._meta_for_write()
            if meta.mnemonic_secret is None:
                raise InvalidInput("This wallet has no recovery phrase to derive more accounts from.")
            seed = self._unlocked.seed_copy()
            if seed is None:
                raise SecretMissing(sio.missing_phrase_message())
            index = meta.next_index()
            key = mnemonic.derive_key(seed, index)
            address = mnemonic.address_of_key(key)
            dropped = self._put_hd_account(meta, index, address, label)
            self._save(meta)
            sio.delete_quietly(self.vault, dropped)
            self._unlocked.add_key(address, key)
            log.info("added account %s at index %d", address, index)
            rec = meta.find(address)
            assert rec is not None
            return rec.info()

    def rename_account(self, address: str, label: str) -> AccountInfo:
        text = clean_label(label)
        if text is None:
            raise InvalidInput("Enter a label.")
        with self._op:
            meta = self._existing()
            rec = self._record(meta, address)
            rec.label = text
            self._save(meta)
            return rec.info()

    def _record(self, meta: WalletMeta, address: str) -> AccountRecord:
        rec = meta.find(parse_address(address))
        if rec is None:
            raise InvalidInput(f"The account {address} is not in this wallet.")
        return rec

    # --- backups ---
    def export_keystore(self, address: str, password: str, keystore_password: str | None = None) -> str:
        """The account as a v3 keystore JSON (MetaMask/Geth), encrypted with ``keystore_password`` or the
        wallet password. Always asks for the password, even when unlocked."""
        if keystore_password is not None:
            check_new_password(keystore_password, what="The keystore file's password")
        with self._op:
            meta = self._existing()
            rec = self._record(meta, address)

            def open_key() -> bytearray:
                if rec.kind == "imported":
                    if rec.secret is None:
                        raise SecretMissing(sio.missing_key_message(rec.address))
                    return sio.open_key(self.vault, rec.secret, rec.address, password)
                seed = mnemonic.to_seed(sio.open_phrase(self.vault, meta, password))
                return mnemonic.derive_key(seed, rec.index or 0)

            key = self._checked(open_key)
            blob = keystore.encrypt_key(
                key, keystore_password or password, scrypt_n=keystore.EXPORT_SCRYPT_N
            )
            log.info("exported keystore of %s", rec.address)
            return json.dumps(blob)

    def reveal_mnemonic(self, password: str) -> str:
        """The recovery phrase, for a backup. Always asks for the password, even when unlocked."""
        with self._op:
            meta = self._existing()
            phrase = self._checked(lambda: sio.open_phrase(self.vault, meta, password))
            log.info("recovery phrase revealed")
            return phrase

    # --- lock ---
    def unlock(self, password: str) -> None:
        with self._op:
            meta = recover(self.vault, self._existing(), self._save)
            opened = sio.require_verified(self._checked(lambda: sio.open_all(self.vault, meta, password)))
            try:
                session = sio.session_from(meta, opened)
            finally:
                opened.wipe()
            if meta.vault is None and getattr(self.vault, "kind", None):
                self._save(meta)  # the secrets opened from this vault: record it for a wallet from before the record
            self._unlocked.start(session)
            log.info("unlocked: %d keys, %d missing", len(session.keys), len(session.missing))

    def lock(self) -> None:
        self._unlocked.end("manual")

    def is_locked(self) -> bool:
        """True when locked; passing the idle deadline locks (dropping the keys) before answering."""
        return self._unlocked.is_locked()

    def touch(self) -> None:
        """Activity: pushes the auto-lock deadline back (the GUI calls it on user input)."""
        self._unlocked.touch()

    def set_idle_timeout(self, seconds: float | None) -> None:
        self._unlocked.set_timeout(seconds)

    def set_on_lock(self, callback: Callable[[LockReason], None] | None) -> None:
        """Called after the keys are dropped, from the thread that locked (the auto-lock timer's, for idle);
        it must not block (the GUI should only emit a signal from it)."""
        self._unlocked.set_on_lock(callback)

    def close(self) -> None:
        self._unlocked.close()

    def change_password(self, old: str, new: str) -> None:
        check_new_password(new)
        if new == old:
            raise InvalidInput("The new password is the same as the current one.")
        with self._op:
            meta = recover(self.vault, self._existing(), self._save)
            opened = sio.require_verified(self._checked(lambda: sio.open_all(self.vault, meta, old)))
            try:
                change_password(self.vault, meta, opened, new, self._scrypt_n, self._save)
            finally:
                opened.wipe()
            log.info("password changed")

    def reset_password(self, phrase: str, new: str) -> None:
        """A forgotten password: the wallet's own recovery phrase sets a new one and unlocks. Imported keys,
        sealed under the forgotten password, become missing secrets to import again."""
        check_new_password(new)
        canonical = mnemonic.normalize(phrase)
        with self._op:
            meta = recover(self.vault, self._existing(), self._save)
            lost = {a.address for a in meta.accounts if a.kind == "imported"}
            reset_password(self.vault, meta, canonical, new, self._scrypt_n, self._save)  # checks the phrase
            self._throttle.success()  # whoever holds the phrase owns the wallet; old failures no longer count
            self._unlocked.start(sio.session_from(meta, sio.Opened(phrase=canonical, missing=lost)))
            log.info("password reset with the recovery phrase; %d imported keys to import again", len(lost))

    # --- signing ---
    def signer(self, address: str) -> LocalAccount:
        """A LocalAccount for other core modules to sign with (EIP-712, transactions). It reads its key from
        the unlocked session at each signature, so once the wallet locks it raises ``WalletLocked``."""
        addr = parse_address(address)
        signer = self._unlocked.signer(addr)
        if signer is not None:
            return signer
        meta = self._meta()
        rec = meta.find(addr) if meta else None
        if rec is None:
            raise InvalidInput(f"The account {addr} is not in this wallet.")
        if rec.kind == "hd":
            raise SecretMissing(sio.missing_phrase_message())
        raise SecretMissing(sio.missing_key_message(addr))

    # --- internals ---
    def _checked(self, fn: Callable[[], T]) -> T:
        """Run a wallet-password check under the persisted throttle."""
        self._throttle.check()
        try:
            result = fn()
        except InvalidPassword:
            delay = self._throttle.failure()
            wait = f" Wait {delay} seconds before trying again." if delay else ""
            raise InvalidPassword("Wrong password." + wait) from None
        self._throttle.success()
        return result

