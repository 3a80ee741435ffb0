"""Password-sealed text (the recovery phrase), with the same scrypt as the key blobs and AES-256-GCM.

eth-keyfile's v3 writer only takes a 32-byte secp256k1 scalar, and a phrase is neither; so the phrase is
sealed with pycryptodome (the library eth-keyfile itself uses for scrypt and AES) in its authenticated mode:
scrypt(password, random salt) -> 256-bit key -> AES-GCM with a random 96-bit nonce. The header (format,
KDF parameters, nonce) is bound as associated data, so a blob edited to weaker parameters fails to open
instead of silently decrypting.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from Crypto.Cipher import AES
from Crypto.Protocol.KDF import scrypt

from wallet.errors import InvalidPassword, KeystoreError
from wallet.safe_io import KIB, loads_bounded

FORMAT = "ai-wallet-sealed-v1"
_R = 8
_P = 1
# A sealed phrase is under 1 KiB and two levels deep; a keyring entry far beyond that was not written here.
_MAX_BLOB_BYTES = 64 * KIB
_MAX_BLOB_DEPTH = 4


def seal(plaintext: str, password: str, *, scrypt_n: int, purpose: str) -> str:
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    header: dict[str, Any] = {
        "format": FORMAT,
        "purpose": purpose,
        "kdf": "scrypt",
        "kdfparams": {"n": scrypt_n, "r": _R, "p": _P, "dklen": 32, "salt": salt.hex()},
        "cipher": "aes-256-gcm",
        "nonce": nonce.hex(),
    }
    key = _derive(password, salt, scrypt_n, _R, _P)
    cipher = AES.new(bytes(key), AES.MODE_GCM, nonce=nonce)
    cipher.update(_aad(header))
    ciphertext, tag = cipher.encrypt_and_digest(plaintext.encode("utf-8"))
    _wipe(key)
    return json.dumps({**header, "ciphertext": ciphertext.hex(), "tag": tag.hex()}, sort_keys=True)


def unseal(blob: str, password: str, *, purpose: str) -> str:
    header, ciphertext, tag, salt, nonce, (n, r, p) = _parse(blob, purpose)
    key = _derive(password, salt, n, r, p)
    cipher = AES.new(bytes(key), AES.MODE_GCM, nonce=nonce)
    cipher.update(_aad(header))
    plaintext = None
    try:
        plaintext = cipher.decrypt_and_verify(ciphertext, tag)
    except ValueError:
        pass  # authentication failed: wrong password or an edited blob; both look the same by design
    finally:
        _wipe(key)
    if plaintext is None:
        raise InvalidPassword("Wrong password.")
    return plaintext.decode("utf-8")


def scrypt_n_of(blob: str) -> int | None:
    try:
        return int(_load(blob)["kdfparams"]["n"])
    except (KeystoreError, ValueError, KeyError, TypeError):
        return None


def _load(blob: str) -> Any:
    return loads_bounded(blob, max_bytes=_MAX_BLOB_BYTES, max_depth=_MAX_BLOB_DEPTH, what="a stored secret",
                         error=KeystoreError)


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytearray:
    return bytearray(scrypt(password.encode("utf-8"), salt, 32, N=n, r=r, p=p))  # type: ignore[arg-type]


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii")


def _wipe(buf: bytearray) -> None:
    for i in range(len(buf)):
        buf[i] = 0


def _parse(blob: str, purpose: str) -> tuple[dict[str, Any], bytes, bytes, bytes, bytes, tuple[int, int, int]]:
    damaged = KeystoreError("The stored recovery phrase is damaged (its keyring entry cannot be read).")
    try:
        data = _load(blob)
        header = {k: data[k] for k in ("format", "purpose", "kdf", "kdfparams", "cipher", "nonce")}
        params = header["kdfparams"]
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
        salt = bytes.fromhex(params["salt"])
        nonce = bytes.fromhex(header["nonce"])
        ciphertext = bytes.fromhex(data["ciphertext"])
        tag = bytes.fromhex(data["tag"])
    except (KeystoreError, ValueError, KeyError, TypeError, AttributeError):
        raise damaged from None
    if (
        header["format"] != FORMAT
        or header["purpose"] != purpose
        or header["kdf"] != "scrypt"
        or header["cipher"] != "aes-256-gcm"
        or params.get("dklen") != 32
        or len(nonce) != 12
        or len(tag) != 16
        or n < 2
        or n & (n - 1)
        or n > 2**20
        or not 1 <= r <= 16
        or not 1 <= p <= 16
    ):
        raise damaged
    return header, ciphertext, tag, salt, nonce, (n, r, p)
