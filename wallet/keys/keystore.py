"""Private keys in Web3 Secret Storage v3 form (eth-account/eth-keyfile), and checks on foreign keystore files.

Two scrypt work factors are used on purpose (docs/keys.md has the measurements):
- ``WALLET_SCRYPT_N`` for the wallet's own blobs, which sit inside the OS keyring: every unlock derives once per
  stored secret, so it is kept to about half a second per derivation on a laptop.
- ``EXPORT_SCRYPT_N`` (eth-account's and Geth's default) for keystore files the user exports: those leave the
  keyring's protection, live on disks and in backups, and are decrypted rarely.

Error handling never chains the library's exception: some of them quote their input.
"""

from __future__ import annotations

import re
from typing import Any

from eth_account import Account
from eth_keyfile.keyfile import normalize_keys
from eth_keys import keys

from wallet.accounts import MAX_KEYSTORE_BYTES, MAX_KEYSTORE_DEPTH
from wallet.errors import InvalidInput, InvalidPassword, KeystoreError
from wallet.safe_io import loads_bounded

WALLET_SCRYPT_N = 2**17
EXPORT_SCRYPT_N = 2**18
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

# Limits on a foreign file's KDF so that a hostile keystore cannot make the wallet allocate gigabytes or spin
# for minutes. Geth's "standard" scrypt is n=2^18, r=8, p=1 (256 MiB); its "light" one n=2^12, p=6.
_MAX_SCRYPT_MEMORY = 1 << 30
_MAX_SCRYPT_WORK = 2**22  # n * p
# n * r * p is the total work: twice Geth's and MetaMask's standard (n=2^18, r=8, p=1) at most, so a hostile
# file cannot keep the wallet busy for minutes.
_MAX_SCRYPT_TOTAL = 2**22
_MAX_SCRYPT_R = 32
_MAX_PBKDF2_ROUNDS = 10_000_000


_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


def parse_private_key(text: str) -> bytearray:
    """32 key bytes from hex text (with or without 0x), or ``InvalidInput`` saying what is wrong with it."""
    s = text.strip()
    if s[:2] in ("0x", "0X"):
        s = s[2:]
    if len(s) != 64:
        raise InvalidInput(
            f"A private key is 64 hexadecimal characters (32 bytes); this one has {len(s)} characters."
        )
    if not _HEX64.fullmatch(s):
        raise InvalidInput("The private key contains characters that are not hexadecimal (0-9, a-f).")
    key = bytearray.fromhex(s)
    check_private_key(key)
    return key


def check_private_key(key: bytes | bytearray) -> None:
    if len(key) != 32:
        raise InvalidInput("A private key is exactly 32 bytes.")
    value = int.from_bytes(key, "big")
    if not 0 < value < SECP256K1_N:
        raise InvalidInput(
            "This is not a valid Ethereum private key: it must be a number from 1 to the secp256k1 "
            "group order minus 1."
        )


def encrypt_key(key: bytes | bytearray, password: str, *, scrypt_n: int = WALLET_SCRYPT_N) -> dict[str, Any]:
    return Account.encrypt(bytes(key), password, kdf="scrypt", iterations=scrypt_n)


def decrypt_wallet_key(blob: str, password: str) -> bytearray:
    """Decrypt one of the wallet's own v3 blobs: a MAC mismatch here means the wallet password is wrong."""
    try:
        keystore = loads_bounded(blob, max_bytes=MAX_KEYSTORE_BYTES, max_depth=MAX_KEYSTORE_DEPTH,
                                 what="a stored key", error=KeystoreError)
    except KeystoreError:
        keystore = None
    if not isinstance(keystore, dict):
        raise KeystoreError("A stored key is damaged (its keyring entry is not a keystore).")
    key, failure = _decrypt(keystore, password)
    if failure == "mac":
        raise InvalidPassword("Wrong password.")
    if key is None:
        raise KeystoreError("A stored key is damaged and cannot be decrypted.")
    return key


def parse_foreign_keystore(text: str) -> dict[str, Any]:
    """Validate a v3 keystore file's structure and KDF limits before any expensive work is done."""
    try:
        raw = loads_bounded(text, max_bytes=MAX_KEYSTORE_BYTES, max_depth=MAX_KEYSTORE_DEPTH,
                            what="the keystore file", error=KeystoreError)
    except KeystoreError as e:
        raise KeystoreError(f"{e.user_message} It may be truncated or not a keystore.") from None
    if not isinstance(raw, dict):
        raise KeystoreError("The keystore file is not a JSON object; it may be truncated or not a keystore.")
    ks = normalize_keys(raw)
    if ks.get("version") != 3:
        raise KeystoreError(
            "Only version 3 keystore files (as written by Geth, MetaMask and MyEtherWallet) can be imported."
        )
    crypto = ks.get("crypto")
    if not isinstance(crypto, dict):
        raise KeystoreError("The keystore file has no \"crypto\" section; it is damaged or not a keystore.")
    if crypto.get("cipher") != "aes-128-ctr":
        raise KeystoreError("The keystore uses a cipher other than aes-128-ctr, which is not supported.")
    for name, value, size in (
        ("ciphertext", crypto.get("ciphertext"), 32),
        ("mac", crypto.get("mac"), 32),
        ("iv", cipherparams.get("iv") if isinstance(cipherparams := crypto.get("cipherparams"), dict) else None,
         16),
    ):
        if not _is_hex(value, size):
            raise KeystoreError(f"The keystore's {name} is missing or malformed; the file is damaged.")
    _check_kdf(crypto.get("kdf"), crypto.get("kdfparams"))
    return ks


def decrypt_foreign_keystore(ks: dict[str, Any], keystore_password: str) -> bytearray:
    key, failure = _decrypt(ks, keystore_password)
    if failure == "mac":
        raise InvalidPassword(
            "The keystore password is wrong, or the file was altered (its integrity check failed)."
        )
    if key is None:
        raise KeystoreError("The keystore file is damaged and cannot be decrypted.")
    try:
        check_private_key(key)
    except InvalidInput:
        raise KeystoreError("The keystore file does not hold a valid Ethereum private key.") from None
    stated = ks.get("address")
    if isinstance(stated, str) and stated:
        actual = keys.PrivateKey(bytes(key)).public_key.to_checksum_address()
        if stated.lower().removeprefix("0x") != actual.lower().removeprefix("0x"):
            raise KeystoreError("The keystore's address does not match the key inside it; the file was altered.")
    return key


def _decrypt(keystore: dict[str, Any], password: str) -> tuple[bytearray | None, str | None]:
    """(key, None) or (None, "mac" | "damaged"); the library's exception is dropped, never chained."""
    failure: str | None = None
    key = None
    try:
        key = bytearray(Account.decrypt(keystore, password))
    except ValueError as e:
        failure = "mac" if "MAC mismatch" in str(e) else "damaged"
    except Exception:  # a malformed blob can fail in many ways inside eth-keyfile; all mean "damaged"
        failure = "damaged"
    return key, failure


def _is_hex(value: Any, nbytes: int | None = None) -> bool:
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        return False
    return nbytes is None or len(value) == 2 * nbytes


def _positive_int(params: dict[str, Any], name: str) -> int:
    value = params.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise KeystoreError(f"The keystore's KDF parameter {name!r} is missing or invalid.")
    return value


def _check_kdf(kdf: Any, params: Any) -> None:
    if not isinstance(params, dict):
        raise KeystoreError("The keystore's KDF parameters are missing; the file is damaged.")
    if _positive_int(params, "dklen") != 32:
        raise KeystoreError("The keystore's derived key length is not 32 bytes, which is not supported.")
    if not _is_hex(params.get("salt")):
        raise KeystoreError("The keystore's KDF salt is missing or malformed; the file is damaged.")
    if kdf == "scrypt":
        n, r, p = (_positive_int(params, k) for k in ("n", "r", "p"))
        if n & (n - 1) or n < 2:
            raise KeystoreError("The keystore's scrypt parameter n is not a power of two.")
        if (128 * r * n > _MAX_SCRYPT_MEMORY or n * p > _MAX_SCRYPT_WORK or n * r * p > _MAX_SCRYPT_TOTAL
                or r > _MAX_SCRYPT_R):
            raise KeystoreError(
                "The keystore's scrypt parameters ask for more memory or time than this wallet allows."
            )
    elif kdf == "pbkdf2":
        if params.get("prf") != "hmac-sha256":
            raise KeystoreError("The keystore's PBKDF2 uses a hash other than HMAC-SHA256.")
        if _positive_int(params, "c") > _MAX_PBKDF2_ROUNDS:
            raise KeystoreError("The keystore's PBKDF2 round count is higher than this wallet allows.")
    else:
        raise KeystoreError("The keystore uses a key derivation other than scrypt or PBKDF2.")
