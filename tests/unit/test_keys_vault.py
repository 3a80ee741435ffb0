"""Vault selection, the opt-in file backend, and the errors when no usable OS keyring exists."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends import fail, null
from keyring.errors import KeyringLocked, PasswordDeleteError

from wallet.config import DataDir, Settings
from wallet.errors import ConfigError, KeyringUnavailable, KeystoreError
from wallet.keys.manager import KeyManager
from wallet.keys.vault import FileVault, KeyringVault, backend_choice, open_vault


def test_backend_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AI_WALLET_KEYRING", raising=False)
    assert backend_choice(Settings()) == "os"
    assert backend_choice(Settings(extra={"keyring_backend": "file"})) == "file"
    monkeypatch.setenv("AI_WALLET_KEYRING", "os")
    assert backend_choice(Settings(extra={"keyring_backend": "file"})) == "os"
    monkeypatch.setenv("AI_WALLET_KEYRING", "plaintext")
    with pytest.raises(ConfigError, match="Unknown keyring backend"):
        backend_choice(Settings())


def test_settings_opt_in_selects_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AI_WALLET_KEYRING", raising=False)
    d = DataDir(tmp_path)
    assert isinstance(open_vault(d, Settings(extra={"keyring_backend": "file"})), FileVault)
    assert isinstance(open_vault(d, Settings()), KeyringVault)


def test_file_vault_is_private_and_keeps_services_apart(tmp_path: Path) -> None:
    path = tmp_path / "keyring-file.json"
    a, b = FileVault(path), FileVault(path, service="other")
    a.set("w1/g1/mnemonic", "blob-a")
    b.set("w1/g1/mnemonic", "blob-b")
    assert (a.get("w1/g1/mnemonic"), b.get("w1/g1/mnemonic")) == ("blob-a", "blob-b")
    assert path.stat().st_mode & 0o777 == 0o600
    a.delete("w1/g1/mnemonic")
    a.delete("w1/g1/mnemonic")  # already gone: not an error
    assert a.get("w1/g1/mnemonic") is None and b.get("w1/g1/mnemonic") == "blob-b"
    assert not (tmp_path / "keyring-file.json.tmp").exists()


def test_damaged_file_vault_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "keyring-file.json"
    path.write_text("{not json")
    with pytest.raises(KeystoreError, match="left as it is"):
        FileVault(path).get("x")
    assert path.read_text() == "{not json"


def test_fail_backend_says_what_to_do() -> None:
    vault = KeyringVault(backend=fail.Keyring())
    with pytest.raises(KeyringUnavailable) as info:
        vault.get("x")
    msg = info.value.user_message
    assert "gnome-keyring" in msg and "AI_WALLET_KEYRING=file" in msg and "docs/keys.md" in msg


def test_null_backend_is_refused() -> None:
    with pytest.raises(KeyringUnavailable, match="No OS keyring"):
        KeyringVault(backend=null.Keyring()).set("x", "y")


class _MemoryKeyring:
    """Duck-typed, not a KeyringBackend subclass: subclasses register themselves with `keyring` and would
    change which backend the rest of the test session gets."""

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


def test_plaintext_alt_backends_are_refused() -> None:
    plaintext = type("PlaintextKeyring", (_MemoryKeyring,), {"__module__": "keyrings.alt.file"})
    with pytest.raises(KeyringUnavailable, match="not an OS keyring"):
        KeyringVault(backend=plaintext()).set("x", "y")


def test_a_chain_with_a_plaintext_member_uses_its_os_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends import chainer

    plaintext = type("PlaintextKeyring", (_MemoryKeyring,), {"__module__": "keyrings.alt.file"})()
    os_backend = _MemoryKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plaintext, os_backend, fail.Keyring()])
    KeyringVault(backend=chainer.ChainerBackend()).set("x", "y")
    assert os_backend.store == {("ai-token-wallet", "x"): "y"}
    assert plaintext.store == {}
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plaintext, fail.Keyring()])
    with pytest.raises(KeyringUnavailable, match="not an OS keyring"):
        KeyringVault(backend=chainer.ChainerBackend()).set("x", "y")


def test_locked_keyring_says_unlock_it() -> None:
    class Locked(_MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise KeyringLocked("Failed to unlock the collection!")

    with pytest.raises(KeyringUnavailable, match="keyring is locked"):
        KeyringVault(backend=Locked()).get("x")


def test_os_keyring_vault_round_trip_on_a_memory_backend() -> None:
    kr = _MemoryKeyring()
    vault = KeyringVault(backend=kr)
    vault.set("id/g1/mnemonic", "blob")
    assert kr.store == {("ai-token-wallet", "id/g1/mnemonic"): "blob"}
    vault.delete("id/g1/mnemonic")
    vault.delete("id/g1/mnemonic")
    assert vault.get("id/g1/mnemonic") is None


def test_no_backend_at_all_fails_clearly_and_stores_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    pw = tmp_path / "pw"
    pw.write_text("a fine password\n")
    env = {k: v for k, v in os.environ.items() if k != "AI_WALLET_KEYRING"}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    out = subprocess.run(
        [sys.executable, "-m", "wallet.cli.main", "account", "create", "--password-file", str(pw),
         "--data-dir", str(data), "--json"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert out.returncode == 1, out.stderr
    assert "No OS keyring" in out.stderr and "gnome-keyring" in out.stderr
    assert json.loads(out.stdout)["error"]["code"] == "keyring_unavailable"
    assert not (data / "accounts.json").exists()
    assert not (data / "keyring-file.json").exists(), "no silent fallback to a file"


def test_manager_without_keyring_keeps_metadata_untouched(tmp_path: Path) -> None:
    d = DataDir(tmp_path)
    km = KeyManager(d, Settings(), vault=KeyringVault(backend=fail.Keyring()), idle_timeout=None,
                    auto_lock_thread=False)
    with pytest.raises(KeyringUnavailable):
        km.create_wallet("a fine password")
    assert not km.has_wallet()
    assert not d.accounts_file.exists()
