"""Every file of the data dir replaced by something hostile — nested 100,000 deep (which, with eth_account's
recursion limit, would kill the process inside json.loads), a pipe, an endless device, a symlink loop — gives a
clear WalletError and leaves the file as it was."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account import Account
from keyskit import FAST_N, PASSWORD, TEST_PHRASE

from wallet.config import DataDir, Settings
from wallet.devnet.anvil import _open_log
from wallet.devnet.manager import DevnetManager
from wallet.errors import ConfigError, DevnetError, KeystoreError, TooManyAttempts, WalletError
from wallet.keys import keystore, sealed
from wallet.keys.lockstate import Throttle
from wallet.keys.manager import KeyManager
from wallet.keys.vault import FILE_NAME, FileVault
from wallet.networks import load_profiles

pytestmark = pytest.mark.timeout(60)  # a FIFO opened for reading blocks forever: fail fast if one is
DEEP = "[" * 100_000 + "]" * 100_000


def make_hostile(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "deep":
        path.write_text(DEEP)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "huge":
        with open(path, "wb") as f:
            f.truncate(100 * 1024 * 1024)


def snapshot(path: Path) -> object:
    st = os.lstat(path)
    return (st.st_mode, st.st_size, os.readlink(path) if path.is_symlink() else None)


KINDS = ["deep", "fifo", "zero", "loop", "huge"]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataDir:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    return DataDir(tmp_path / "wd").ensure()


def check(path: Path, kind: str, error: type[WalletError], action: Callable[[], object]) -> None:
    make_hostile(path, kind)
    before = snapshot(path)
    with pytest.raises(error) as e:
        action()
    assert str(path) in e.value.user_message
    assert snapshot(path) == before


@pytest.mark.parametrize("kind", KINDS)
def test_settings(data_dir: DataDir, kind: str) -> None:
    check(data_dir.settings_file, kind, ConfigError, lambda: Settings.load(data_dir))


@pytest.mark.parametrize("kind", KINDS)
def test_networks(data_dir: DataDir, kind: str) -> None:
    check(data_dir.networks_file, kind, ConfigError, lambda: load_profiles(data_dir))


@pytest.mark.parametrize("kind", KINDS)
def test_accounts(data_dir: DataDir, kind: str) -> None:
    km = KeyManager(data_dir, Settings(), idle_timeout=None, auto_lock_thread=False)
    check(data_dir.accounts_file, kind, ConfigError, km.list_accounts)


@pytest.mark.parametrize("kind", KINDS)
def test_file_vault(data_dir: DataDir, kind: str) -> None:
    vault = FileVault(data_dir.root / FILE_NAME)
    check(vault.path, kind, KeystoreError, lambda: vault.get("entry"))
    with pytest.raises(KeystoreError):
        vault.set("entry", "blob")  # a damaged vault is never overwritten with only the new entry


def test_a_damaged_throttle_record_means_the_longest_wait(data_dir: DataDir) -> None:
    path = data_dir.root / "unlock-attempts.json"
    path.write_text(DEEP)
    with pytest.raises(TooManyAttempts):
        Throttle(path).check()


def test_a_wallet_with_a_deep_vault_file_still_opens_its_metadata(data_dir: DataDir) -> None:
    km = KeyManager(data_dir, Settings(), idle_timeout=None, auto_lock_thread=False, scrypt_n=FAST_N)
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    km.close()
    (data_dir.root / FILE_NAME).write_text(DEEP)
    km = KeyManager(data_dir, Settings(), idle_timeout=None, auto_lock_thread=False, scrypt_n=FAST_N)
    assert len(km.list_accounts()) == 1
    with pytest.raises(KeystoreError, match="nested more than"):
        km.unlock(PASSWORD)


def test_keystores_and_keyring_blobs() -> None:
    with pytest.raises(KeystoreError, match="nested more than 8 levels"):
        keystore.parse_foreign_keystore("[" * 30_000 + "]" * 30_000)
    with pytest.raises(KeystoreError, match="larger than 64 KiB"):
        keystore.parse_foreign_keystore(DEEP)
    ks = Account.encrypt("0x" + "11" * 32, "pw", kdf="scrypt", iterations=2**10)
    ks["crypto"]["padding"] = "x" * 100_000
    with pytest.raises(KeystoreError, match="larger than 64 KiB"):
        keystore.parse_foreign_keystore(json.dumps(ks))
    with pytest.raises(KeystoreError, match="damaged"):
        keystore.decrypt_wallet_key(DEEP, PASSWORD)
    with pytest.raises(KeystoreError, match="damaged"):
        sealed.unseal(DEEP, PASSWORD, purpose="x")
    assert sealed.scrypt_n_of(DEEP) is None


@pytest.mark.parametrize("kind", KINDS)
def test_devnet_records(data_dir: DataDir, kind: str) -> None:
    manager = DevnetManager(data_dir)
    make_hostile(manager.node_file, kind)
    status = manager.status()  # a damaged record of the process: not running, and no crash
    assert status.running is False and status.pid is None
    check(manager.deployment_file, kind, ConfigError, manager.deployment)


@pytest.mark.parametrize("kind", ["deep", "fifo", "zero", "loop"])
def test_devnet_state_file(data_dir: DataDir, kind: str) -> None:
    manager = DevnetManager(data_dir)
    check(manager.state_file, kind, DevnetError, manager._check_state_file)


@pytest.mark.parametrize("kind", ["fifo", "zero", "loop"])
def test_devnet_log_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    log = tmp_path / "anvil.log"
    make_hostile(log, kind)
    with pytest.raises(DevnetError, match=r"anvil\.log"):
        os.close(_open_log(log))
