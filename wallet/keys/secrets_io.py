"""Reading and writing the wallet's encrypted secrets in a vault, by the names accounts.json gives them."""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from wallet.errors import InvalidPassword, KeystoreError, SecretMissing
from wallet.keys import keystore, mnemonic, sealed
from wallet.keys.lockstate import Session, wipe
from wallet.keys.metadata import WalletMeta
from wallet.keys.vault import Vault

log = logging.getLogger(__name__)

PHRASE_PURPOSE = "bip39-recovery-phrase"


def missing_phrase_message() -> str:
    return (
        "The recovery phrase's entry is missing from the keyring (it was removed outside the wallet). "
        "Your accounts' addresses and labels are kept; import the same recovery phrase again to restore it."
    )


def missing_key_message(address: str) -> str:
    return (
        f"The key of {address} is missing from the keyring (it was removed outside the wallet). Its address "
        "and label are kept; import the same private key or keystore file again to restore it."
    )


@dataclass
class Opened:
    """Plaintexts opened with the password, for as long as one operation needs them."""

    phrase: str | None = None
    keys: dict[str, bytearray] = field(default_factory=dict)  # imported keys only
    missing: set[str] = field(default_factory=set)
    verified: bool = False  # at least one secret opened, so the password is the wallet's

    def wipe(self) -> None:
        self.phrase = None
        for k in self.keys.values():
            wipe(k)
        self.keys.clear()


def seal_phrase(vault: Vault, name: str, phrase: str, password: str, scrypt_n: int) -> None:
    vault.set(name, sealed.seal(phrase, password, scrypt_n=scrypt_n, purpose=PHRASE_PURPOSE))


def store_key(vault: Vault, name: str, key: bytes | bytearray, password: str, scrypt_n: int) -> None:
    blob = keystore.encrypt_key(key, password, scrypt_n=scrypt_n)
    vault.set(name, json.dumps(blob, sort_keys=True))


def open_phrase(vault: Vault, meta: WalletMeta, password: str) -> str:
    if meta.mnemonic_secret is None:
        raise KeystoreError("This wallet has no recovery phrase: its accounts were imported one by one.")
    blob = vault.get(meta.mnemonic_secret)
    if blob is None:
        raise SecretMissing(missing_phrase_message())
    return sealed.unseal(blob, password, purpose=PHRASE_PURPOSE)


def open_key(vault: Vault, name: str, address: str, password: str) -> bytearray:
    blob = vault.get(name)
    if blob is None:
        raise SecretMissing(missing_key_message(address))
    return _open_blob((address, blob), password)  # type: ignore[return-value]


# (address of an imported key, or None for the recovery phrase; its blob)
_Job = tuple[str | None, str]


def _open_blob(job: _Job, password: str) -> str | bytearray:
    address, blob = job
    if address is None:
        return sealed.unseal(blob, password, purpose=PHRASE_PURPOSE)
    key = keystore.decrypt_wallet_key(blob, password)
    if mnemonic.address_of_key(key) != address:
        wipe(key)
        raise KeystoreError(f"The keyring entry for {address} holds a different key; it was altered.")
    return key


def open_all(vault: Vault, meta: WalletMeta, password: str, *, first_only: bool = False) -> Opened:
    """Open every secret (or only the first present, with ``first_only``).

    The first one opened decides whether the password is right (InvalidPassword, after a single scrypt);
    the others are then opened in parallel, since scrypt releases the GIL. Entries missing from the vault
    are listed in ``missing``, not fatal.
    """
    opened = Opened()
    jobs: list[_Job] = []
    # Blobs are fetched here, in the calling thread: keyring backends are not all thread-safe.
    if meta.mnemonic_secret is not None:
        blob = vault.get(meta.mnemonic_secret)
        if blob is None:
            log.warning("keyring entry missing for the recovery phrase")
            opened.missing.update(a.address for a in meta.accounts if a.kind == "hd")
        else:
            jobs.append((None, blob))
    for rec in meta.accounts:
        if rec.kind != "imported" or rec.secret is None or (first_only and jobs):
            continue
        blob = vault.get(rec.secret)
        if blob is None:
            log.warning("keyring entry missing for %s", rec.address)
            opened.missing.add(rec.address)
        else:
            jobs.append((rec.address, blob))
    if not jobs:
        return opened
    try:
        _store(opened, jobs[0], _open_blob(jobs[0], password))
        opened.verified = True
        rest = [] if first_only else jobs[1:]
        if rest:
            # Each derivation holds 128*r*n bytes: a few at a time, not one per key.
            with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1, len(rest))) as pool:
                futures = [pool.submit(_open_blob, job, password) for job in rest]
            for job, future in zip(rest, futures, strict=True):
                try:
                    value = future.result()
                except InvalidPassword:
                    what = job[0] or "the recovery phrase"
                    raise KeystoreError(
                        f"The stored secret for {what} does not open with the password that opens the others; "
                        "it was altered outside the wallet."
                    ) from None
                _store(opened, job, value)
    except BaseException:
        opened.wipe()
        raise
    return opened


def _store(opened: Opened, job: _Job, value: str | bytearray) -> None:
    if job[0] is None:
        assert isinstance(value, str)
        opened.phrase = value
    else:
        assert isinstance(value, bytearray)
        opened.keys[job[0]] = value


def require_verified(opened: Opened) -> Opened:
    if not opened.verified:
        raise SecretMissing(
            "None of this wallet's secrets are in the keyring any more (they were removed outside the wallet). "
            "The addresses and labels are kept; import the recovery phrase or the keys again to restore them."
        )
    return opened


def session_from(meta: WalletMeta, opened: Opened) -> Session:
    session = Session(missing=set(opened.missing))
    if opened.phrase is not None:
        session.seed = mnemonic.to_seed(opened.phrase)
        for rec in meta.accounts:
            if rec.kind == "hd" and rec.index is not None:
                session.keys[rec.address] = mnemonic.derive_key(session.seed, rec.index)
    for address, key in opened.keys.items():
        session.keys[address] = bytearray(key)
    return session


def delete_quietly(vault: Vault, names: list[str]) -> list[str]:
    """Delete entries; return the ones that could not be deleted (to retry later)."""
    left = []
    for name in names:
        try:
            vault.delete(name)
        except KeystoreError:
            left.append(name)
    return left
