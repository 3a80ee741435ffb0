"""Two processes on one data dir (the app and a CLI command, say) adding accounts at the same time: every
write is serialized across processes, so no account is lost and no index is used twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from wallet.config import DataDir
from wallet.keys.manager import KeyManager

PASSWORD = "interprocess password"
PHRASE = "test test test test test test test test test test test junk"  # public (anvil's, Hardhat's)
ADDS = 12

WORKER = f"""
import sys
from pathlib import Path
from wallet.config import DataDir
from wallet.keys.manager import KeyManager
km = KeyManager(DataDir(Path(sys.argv[1])), idle_timeout=None, auto_lock_thread=False)
km.unlock({PASSWORD!r})
sys.stdin.readline()  # both workers start adding at the same moment
for _ in range({ADDS}):
    km.add_account()
print("done", flush=True)
"""


def test_concurrent_processes_never_lose_an_account(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "wd").ensure()
    env = {**os.environ, "AI_WALLET_KEYRING": "file"}
    os.environ["AI_WALLET_KEYRING"] = "file"
    try:
        KeyManager(data_dir, idle_timeout=None, auto_lock_thread=False).import_mnemonic(PHRASE, PASSWORD)
    finally:
        del os.environ["AI_WALLET_KEYRING"]
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(data_dir.root)], env=env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(2)]
    for w in workers:
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    outs = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), [o[1][-2000:] for o in outs]

    os.environ["AI_WALLET_KEYRING"] = "file"
    try:
        accounts = KeyManager(data_dir, idle_timeout=None, auto_lock_thread=False).list_accounts()
    finally:
        del os.environ["AI_WALLET_KEYRING"]
    indexes = sorted(a.index for a in accounts if a.index is not None)
    assert indexes == list(range(1 + 2 * ADDS))
    assert len({a.address for a in accounts}) == 1 + 2 * ADDS
