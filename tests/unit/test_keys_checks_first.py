"""Arguments are checked before anything is written, and a wallet always reopens the vault that holds its
secrets, whatever the environment says later."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyskit import FAST_N, PASSWORD, TEST_ADDR0, TEST_PHRASE

from wallet.accounts import MAX_LABEL
from wallet.config import DataDir, Settings
from wallet.errors import InvalidInput
from wallet.keys.manager import KeyManager
from wallet.keys.metadata import load_meta
from wallet.keys.vault import FILE_NAME, FileVault, KeyringVault


def manager(data_dir: DataDir, **kw) -> KeyManager:  # type: ignore[no-untyped-def]
    return KeyManager(data_dir, Settings.load(data_dir), idle_timeout=None, auto_lock_thread=False,
                      scrypt_n=FAST_N, **kw)


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "wd")


@pytest.mark.parametrize("how", ["mnemonic", "key"])
def test_an_over_long_label_fails_before_the_import(data_dir: DataDir, monkeypatch: pytest.MonkeyPatch,
                                                    how: str) -> None:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    km = manager(data_dir)
    label = "x" * (MAX_LABEL + 1)
    with pytest.raises(InvalidInput, match=f"at most {MAX_LABEL}"):
        if how == "mnemonic":
            km.import_mnemonic(TEST_PHRASE, PASSWORD, label=label)
        else:
            km.import_private_key("0x" + "11" * 32, PASSWORD, label=label)
    assert not data_dir.accounts_file.exists() and not (data_dir.root / FILE_NAME).exists()


def test_the_label_of_an_imported_phrase_is_written_with_it(data_dir: DataDir,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    info = manager(data_dir).import_mnemonic(TEST_PHRASE, PASSWORD, label="  savings  ")
    assert (info.address, info.label) == (TEST_ADDR0, "savings")


def test_an_exported_keystore_password_has_the_wallet_minimum(data_dir: DataDir,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    km = manager(data_dir)
    km.import_mnemonic(TEST_PHRASE, PASSWORD)
    for short in ("", "7 chars"):
        with pytest.raises(InvalidInput, match="keystore file's password must have at least 8"):
            km.export_keystore(TEST_ADDR0, "not even checked", keystore_password=short)
    assert km._throttle.failures == 0  # refused before the wallet password was tried


def test_the_vault_is_recorded_and_reused(data_dir: DataDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    manager(data_dir).import_mnemonic(TEST_PHRASE, PASSWORD)
    meta = load_meta(data_dir.accounts_file)
    assert meta is not None and meta.vault == "file"

    monkeypatch.delenv("AI_WALLET_KEYRING")  # opened later without the variable
    km = manager(data_dir)
    assert isinstance(km.vault, FileVault)
    km.unlock(PASSWORD)  # not "secrets removed"
    assert km.missing_secrets() == [] and not km.is_locked()


def test_a_wallet_from_before_the_record_finds_its_file_vault(data_dir: DataDir,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    manager(data_dir).import_mnemonic(TEST_PHRASE, PASSWORD)
    raw = data_dir.accounts_file.read_text()
    data_dir.accounts_file.write_text(raw.replace('"vault": "file"', '"vault": null'))
    monkeypatch.delenv("AI_WALLET_KEYRING")
    km = manager(data_dir)
    km.unlock(PASSWORD)
    meta = load_meta(data_dir.accounts_file)
    assert meta is not None and meta.vault == "file"  # recorded at the first unlock that found the secrets


def test_a_new_wallet_without_a_record_uses_the_os_keyring(data_dir: DataDir,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AI_WALLET_KEYRING", raising=False)
    assert isinstance(manager(data_dir).vault, KeyringVault)


def test_a_record_naming_an_unknown_vault_is_a_damaged_file(data_dir: DataDir,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    manager(data_dir).import_mnemonic(TEST_PHRASE, PASSWORD)
    raw = data_dir.accounts_file.read_text()
    data_dir.accounts_file.write_text(raw.replace('"vault": "file"', '"vault": "cloud"'))
    from wallet.errors import ConfigError

    with pytest.raises(ConfigError, match="not in the expected format"):
        manager(data_dir).list_accounts()


def test_the_record_wins_over_the_environment(data_dir: DataDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    manager(data_dir).import_mnemonic(TEST_PHRASE, PASSWORD)
    raw = data_dir.accounts_file.read_text()
    data_dir.accounts_file.write_text(raw.replace('"vault": "file"', '"vault": "os"'))
    assert isinstance(manager(data_dir).vault, KeyringVault)  # the variable does not move a wallet's secrets
