"""KeyManager with the file vault: create, import, add, sign, lock, idle lock, throttle, missing entries."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from keyskit import FAST_N, PASSWORD, TEST_ADDR0, TEST_ADDR1, TEST_PHRASE

from wallet.config import DataDir, Settings
from wallet.errors import (
    InvalidInput,
    InvalidPassword,
    KeystoreError,
    SecretMissing,
    TooManyAttempts,
    WalletLocked,
)
from wallet.keys.manager import KeyManager
from wallet.keys.vault import FileVault


class FakeClock:
    def __init__(self, t: float = 1_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def data_dir(_isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> DataDir:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    return DataDir(_isolated_data_dir)


@pytest.fixture
def make(data_dir: DataDir):  # type: ignore[no-untyped-def]
    made: list[KeyManager] = []

    def factory(**kw) -> KeyManager:  # type: ignore[no-untyped-def]
        kw.setdefault("scrypt_n", FAST_N)
        kw.setdefault("idle_timeout", None)
        kw.setdefault("auto_lock_thread", False)
        km = KeyManager(data_dir, Settings.load(data_dir), **kw)
        made.append(km)
        return km

    yield factory
    for km in made:
        km.close()


def typed_data(owner: str) -> dict:
    return {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}],
            "Mail": [{"name": "from", "type": "address"}, {"name": "amount", "type": "uint256"}],
        },
        "primaryType": "Mail",
        "domain": {"name": "AI Token", "version": "1", "chainId": 31337},
        "message": {"from": owner, "amount": 10**18},
    }


def test_create_wallet_and_more_accounts(make, data_dir: DataDir) -> None:  # type: ignore[no-untyped-def]
    km = make()
    assert not km.has_wallet()
    phrase = km.create_wallet(PASSWORD, words=24)
    assert len(phrase.split()) == 24
    first = km.list_accounts()[0]
    assert (first.index, first.kind, first.label) == (0, "hd", "Account 1")
    Account.enable_unaudited_hdwallet_features()
    assert first.address == Account.from_mnemonic(phrase).address
    second = km.add_account("savings")
    assert second.index == 1 and second.label == "savings"
    assert second.address == Account.from_mnemonic(phrase, account_path="m/44'/60'/0'/0/1").address
    assert km.has_wallet() and km.has_mnemonic()
    with pytest.raises(InvalidInput, match="already exists"):
        km.create_wallet(PASSWORD)
    assert (data_dir.root / "keyring-file.json").stat().st_mode & 0o777 == 0o600


def test_short_password_is_refused(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="at least 8"):
        make().create_wallet("short")


def test_import_mnemonic_known_vector_and_duplicates(make) -> None:  # type: ignore[no-untyped-def]
    km = make()
    info = km.import_mnemonic(TEST_PHRASE, PASSWORD)
    assert info.address == TEST_ADDR0
    assert km.add_account().address == TEST_ADDR1
    with pytest.raises(InvalidInput, match="already in the wallet"):
        km.import_mnemonic(TEST_PHRASE, PASSWORD)
    with pytest.raises(InvalidInput, match="different recovery phrase"):
        km.import_mnemonic(Account.create_with_mnemonic()[1], PASSWORD)
    index1_key = Account.from_mnemonic(TEST_PHRASE, account_path="m/44'/60'/0'/0/1").key.hex()
    with pytest.raises(InvalidInput, match=f"{TEST_ADDR1} is already in this wallet"):
        km.import_private_key(index1_key, PASSWORD)
    ks = Account.encrypt(bytes.fromhex(index1_key), "kspw", kdf="scrypt", iterations=FAST_N)
    with pytest.raises(InvalidInput, match="already in this wallet"):
        km.import_keystore(json.dumps(ks), "kspw", PASSWORD)


def test_imports_need_the_wallet_password(make) -> None:  # type: ignore[no-untyped-def]
    km = make()
    km.create_wallet(PASSWORD)
    km.lock()
    with pytest.raises(InvalidPassword):
        km.import_private_key(Account.create().key.hex(), "wrong password")
    assert len(km.list_accounts()) == 1


@pytest.mark.parametrize("kdf", ["pbkdf2", "scrypt"])
def test_import_keystore_and_export_round_trip(make, kdf: str) -> None:  # type: ignore[no-untyped-def]
    km = make()
    acct = Account.create()
    ks = Account.encrypt(acct.key, "keystore pw", kdf=kdf, iterations=FAST_N if kdf == "scrypt" else 2000)
    info = km.import_keystore(json.dumps(ks), "keystore pw", PASSWORD, label="from geth")
    assert (info.address, info.kind, info.index, info.label) == (acct.address, "imported", None, "from geth")
    exported = km.export_keystore(acct.address, PASSWORD)
    data = json.loads(exported)
    assert data["crypto"]["kdfparams"]["n"] == 2**18
    assert Account.decrypt(exported, PASSWORD) == acct.key
    other = km.export_keystore(acct.address, PASSWORD, keystore_password="separate pw")
    assert Account.decrypt(other, "separate pw") == acct.key
    with pytest.raises(InvalidPassword):
        km.export_keystore(acct.address, "wrong password")


def test_export_of_a_derived_account(make) -> None:  # type: ignore[no-untyped-def]
    km = make()
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    km.add_account()
    exported = km.export_keystore(TEST_ADDR1, PASSWORD)
    assert Account.from_key(Account.decrypt(exported, PASSWORD)).address == TEST_ADDR1


def test_wrong_keystore_password_does_not_count_against_the_wallet(make, data_dir) -> None:  # type: ignore[no-untyped-def]
    km = make()
    km.create_wallet(PASSWORD)
    ks = json.dumps(Account.encrypt(Account.create().key, "kspw", kdf="scrypt", iterations=FAST_N))
    for _ in range(5):
        with pytest.raises(InvalidPassword, match="keystore password"):
            km.import_keystore(ks, "not it", PASSWORD)
    assert km.import_keystore(ks, "kspw", PASSWORD).kind == "imported"


def test_signing_requires_unlock_and_stops_at_lock(make) -> None:  # type: ignore[no-untyped-def]
    km = make()
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    signer = km.signer(TEST_ADDR0)
    assert signer.address == TEST_ADDR0
    assert signer._private_key == b""
    msg = encode_typed_data(full_message=typed_data(TEST_ADDR0))
    sig = signer.sign_message(msg)
    assert Account.recover_message(msg, signature=sig.signature) == TEST_ADDR0
    tx = {"to": TEST_ADDR1, "value": 1, "gas": 21000, "maxFeePerGas": 2 * 10**9,
          "maxPriorityFeePerGas": 10**9, "nonce": 0, "chainId": 31337, "type": 2}
    signed = signer.sign_transaction(tx)
    assert Account.recover_transaction(signed.raw_transaction) == TEST_ADDR0
    km.lock()
    assert km.is_locked()
    with pytest.raises(WalletLocked, match="locked"):
        signer.sign_message(msg)
    with pytest.raises(WalletLocked):
        km.signer(TEST_ADDR0)
    with pytest.raises(WalletLocked):
        km.add_account()
    km.unlock(PASSWORD)
    assert signer.sign_message(msg).signature == sig.signature
    with pytest.raises(InvalidInput, match="not in this wallet"):
        km.signer(Account.create().address)


def test_idle_lock_with_a_clock(make) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    reasons: list[str] = []
    km = make(idle_timeout=60, monotonic=clock, on_lock=reasons.append)
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    clock.t += 50
    km.touch()
    clock.t += 50
    assert not km.is_locked()
    signer = km.signer(TEST_ADDR0)  # signing is activity too
    clock.t += 59
    assert not km.is_locked()
    clock.t += 2
    with pytest.raises(WalletLocked):
        signer.sign_message(encode_typed_data(full_message=typed_data(TEST_ADDR0)))
    assert km.is_locked()
    assert reasons == ["idle"]
    km.unlock(PASSWORD)
    km.lock()
    assert reasons == ["idle", "manual"]


def test_idle_lock_fires_on_its_own(make) -> None:  # type: ignore[no-untyped-def]
    fired = threading.Event()
    km = make(idle_timeout=0.3, auto_lock_thread=True, on_lock=lambda reason: fired.set())
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    assert not km.is_locked()
    assert fired.wait(5), "the auto-lock timer did not fire"
    assert km._unlocked._session is None  # keys dropped without anyone asking is_locked()


def test_background_timer_honours_touches(make) -> None:  # type: ignore[no-untyped-def]
    # The timer thread wakes after the timeout (real time) and compares the deadline with the clock (here a fake
    # one): a touch that moved the deadline makes it re-arm instead of locking.
    clock = FakeClock()
    fired = threading.Event()
    km = make(idle_timeout=0.2, auto_lock_thread=True, monotonic=clock, on_lock=lambda reason: fired.set())
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    timer = km._unlocked._timer
    first = timer._timer
    clock.t += 0.15
    km.touch()  # the deadline moves to 0.35 from the start
    clock.t += 0.15  # past the first deadline, not the new one
    first.join(10)  # the first wake-up came and went
    assert not first.is_alive() and timer._timer is not first, "the timer did not re-arm after the touch"
    assert not fired.is_set() and not km.is_locked()
    clock.t += 0.1  # now past the new deadline
    assert fired.wait(10), "the re-armed timer did not lock"
    assert km.is_locked()


def test_idle_timeout_comes_from_settings(data_dir: DataDir) -> None:
    settings = Settings(auto_lock_minutes=7)
    km = KeyManager(data_dir, settings, auto_lock_thread=False)
    assert km._unlocked._timer.timeout == 420
    assert KeyManager(data_dir, Settings(auto_lock_minutes=0))._unlocked._timer.timeout is None


def test_wrong_passwords_grow_a_persisted_delay(make) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    km = make(clock=clock)
    km.create_wallet(PASSWORD)
    km.lock()
    for _ in range(3):
        with pytest.raises(InvalidPassword, match=r"^Wrong password\.$"):
            km.unlock("nope nope")
    with pytest.raises(InvalidPassword, match="Wait 2 seconds"):
        km.unlock("nope nope")
    with pytest.raises(TooManyAttempts, match="Try again in 2 seconds") as info:
        km.unlock(PASSWORD)  # even the right password is refused before the time
    assert info.value.retry_after_seconds == 2
    restarted = make(clock=clock)  # a new process reads the same record
    with pytest.raises(TooManyAttempts):
        restarted.unlock(PASSWORD)
    clock.t += 3
    with pytest.raises(InvalidPassword, match="Wait 4 seconds"):
        restarted.unlock("nope again")
    clock.t += 5
    restarted.unlock(PASSWORD)
    assert not restarted.is_locked()
    restarted.lock()
    with pytest.raises(InvalidPassword, match=r"^Wrong password\.$"):
        restarted.unlock("nope nope")  # success reset the count


def test_throttle_record_with_clock_far_ahead_is_capped(make, data_dir: DataDir) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    km = make(clock=clock)
    km.create_wallet(PASSWORD)
    (data_dir.root / "unlock-attempts.json").write_text(json.dumps({"failures": 20, "not_before": 10**12}))
    with pytest.raises(TooManyAttempts) as info:
        km.unlock(PASSWORD)
    assert info.value.retry_after_seconds == 300


def test_missing_imported_entry_clear_error_and_restore(make, data_dir: DataDir) -> None:  # type: ignore[no-untyped-def]
    km = make()
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    acct = Account.create()
    km.import_private_key(acct.key.hex(), PASSWORD, label="hot")
    meta = json.loads(data_dir.accounts_file.read_text())
    entry = next(a["secret"] for a in meta["accounts"] if a["kind"] == "imported")
    FileVault(data_dir.root / "keyring-file.json").delete(entry)  # behind the wallet's back
    km.lock()
    km.unlock(PASSWORD)
    assert km.missing_secrets() == [acct.address]
    with pytest.raises(SecretMissing, match="missing from the keyring") as info:
        km.signer(acct.address)
    assert "import the same private key" in info.value.user_message
    assert [a.label for a in km.list_accounts()] == ["Account 1", "hot"]
    km.signer(TEST_ADDR0)  # the others still work
    restored = km.import_private_key(acct.key.hex(), PASSWORD)
    assert restored.label == "hot"
    assert km.signer(acct.address).address == acct.address
    assert km.missing_secrets() == []


def test_missing_phrase_entry(make, data_dir: DataDir) -> None:  # type: ignore[no-untyped-def]
    km = make()
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    km.add_account("second")
    before = data_dir.accounts_file.read_text()
    meta = json.loads(before)
    FileVault(data_dir.root / "keyring-file.json").delete(meta["mnemonic_secret"])
    km.lock()
    with pytest.raises(SecretMissing, match="None of this wallet's secrets") as info:
        km.unlock(PASSWORD)
    assert "addresses and labels are kept" in info.value.user_message
    with pytest.raises(SecretMissing, match="recovery phrase's entry is missing"):
        km.reveal_mnemonic(PASSWORD)
    assert data_dir.accounts_file.read_text() == before
    assert [a.address for a in km.list_accounts()] == [TEST_ADDR0, TEST_ADDR1]
    km.import_mnemonic(TEST_PHRASE, PASSWORD)  # restores the entry
    assert km.reveal_mnemonic(PASSWORD) == TEST_PHRASE
    assert [a.label for a in km.list_accounts()] == ["Account 1", "second"]


def test_imported_key_that_the_phrase_later_derives_becomes_derived(make) -> None:  # type: ignore[no-untyped-def]
    km = make()
    index1_key = Account.from_mnemonic(TEST_PHRASE, account_path="m/44'/60'/0'/0/1").key.hex()
    km.import_private_key(index1_key, PASSWORD, label="mine")
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    km.add_account()
    accounts = {a.address: a for a in km.list_accounts()}
    assert accounts[TEST_ADDR1].kind == "hd" and accounts[TEST_ADDR1].index == 1
    assert accounts[TEST_ADDR1].label == "mine"
    assert len(accounts) == 2


def test_rename_and_labels(make) -> None:  # type: ignore[no-untyped-def]
    km = make()
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    assert km.rename_account(TEST_ADDR0.lower(), "  main   wallet ").label == "main wallet"
    with pytest.raises(InvalidInput):
        km.rename_account(TEST_ADDR0, "x" * 65)
    with pytest.raises(InvalidInput):
        km.rename_account(TEST_ADDR0, "bad\x07label")


def test_reveal_mnemonic_needs_the_password_even_when_unlocked(make) -> None:  # type: ignore[no-untyped-def]
    km = make()
    phrase = km.create_wallet(PASSWORD)
    assert not km.is_locked()
    with pytest.raises(InvalidPassword):
        km.reveal_mnemonic("wrong password")
    assert km.reveal_mnemonic(PASSWORD) == phrase


def test_default_work_factor_is_the_documented_one(data_dir: DataDir) -> None:
    from wallet.keys import keystore

    assert keystore.WALLET_SCRYPT_N == 2**17
    km = KeyManager(data_dir, Settings(), idle_timeout=None, auto_lock_thread=False)
    km.import_private_key(Account.create().key.hex(), PASSWORD)
    entries = json.loads((data_dir.root / "keyring-file.json").read_text())["entries"]["ai-token-wallet"]
    (blob,) = entries.values()
    assert json.loads(blob)["crypto"]["kdfparams"]["n"] == 2**17


def test_a_blob_swapped_for_one_under_another_password_is_reported(make, data_dir: DataDir) -> None:  # type: ignore[no-untyped-def]
    from wallet.keys import keystore

    km = make()
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    acct = Account.create()
    km.import_private_key(acct.key.hex(), PASSWORD)
    meta = json.loads(data_dir.accounts_file.read_text())
    entry = next(a["secret"] for a in meta["accounts"] if a["kind"] == "imported")
    foreign = json.dumps(keystore.encrypt_key(acct.key, "someone else's", scrypt_n=FAST_N))
    FileVault(data_dir.root / "keyring-file.json").set(entry, foreign)
    km.lock()
    with pytest.raises(KeystoreError, match="altered outside the wallet"):
        km.unlock(PASSWORD)
    assert km.is_locked()


def test_concurrent_callers(make) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    km = make()
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    with ThreadPoolExecutor(4) as pool:
        added = list(pool.map(lambda _: km.add_account(), range(4)))
    assert sorted(a.index for a in added) == [1, 2, 3, 4]
    assert len({a.address for a in km.list_accounts()}) == 5

    signer = km.signer(TEST_ADDR0)
    msg = encode_typed_data(full_message=typed_data(TEST_ADDR0))
    outcomes: list[str] = []

    def sign_many() -> None:
        for _ in range(40):
            try:
                signer.sign_message(msg)
                outcomes.append("signed")
            except WalletLocked:
                outcomes.append("locked")

    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(sign_many) for _ in range(2)]
        pool.submit(km.lock).result()
        for f in futures:
            f.result()  # anything but a signature or WalletLocked would surface here
    assert len(outcomes) == 80 and set(outcomes) <= {"signed", "locked"}
    assert km.is_locked()
