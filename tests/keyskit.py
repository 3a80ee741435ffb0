"""Helpers for the key tests: secret-leak search over every encoding, and vault wrappers that interrupt."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path

from eth_account import Account
from eth_account.hdaccount import Mnemonic

TEST_PHRASE = "test test test test test test test test test test test junk"
TEST_ADDR0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
TEST_ADDR1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
FAST_N = 2**10  # unit tests only: the real work factor is asserted separately
PASSWORD = "correct horse 1"


class SimulatedCrash(BaseException):
    """BaseException, like KeyboardInterrupt or a process kill: no `except Exception` may swallow it."""


class CrashingVault:
    """Passes calls to ``inner`` and dies at the ``crash_at``-th mutating call (set or delete), 1-based."""

    def __init__(self, inner, crash_at: int | None = None) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.crash_at = crash_at
        self.mutations = 0
        self.description = "crashing test vault"

    def get(self, name: str) -> str | None:
        return self.inner.get(name)

    def set(self, name: str, value: str) -> None:
        self._tick()
        self.inner.set(name, value)

    def delete(self, name: str) -> None:
        self._tick()
        self.inner.delete(name)

    def _tick(self) -> None:
        self.mutations += 1
        if self.crash_at is not None and self.mutations == self.crash_at:
            raise SimulatedCrash(f"simulated crash at vault mutation {self.mutations}")


def key_needles(key: bytes) -> dict[str, bytes]:
    h = key.hex()
    return {
        "key hex": h.encode(),
        "key HEX": h.upper().encode(),
        "key 0x hex": ("0x" + h).encode(),
        "key raw": key,
        "key base64": base64.b64encode(key),
        "key int": str(int.from_bytes(key, "big")).encode(),
    }


def phrase_needles(phrase: str) -> dict[str, bytes]:
    words = phrase.split()
    out = {
        "phrase": phrase.encode(),
        "phrase newline": "\n".join(words).encode(),
        "phrase comma": ", ".join(words).encode(),
        "phrase json list": ('", "'.join(words)).encode(),
        "phrase base64": base64.b64encode(phrase.encode()),
        "phrase hex": phrase.encode().hex().encode(),
        "phrase seed hex": Mnemonic.to_seed(phrase).hex().encode(),
        "phrase seed raw": Mnemonic.to_seed(phrase),
    }
    # Any three consecutive words: catches a phrase cut up, re-joined or quoted in part.
    for i in range(len(words) - 2):
        out[f"phrase words {i + 1}-{i + 3}"] = " ".join(words[i : i + 3]).encode()
    return out


def password_needles(password: str) -> dict[str, bytes]:
    raw = password.encode()
    return {"password": raw, "password hex": raw.hex().encode(), "password base64": base64.b64encode(raw)}


def hd_key(phrase: str, index: int) -> bytes:
    Account.enable_unaudited_hdwallet_features()
    return bytes(Account.from_mnemonic(phrase, account_path=f"m/44'/60'/0'/0/{index}").key)


def find_leaks(haystacks: dict[str, bytes], needles: dict[str, bytes]) -> list[str]:
    found = []
    for where, hay in haystacks.items():
        low = hay.lower()
        for what, needle in needles.items():
            if needle in hay or (needle.isascii() and needle.lower() in low):
                found.append(f"{what} in {where}")
    return found


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def all_needles(*groups: Iterable[dict[str, bytes]] | dict[str, bytes]) -> dict[str, bytes]:
    merged: dict[str, bytes] = {}
    for g in groups:
        if isinstance(g, dict):
            merged.update(g)
        else:
            for d in g:
                merged.update(d)
    return merged


def exercise_wallet(km, tmp: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:  # type: ignore[no-untyped-def]
    """Create, import, sign, export, change the password and lock, also feeding secrets into error paths.

    Returns (needles: every secret in every encoding, haystacks: exported files and every exception text).
    """
    import json
    import secrets
    import traceback

    from eth_account.messages import encode_defunct, encode_typed_data

    p1, p2, kp = (secrets.token_urlsafe(12) + s for s in ("Aa1", "Bb2", "Cc3"))
    errors: list[BaseException] = []

    def attempt(fn) -> None:  # type: ignore[no-untyped-def]
        try:
            fn()
        except Exception as e:
            errors.append(e)

    phrase = km.create_wallet(p1)
    km.add_account()
    k1, k2 = Account.create().key, Account.create().key
    km.import_private_key(k1.hex(), p1)
    ks = json.dumps(Account.encrypt(k2, kp, kdf="pbkdf2", iterations=1000))
    km.import_keystore(ks, kp, p1)
    words = phrase.split()
    attempt(lambda: km.import_mnemonic(" ".join([*words[:-1], words[0]]), p1))  # checksum error
    attempt(lambda: km.import_mnemonic(" ".join(words[:-1]), p1))  # wrong length
    attempt(lambda: km.import_mnemonic(phrase, p1))  # duplicate
    attempt(lambda: km.import_private_key(k1.hex()[:-2], p1))  # wrong length
    attempt(lambda: km.import_private_key(k1.hex(), p1))  # duplicate
    attempt(lambda: km.import_keystore(ks, p1, p1))  # wrong keystore password
    attempt(lambda: km.import_keystore(ks[: len(ks) // 2], kp, p1))  # truncated
    attempt(lambda: km.unlock(p2))  # wrong password
    attempt(lambda: km.change_password(p2, p1))  # wrong old password

    addresses = [a.address for a in km.list_accounts()]
    for address in addresses:
        signer = km.signer(address)
        signer.sign_message(encode_defunct(text="hello"))
        signer.sign_message(encode_typed_data(full_message={
            "types": {"EIP712Domain": [{"name": "name", "type": "string"}],
                      "M": [{"name": "v", "type": "uint256"}]},
            "primaryType": "M", "domain": {"name": "AI Token"}, "message": {"v": 1}}))
        signer.sign_transaction({"to": address, "value": 1, "gas": 21000, "gasPrice": 10**9, "nonce": 0,
                                 "chainId": 31337})
    exported = km.export_keystore(addresses[0], p1)
    (tmp / "exported.json").write_text(exported)
    km.change_password(p1, p2)
    km.lock()
    attempt(lambda: km.signer(addresses[0]).sign_message(encode_defunct(text="x")))  # locked
    attempt(lambda: km.reveal_mnemonic(p1))  # old password

    assert len(errors) == 11, [type(e).__name__ for e in errors]
    needles = all_needles(
        phrase_needles(phrase), password_needles(p1), password_needles(p2), password_needles(kp),
        {f"k1 {k}": v for k, v in key_needles(bytes(k1)).items()},
        {f"k2 {k}": v for k, v in key_needles(bytes(k2)).items()},
        {f"hd0 {k}": v for k, v in key_needles(hd_key(phrase, 0)).items()},
        {f"hd1 {k}": v for k, v in key_needles(hd_key(phrase, 1)).items()},
    )
    haystacks = {"exported keystore": exported.encode()}
    for i, e in enumerate(errors):
        haystacks[f"exception {i} {type(e).__name__}"] = (
            str(e) + repr(e) + getattr(e, "user_message", "") + "".join(traceback.format_exception(e))
        ).encode()
    return needles, haystacks
