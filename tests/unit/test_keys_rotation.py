"""Changing the password: every secret re-encrypted; an interruption at any point leaves one password working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from eth_account import Account
from keyskit import FAST_N, TEST_ADDR0, TEST_PHRASE, CrashingVault, SimulatedCrash

from wallet.config import DataDir, Settings
from wallet.errors import InvalidInput, InvalidPassword
from wallet.keys.manager import KeyManager
from wallet.keys.vault import FileVault

OLD = "old password 1"
NEW = "new password 2"
KEYS = ["0x" + "11" * 32, "0x" + "22" * 32]
MUTATIONS = 6  # 3 secrets written anew, then 3 old ones deleted


@pytest.fixture
def data_dir(_isolated_data_dir: Path) -> DataDir:
    return DataDir(_isolated_data_dir)


def manager(data_dir: DataDir, vault) -> KeyManager:  # type: ignore[no-untyped-def]
    return KeyManager(data_dir, Settings(), vault=vault, scrypt_n=FAST_N, idle_timeout=None,
                      auto_lock_thread=False)


def file_vault(data_dir: DataDir) -> FileVault:
    return FileVault(data_dir.root / "keyring-file.json")


def build_wallet(data_dir: DataDir) -> None:
    km = manager(data_dir, file_vault(data_dir))
    km.import_mnemonic(TEST_PHRASE, OLD)
    for k in KEYS:
        km.import_private_key(k, OLD)
    km.close()


def stored_entries(data_dir: DataDir) -> set[str]:
    data = json.loads((data_dir.root / "keyring-file.json").read_text())
    return set(data["entries"]["ai-token-wallet"])


def expected_entries(data_dir: DataDir) -> set[str]:
    meta = json.loads(data_dir.accounts_file.read_text())
    names = {a["secret"] for a in meta["accounts"] if a["secret"]}
    return names | {meta["mnemonic_secret"]}


def test_change_password_reencrypts_every_secret(data_dir: DataDir) -> None:
    build_wallet(data_dir)
    before = {n: file_vault(data_dir).get(n) for n in stored_entries(data_dir)}
    counting = CrashingVault(file_vault(data_dir))
    km = manager(data_dir, counting)
    with pytest.raises(InvalidPassword):
        km.change_password("wrong password", NEW)
    with pytest.raises(InvalidInput, match="same as the current"):
        km.change_password(OLD, OLD)
    with pytest.raises(InvalidInput, match="at least 8"):
        km.change_password(OLD, "short")
    km.change_password(OLD, NEW)
    assert counting.mutations == MUTATIONS
    after = stored_entries(data_dir)
    assert after == expected_entries(data_dir)
    assert not after & set(before), "old entries must be gone"
    assert all("/g2/" in n for n in after)
    km.lock()
    with pytest.raises(InvalidPassword):
        km.unlock(OLD)
    km.unlock(NEW)
    assert km.missing_secrets() == []
    assert km.reveal_mnemonic(NEW) == TEST_PHRASE
    for k in KEYS:
        assert km.signer(Account.from_key(k).address).address == Account.from_key(k).address


@pytest.mark.parametrize("crash_at", range(1, MUTATIONS + 1))
def test_interrupted_change_leaves_one_password_working(data_dir: DataDir, crash_at: int) -> None:
    build_wallet(data_dir)
    with pytest.raises(SimulatedCrash):
        manager(data_dir, CrashingVault(file_vault(data_dir), crash_at)).change_password(OLD, NEW)
    switched = json.loads(data_dir.accounts_file.read_text())["generation"] == 2
    assert switched == (crash_at > 3), "the switch happens after all new entries are written"
    working, dead = (NEW, OLD) if switched else (OLD, NEW)

    restarted = manager(data_dir, file_vault(data_dir))
    with pytest.raises(InvalidPassword):
        restarted.unlock(dead)
    restarted.unlock(working)
    assert restarted.missing_secrets() == []
    assert restarted.reveal_mnemonic(working) == TEST_PHRASE
    assert restarted.signer(TEST_ADDR0).address == TEST_ADDR0
    # The unlock finished or undid the change: no orphaned entries under either generation.
    assert stored_entries(data_dir) == expected_entries(data_dir)
    meta = json.loads(data_dir.accounts_file.read_text())
    assert meta["pending_generation"] is None and meta["stale_secrets"] == []
    # And the wallet can change its password again afterwards.
    restarted.change_password(working, "third password")
    restarted.lock()
    restarted.unlock("third password")


CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from wallet.config import DataDir, Settings
    from wallet.keys.manager import KeyManager
    from wallet.keys.vault import FileVault

    class DyingVault(FileVault):
        sets = 0
        def set(self, name, value):
            DyingVault.sets += 1
            if DyingVault.sets == 2:
                os._exit(137)  # like a kill -9 or a power cut: no cleanup, no finally blocks
            super().set(name, value)

    d = DataDir(Path(sys.argv[1]))
    km = KeyManager(d, Settings(), vault=DyingVault(d.root / "keyring-file.json"), scrypt_n=1024,
                    idle_timeout=None, auto_lock_thread=False)
    km.change_password(sys.argv[2], sys.argv[3])
    print("not interrupted")
""")


def test_process_killed_in_the_middle_of_a_change(data_dir: DataDir) -> None:
    build_wallet(data_dir)
    # Passwords go to the child as arguments only because this is a throwaway test wallet.
    out = subprocess.run([sys.executable, "-c", CHILD, str(data_dir.root), OLD, NEW],
                         capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert out.returncode == 137, out.stderr
    assert json.loads(data_dir.accounts_file.read_text())["pending_generation"] == 2
    assert len(stored_entries(data_dir)) == 4  # 3 old + 1 new written before the kill
    km = manager(data_dir, file_vault(data_dir))
    with pytest.raises(InvalidPassword):
        km.unlock(NEW)
    km.unlock(OLD)
    assert stored_entries(data_dir) == expected_entries(data_dir)
