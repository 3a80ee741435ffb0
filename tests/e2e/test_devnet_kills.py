"""The wallet always recognises and stops its own anvil: after `devnet up` is killed at any stage, or node.json
is damaged while the devnet runs, `down` stops it and `up` works. Real kills, real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from clirun import run_cli

from wallet.devnet.anvil import chain_id_at, free_port
from wallet.devnet.processes import find_anvils

pytestmark = pytest.mark.chain


def anvils(data_dir: Path) -> list[int]:
    return [r.pid for r in find_anvils((data_dir / "devnet" / "state.json").resolve())]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "wd"
    yield d
    run_cli(d, "devnet", "down")
    for pid in anvils(d):  # whatever the test left, even if `down` is what failed
        os.kill(pid, signal.SIGKILL)


def kill_up_when(data_dir: Path, port: int, stage: Callable[[], bool]) -> None:
    """Start `devnet up` and SIGKILL it the moment ``stage`` holds (it has had no chance to clean up)."""
    proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "--data-dir", str(data_dir), "devnet", "up",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: stage() or proc.poll() is not None, "the stage to kill at")
        assert proc.poll() is None, "`devnet up` finished before the stage to kill it at"
    finally:
        proc.kill()
        proc.wait(30)


def assert_down_then_up_works(data_dir: Path, port: int) -> None:
    down = run_cli(data_dir, "devnet", "down", "--json")
    assert down.code == 0 and down.json() == {"stopped": True}, down.err
    assert anvils(data_dir) == [], "an anvil of this data dir survived `down`"
    up = run_cli(data_dir, "devnet", "up", "--json")
    assert up.code == 0, up.err
    status = up.json()
    assert status["running"] and status["rpc_url"] == f"http://127.0.0.1:{port}" and all(status["contracts"].values())
    assert len(anvils(data_dir)) == 1


@pytest.mark.parametrize("record", ["kept", "lost"])
def test_up_killed_as_anvil_starts(data_dir: Path, record: str) -> None:
    port = free_port()
    kill_up_when(data_dir, port, lambda: bool(anvils(data_dir)))
    assert len(anvils(data_dir)) == 1  # detached: it outlives the command that started it
    if record == "lost":  # as if the kill had come before node.json was written
        (data_dir / "devnet" / "node.json").unlink(missing_ok=True)
    status = run_cli(data_dir, "devnet", "status", "--json").json()
    assert status["pid"] in (anvils(data_dir) if status["running"] else [None])
    assert_down_then_up_works(data_dir, port)


def test_up_killed_while_deploying(data_dir: Path) -> None:
    port = free_port()
    kill_up_when(data_dir, port, lambda: chain_id_at(f"http://127.0.0.1:{port}", timeout=0.2) == 31337)
    assert_down_then_up_works(data_dir, port)


def test_up_adopts_an_anvil_whose_record_was_lost(data_dir: Path) -> None:
    port = free_port()
    kill_up_when(data_dir, port, lambda: bool(anvils(data_dir)))
    (data_dir / "devnet" / "node.json").unlink(missing_ok=True)
    orphan = anvils(data_dir)
    up = run_cli(data_dir, "devnet", "up", "--json")  # not "port taken by a foreign chain"
    assert up.code == 0, up.err
    assert up.json()["pid"] == orphan[0] and anvils(data_dir) == orphan
    assert all(up.json()["contracts"].values())


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00{not json")


def _deep(path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000)


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _wrong_pid(path: Path) -> None:
    path.write_text(f'{{"pid": {os.getpid()}, "port": 1}}')


def _removed(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize("damage", [_garbage, _deep, _fifo, _wrong_pid, _removed], ids=lambda f: f.__name__[1:])
def test_node_record_damaged_while_running(data_dir: Path, damage: Callable[[Path], None]) -> None:
    port = free_port()
    assert run_cli(data_dir, "devnet", "up", "--port", str(port)).code == 0
    running = anvils(data_dir)
    damage(data_dir / "devnet" / "node.json")
    status = run_cli(data_dir, "devnet", "status", "--json")
    assert status.code == 0 and status.json()["running"] is True and status.json()["pid"] == running[0]
    assert_down_then_up_works(data_dir, port)
