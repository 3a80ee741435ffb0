"""Changing (or, with the recovery phrase, resetting) the password so that an interruption at any point
leaves exactly one password working.

The steps, each safe to die after:
1. accounts.json records ``pending_generation`` (the new entries' generation) — nothing else changes yet;
2. every secret is written again, under the new password, to new entry names (old entries untouched);
3. one atomic write of accounts.json switches to the new names and lists the old ones as stale;
4. the old entries are deleted and the stale list cleared.
Dying before 3 leaves the old password working (``recover`` later deletes the half-written new entries);
dying after 3 leaves the new one working (``recover`` deletes the leftovers of the old).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from wallet.errors import InvalidInput
from wallet.keys import mnemonic
from wallet.keys import secrets_io as sio
from wallet.keys.metadata import WalletMeta
from wallet.keys.vault import Vault

log = logging.getLogger(__name__)

Save = Callable[[WalletMeta], None]


def recover(vault: Vault, meta: WalletMeta, save: Save) -> WalletMeta:
    """Finish or undo a password change that was interrupted; a no-op (no keyring access) otherwise."""
    changed = False
    if meta.pending_generation is not None:
        left = sio.delete_quietly(vault, meta.secret_names(meta.pending_generation))
        if not left:
            log.info("removed the entries of an interrupted password change")
            meta.pending_generation = None
            changed = True
    if meta.stale_secrets:
        before = len(meta.stale_secrets)
        meta.stale_secrets = sio.delete_quietly(vault, meta.stale_secrets)
        changed = changed or len(meta.stale_secrets) != before
    if changed:
        save(meta)
    return meta


def change_password(
    vault: Vault, meta: WalletMeta, opened: sio.Opened, new: str, scrypt_n: int, save: Save
) -> None:
    _rotate(vault, meta, opened.phrase, opened.keys, new, scrypt_n, save)


def reset_password(vault: Vault, meta: WalletMeta, phrase: str, new: str, scrypt_n: int, save: Save) -> None:
    """A forgotten password: the recovery phrase, once it proves to be this wallet's (it derives the first
    account), is sealed under ``new`` by the same steps as a change. The imported keys were sealed under the
    forgotten password and cannot be opened: their entries go with the old generation, and their accounts
    stay as missing secrets (address and label kept) until each key is imported again."""
    first = next((a for a in meta.accounts if a.kind == "hd" and a.index == 0), None)
    if meta.mnemonic_secret is None or first is None:
        raise InvalidInput("This wallet has no recovery phrase: its accounts were imported one by one, so its "
                           "password cannot be reset. Import each key again into a new wallet.")
    if mnemonic.derive_address(mnemonic.to_seed(phrase), 0) != first.address:
        raise InvalidInput(f"This recovery phrase is not this wallet's: its first account is not "
                           f"{first.address}. Check the words and their order.")
    _rotate(vault, meta, phrase, {}, new, scrypt_n, save)


def _rotate(vault: Vault, meta: WalletMeta, phrase: str | None, keys: dict[str, bytearray], new: str,
            scrypt_n: int, save: Save) -> None:
    imported = [a for a in meta.accounts if a.kind == "imported"]
    old_names = [n for n in [meta.mnemonic_secret, *(a.secret for a in imported)] if n]
    new_gen = max(meta.generation, meta.pending_generation or 0) + 1

    meta.pending_generation = new_gen
    save(meta)

    if phrase is not None:
        sio.seal_phrase(vault, meta.mnemonic_entry(new_gen), phrase, new, scrypt_n)
    for address, key in keys.items():
        sio.store_key(vault, meta.key_entry(address, new_gen), key, new, scrypt_n)

    meta.generation = new_gen
    meta.pending_generation = None
    if meta.mnemonic_secret is not None:
        meta.mnemonic_secret = meta.mnemonic_entry()
    for rec in imported:
        # A secret that was already missing keeps missing under its new name; re-importing restores it there.
        rec.secret = meta.key_entry(rec.address)
    meta.stale_secrets = [*meta.stale_secrets, *old_names]
    save(meta)

    meta.stale_secrets = sio.delete_quietly(vault, meta.stale_secrets)
    save(meta)
