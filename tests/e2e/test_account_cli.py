"""`ai-wallet account ...` end to end in real processes (file vault), secrets only ever in files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account
from keyskit import TEST_ADDR0, TEST_ADDR1, TEST_PHRASE

Account.enable_unaudited_hdwallet_features()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    env = {**os.environ, "AI_WALLET_KEYRING": "file", "AI_WALLET_DATA_DIR": str(tmp_path / "data")}

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        out = subprocess.run([sys.executable, "-m", "wallet.cli.main", "account", *args],
                             capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
        if ok:
            assert out.returncode == 0, out.stderr
        return out

    return run


def secret_file(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text + "\n")
    return str(p)


def test_create_list_add_reveal(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pw = secret_file(tmp_path, "pw", "a good password")
    created = cli("create", "--password-file", pw, "--json")
    body = json.loads(created.stdout)
    assert len(body["mnemonic"].split()) == 12
    assert body["address"] == Account.from_mnemonic(body["mnemonic"]).address
    assert "Write these words down" in created.stderr and body["mnemonic"] not in created.stderr
    again = cli("create", "--password-file", pw, ok=False)
    assert again.returncode == 2 and "already exists" in again.stderr
    added = json.loads(cli("add", "--label", "savings", "--password-file", pw, "--json").stdout)
    assert added["index"] == 1 and added["label"] == "savings"
    listed = json.loads(cli("list", "--json").stdout)
    assert [(a["address"], a["label"], a["index"]) for a in listed] == [
        (body["address"], "Account 1", 0), (added["address"], "savings", 1)]
    revealed = cli("reveal-mnemonic", "--password-file", pw)
    assert revealed.stdout.strip() == body["mnemonic"]


def test_import_phrase_key_keystore_and_export(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pw = secret_file(tmp_path, "pw", "a good password")
    imported = json.loads(cli("import", "--mnemonic-file", secret_file(tmp_path, "m", TEST_PHRASE),
                              "--password-file", pw, "--json").stdout)
    assert imported["address"] == TEST_ADDR0
    assert json.loads(cli("add", "--password-file", pw, "--json").stdout)["address"] == TEST_ADDR1

    raw = Account.create()
    out = cli("import", "--private-key-file", secret_file(tmp_path, "k", raw.key.hex()), "--label", "hot",
              "--password-file", pw)
    assert raw.address in out.stdout and raw.key.hex() not in out.stdout + out.stderr
    dup = cli("import", "--private-key-file", str(tmp_path / "k"), "--password-file", pw, ok=False)
    assert dup.returncode == 2 and "already in this wallet" in dup.stderr

    geth = Account.create()
    ks_file = tmp_path / "geth.json"
    ks_file.write_text(json.dumps(Account.encrypt(geth.key, "geth pass", kdf="pbkdf2", iterations=5000)))
    bad = cli("import", "--keystore", str(ks_file), "--keystore-password-file",
              secret_file(tmp_path, "kpbad", "nope"), "--password-file", pw, ok=False)
    assert bad.returncode == 1 and "keystore password is wrong" in bad.stderr
    cli("import", "--keystore", str(ks_file), "--keystore-password-file", secret_file(tmp_path, "kp", "geth pass"),
        "--password-file", pw)

    listed = {a["address"]: a for a in json.loads(cli("list", "--json").stdout)}
    assert set(listed) == {TEST_ADDR0, TEST_ADDR1, raw.address, geth.address}
    assert listed[raw.address]["index"] is None and listed[raw.address]["label"] == "hot"

    out_file = tmp_path / "backup.json"
    cli("export", TEST_ADDR1, "--keystore", str(out_file), "--password-file", pw)
    assert out_file.stat().st_mode & 0o777 == 0o600
    assert Account.from_key(Account.decrypt(out_file.read_text(), "a good password")).address == TEST_ADDR1
    refused = cli("export", TEST_ADDR1, "--keystore", str(out_file), "--password-file", pw, ok=False)
    assert refused.returncode == 2 and "already exists" in refused.stderr


def test_change_password_lock_unlock(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = secret_file(tmp_path, "old", "first password")
    new = secret_file(tmp_path, "new", "second password")
    cli("import", "--mnemonic-file", secret_file(tmp_path, "m", TEST_PHRASE), "--password-file", old)
    cli("change-password", "--password-file", old, "--new-password-file", new)
    wrong = cli("unlock", "--password-file", old, "--json", ok=False)
    assert wrong.returncode == 1 and json.loads(wrong.stdout)["error"]["code"] == "invalid_password"
    assert "Password accepted" in cli("unlock", "--password-file", new).stdout
    assert "never keeps the wallet unlocked" in cli("lock").stdout
    assert cli("reveal-mnemonic", "--password-file", new).stdout.strip() == TEST_PHRASE


def test_no_prompt_without_a_terminal(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("create", ok=False)
    assert out.returncode == 2 and "give it with a file option" in out.stderr
