"""Private keys, v3 keystores (ours and foreign) and the sealed recovery phrase."""

from __future__ import annotations

import json
import secrets

import pytest
from eth_account import Account
from keyskit import FAST_N

from wallet.errors import InvalidInput, InvalidPassword, KeystoreError
from wallet.keys import keystore, sealed

N = keystore.SECP256K1_N


def test_private_key_parses_with_and_without_0x() -> None:
    key = secrets.token_bytes(31) + b"\x01"
    assert keystore.parse_private_key(key.hex()) == key
    assert keystore.parse_private_key("0x" + key.hex().upper() + "\n") == key


@pytest.mark.parametrize("text, why", [
    ("ab" * 31, "has 62 characters"),
    ("ab" * 33, "has 66 characters"),
    ("0x" + "ab" * 31 + "a", "has 63 characters"),
    ("zz" * 32, "not hexadecimal"),
    ("00" * 32, "valid Ethereum private key"),
    (f"{N:064x}", "valid Ethereum private key"),
    (f"{N + 1:064x}", "valid Ethereum private key"),
    ("ff" * 32, "valid Ethereum private key"),
])
def test_bad_private_keys_are_refused_without_echoing_them(text: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as info:
        keystore.parse_private_key(text)
    assert text.strip().removeprefix("0x").lower()[:16] not in str(info.value).lower()


def test_largest_valid_key_is_accepted() -> None:
    assert int.from_bytes(keystore.parse_private_key(f"{N - 1:064x}"), "big") == N - 1


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
def test_foreign_keystore_round_trip(kdf: str) -> None:
    acct = Account.create()
    ks = Account.encrypt(acct.key, "ks pass", kdf=kdf, iterations=FAST_N if kdf == "scrypt" else 1000)
    parsed = keystore.parse_foreign_keystore(json.dumps(ks))
    assert bytes(keystore.decrypt_foreign_keystore(parsed, "ks pass")) == bytes(acct.key)


def test_geth_style_capitalized_crypto_key_is_accepted() -> None:
    acct = Account.create()
    ks = Account.encrypt(acct.key, "pw", kdf="scrypt", iterations=FAST_N)
    ks["Crypto"] = ks.pop("crypto")  # MyEtherWallet wrote "Crypto"
    parsed = keystore.parse_foreign_keystore(json.dumps(ks))
    assert bytes(keystore.decrypt_foreign_keystore(parsed, "pw")) == bytes(acct.key)


def _keystore(**crypto_changes: object) -> dict:
    ks = Account.encrypt(Account.create().key, "pw", kdf="scrypt", iterations=FAST_N)
    ks["crypto"].update(crypto_changes)
    return ks


def test_wrong_keystore_password() -> None:
    parsed = keystore.parse_foreign_keystore(json.dumps(_keystore()))
    with pytest.raises(InvalidPassword, match="keystore password is wrong"):
        keystore.decrypt_foreign_keystore(parsed, "not pw")


def test_tampered_ciphertext_fails_the_mac() -> None:
    ks = _keystore()
    c = ks["crypto"]["ciphertext"]
    ks["crypto"]["ciphertext"] = ("0" if c[0] != "0" else "1") + c[1:]
    parsed = keystore.parse_foreign_keystore(json.dumps(ks))
    with pytest.raises(InvalidPassword, match="altered"):
        keystore.decrypt_foreign_keystore(parsed, "pw")


def test_altered_address_field_is_detected() -> None:
    ks = _keystore()
    ks["address"] = Account.create().address[2:].lower()
    parsed = keystore.parse_foreign_keystore(json.dumps(ks))
    with pytest.raises(KeystoreError, match="does not match"):
        keystore.decrypt_foreign_keystore(parsed, "pw")


def test_truncated_keystore() -> None:
    text = json.dumps(_keystore())
    with pytest.raises(KeystoreError, match="not valid JSON"):
        keystore.parse_foreign_keystore(text[: len(text) // 2])


@pytest.mark.parametrize("changes, why", [
    ({"ciphertext": "abcd"}, "ciphertext"),
    ({"mac": None}, "mac"),
    ({"cipher": "aes-256-cbc"}, "cipher"),
    ({"kdf": "argon2"}, "key derivation"),
    ({"kdfparams": {"n": 2**30, "r": 8, "p": 1, "dklen": 32, "salt": "00" * 16}}, "more memory"),
    ({"kdfparams": {"n": 1000, "r": 8, "p": 1, "dklen": 32, "salt": "00" * 16}}, "power of two"),
])
def test_malformed_or_hostile_keystores_are_refused_before_any_work(changes: dict, why: str) -> None:
    with pytest.raises(KeystoreError, match=why):
        keystore.parse_foreign_keystore(json.dumps(_keystore(**changes)))


def test_version_4_is_refused() -> None:
    ks = _keystore()
    ks["version"] = 4
    with pytest.raises(KeystoreError, match="version 3"):
        keystore.parse_foreign_keystore(json.dumps(ks))


def test_wallet_blob_wrong_password_is_invalid_password() -> None:
    blob = json.dumps(keystore.encrypt_key(Account.create().key, "right", scrypt_n=FAST_N))
    with pytest.raises(InvalidPassword):
        keystore.decrypt_wallet_key(blob, "wrong")


def test_sealed_phrase_round_trip_and_wrong_password() -> None:
    blob = sealed.seal("some secret words", "pw", scrypt_n=FAST_N, purpose="p")
    assert "some secret" not in blob
    assert sealed.unseal(blob, "pw", purpose="p") == "some secret words"
    with pytest.raises(InvalidPassword):
        sealed.unseal(blob, "wrong", purpose="p")


@pytest.mark.parametrize("field", ["n", "salt", "nonce", "tag", "ciphertext", "purpose"])
def test_sealed_phrase_detects_any_edit(field: str) -> None:
    data = json.loads(sealed.seal("some secret words", "pw", scrypt_n=FAST_N, purpose="p"))
    if field == "n":
        data["kdfparams"]["n"] = FAST_N // 2  # a downgrade of the work factor
    elif field == "salt":
        data["kdfparams"]["salt"] = "00" * 16
    elif field == "purpose":
        data["purpose"] = "other"
    else:
        data[field] = ("0" if data[field][0] != "0" else "1") + data[field][1:]
    with pytest.raises(KeystoreError):
        sealed.unseal(json.dumps(data), "pw", purpose="p" if field != "purpose" else "other")
