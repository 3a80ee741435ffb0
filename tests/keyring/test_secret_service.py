"""The wallet against a real Secret Service (gnome-keyring over D-Bus)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import keyring
import pytest
import secretstorage
from eth_account import Account
from keyskit import FAST_N, TEST_ADDR0, TEST_PHRASE, exercise_wallet, files_under, find_leaks

from wallet.config import DataDir, Settings
from wallet.errors import InvalidPassword, SecretMissing
from wallet.keys.manager import KeyManager
from wallet.keys.vault import SERVICE, KeyringVault

pytestmark = pytest.mark.keyring
REPO = Path(__file__).resolve().parents[2]
PW = "keyring test pw 1"


def manager(root: Path, **kw) -> KeyManager:  # type: ignore[no-untyped-def]
    kw.setdefault("scrypt_n", FAST_N)
    return KeyManager(DataDir(root), Settings(), idle_timeout=None, auto_lock_thread=False, **kw)


def raw_items() -> list[tuple[str, dict[str, str], bytes]]:
    """Every item of every collection, straight from the Secret Service."""
    with closing(secretstorage.dbus_init()) as conn:
        out = []
        for collection in secretstorage.get_all_collections(conn):
            for item in collection.get_all_items():
                out.append((item.get_label(), item.get_attributes(), item.get_secret()))
        return out


def wallet_items(wallet_id: str) -> dict[str, bytes]:
    return {a["username"]: s for _, a, s in raw_items()
            if a.get("service") == SERVICE and a.get("username", "").startswith(wallet_id + "/")}


def wallet_id(root: Path) -> str:
    return json.loads((root / "accounts.json").read_text())["wallet_id"]


def test_the_os_keyring_is_the_default_and_nothing_leaks(
    _isolated_data_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    km = manager(_isolated_data_dir)
    assert isinstance(km.vault, KeyringVault)
    out = tmp_path / "out"
    out.mkdir()
    needles, haystacks = exercise_wallet(km, out)
    items = wallet_items(wallet_id(_isolated_data_dir))
    assert len(items) == 3, "phrase + two imported keys, under the changed password's generation"
    assert all("/g2/" in name for name in items)
    assert not (_isolated_data_dir / "keyring-file.json").exists()
    for i, (label, attrs, secret) in enumerate(raw_items()):
        haystacks[f"keyring item {i}"] = label.encode() + json.dumps(attrs).encode() + secret
    haystacks.update(files_under(_isolated_data_dir))
    haystacks["logs"] = caplog.text.encode()
    assert find_leaks(haystacks, needles) == []


def test_stored_blobs_use_the_chosen_work_factor(_isolated_data_dir: Path) -> None:
    km = manager(_isolated_data_dir, scrypt_n=2**17)
    km.import_private_key(Account.create().key.hex(), PW)
    (blob,) = wallet_items(wallet_id(_isolated_data_dir)).values()
    assert json.loads(blob)["crypto"]["kdfparams"]["n"] == 2**17


def test_two_data_dirs_do_not_collide(tmp_path: Path) -> None:
    a, b = manager(tmp_path / "a"), manager(tmp_path / "b")
    a.import_mnemonic(TEST_PHRASE, "password of a")
    b.import_mnemonic(TEST_PHRASE, "password of b")
    assert wallet_id(tmp_path / "a") != wallet_id(tmp_path / "b")
    a.lock()
    b.lock()
    a.unlock("password of a")
    b.unlock("password of b")
    with pytest.raises(InvalidPassword):
        manager(tmp_path / "a").unlock("password of b")


def test_entry_deleted_behind_the_wallets_back(_isolated_data_dir: Path) -> None:
    km = manager(_isolated_data_dir)
    km.import_mnemonic(TEST_PHRASE, PW)
    before = (_isolated_data_dir / "accounts.json").read_text()
    (name,) = wallet_items(wallet_id(_isolated_data_dir))
    keyring.delete_password(SERVICE, name)
    km.lock()
    with pytest.raises(SecretMissing, match="import the recovery phrase or the keys again"):
        km.unlock(PW)
    assert (_isolated_data_dir / "accounts.json").read_text() == before
    assert [a.address for a in km.list_accounts()] == [TEST_ADDR0]
    km.import_mnemonic(TEST_PHRASE, PW)
    km.lock()
    km.unlock(PW)
    assert km.signer(TEST_ADDR0).address == TEST_ADDR0


KILLED_CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from wallet.config import DataDir, Settings
    from wallet.keys.manager import KeyManager
    from wallet.keys.vault import KeyringVault

    class DyingVault(KeyringVault):
        sets = 0
        def set(self, name, value):
            DyingVault.sets += 1
            if DyingVault.sets == 2:
                os._exit(137)
            super().set(name, value)

    km = KeyManager(DataDir(Path(sys.argv[1])), Settings(), vault=DyingVault(), scrypt_n=1024,
                    idle_timeout=None, auto_lock_thread=False)
    km.change_password(sys.argv[2], sys.argv[3])
""")


def test_password_change_killed_midway(_isolated_data_dir: Path) -> None:
    km = manager(_isolated_data_dir)
    km.import_mnemonic(TEST_PHRASE, PW)
    km.import_private_key(Account.create().key.hex(), PW)
    wid = wallet_id(_isolated_data_dir)
    old_names = set(wallet_items(wid))
    out = subprocess.run([sys.executable, "-c", KILLED_CHILD, str(_isolated_data_dir), PW, "new password 2"],
                         capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert out.returncode == 137, out.stderr
    assert len(wallet_items(wid)) == 3  # one new entry was written before the kill
    restarted = manager(_isolated_data_dir)
    with pytest.raises(InvalidPassword):
        restarted.unlock("new password 2")
    restarted.unlock(PW)
    assert set(wallet_items(wid)) == old_names  # the half-written generation was removed


LOCKED_CHILD = textwrap.dedent("""
    import json, sys
    from contextlib import closing
    from pathlib import Path
    import secretstorage
    from wallet.config import DataDir, Settings
    from wallet.errors import KeyringUnavailable
    from wallet.keys.manager import KeyManager

    root = Path(sys.argv[1])
    km = KeyManager(DataDir(root), Settings(), scrypt_n=1024, idle_timeout=None, auto_lock_thread=False)
    km.create_wallet("locked test pw")
    km.lock()
    with closing(secretstorage.dbus_init()) as conn:
        secretstorage.get_default_collection(conn).lock()
    results = {}
    for what, op in (("unlock", lambda: km.unlock("locked test pw")),
                     ("create", lambda: KeyManager(DataDir(root / "second"), Settings(), scrypt_n=1024,
                                                   idle_timeout=None).create_wallet("another pw 1"))):
        try:
            op()
            results[what] = "no error"
        except KeyringUnavailable as e:
            results[what] = e.user_message
    print(json.dumps(results))
""")


def test_locked_collection_gives_a_clear_error(tmp_path: Path) -> None:
    # Locking the session's only collection would break the other tests (unlocking it again needs a prompt),
    # so this runs in its own throwaway Secret Service session.
    out = subprocess.run(
        [str(REPO / "scripts" / "with-secret-service.sh"), sys.executable, "-c", LOCKED_CHILD, str(tmp_path / "d")],
        capture_output=True, text=True, timeout=180,
    )
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout.strip().splitlines()[-1])
    for what in ("unlock", "create"):
        assert "The OS keyring is locked" in results[what], results
    assert not (tmp_path / "d" / "second" / "accounts.json").exists()
