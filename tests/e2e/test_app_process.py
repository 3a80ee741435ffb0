"""`ai-wallet` with no command, as a real process: it opens the app on the devnet it starts itself, and on
SIGTERM (or Ctrl+C) it quits cleanly, stopping that devnet and leaving no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from gatewaykit import processes_mentioning

from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetManager

pytestmark = [pytest.mark.gui, pytest.mark.chain]


def serving(manager: DevnetManager) -> bool:
    """The demo gateways and the facilitator all answer (the app's start-up is then complete)."""
    services = manager.status().services
    try:
        return len(services) == 3 and all(httpx.get(s.url + "/health", timeout=1).status_code == 200
                                          for s in services)
    except httpx.HTTPError:
        return False


def test_app_starts_the_devnet_and_stops_it_on_exit(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "wallet")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AI_WALLET_DEVNET_PORT": str(free_port()),
           "AI_WALLET_KEYRING": "file", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "--data-dir", str(data_dir.root)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    manager = DevnetManager(data_dir)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (manager.status().running and manager.deployment()
                                                   and serving(manager)):
            assert proc.poll() is None, proc.communicate()[0]
            time.sleep(0.2)
        status = manager.status()
        assert status.running and set(status.contracts) == {"AIToken", "ProviderRegistry", "TokenSale"}
        assert {s.name for s in status.services} == {"facilitator", "gateway-1", "gateway-2"}
        pid = status.pid
        proc.send_signal(signal.SIGTERM)  # whether or not the start-up has finished connecting
        out = proc.communicate(timeout=60)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
        manager.down()
    assert proc.returncode == 0, out
    assert "Traceback" not in out
    assert not manager.status().running
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert processes_mentioning(data_dir.root.resolve()) == {}  # the demo gateways and facilitator went too
