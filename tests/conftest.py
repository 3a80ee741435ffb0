"""Shared fixtures: real parts, started by the tests themselves."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from wallet.config import DataDir
from wallet.devnet.anvil import AnvilProcess, free_port, start_anvil
from wallet.devnet.demo import DEV_KEYS
from wallet.devnet.manager import DevnetManager, DevnetStatus


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own wallet data dir; nothing touches the user's."""
    d = tmp_path / "wallet-data"
    monkeypatch.setenv("AI_WALLET_DATA_DIR", str(d))
    return d


@pytest.fixture(scope="session")
def anvil_session() -> Iterator[AnvilProcess]:
    """One real anvil for tests that only read or that use fresh accounts/contracts."""
    node = start_anvil(free_port())
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def anvil() -> Iterator[AnvilProcess]:
    """A fresh real anvil per test, for tests that change chain state in ways others must not see."""
    node = start_anvil(free_port())
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DataDir, DevnetStatus]]:
    """The wallet's own devnet (contracts deployed, demo providers registered) in a data dir of its own.

    Shared by the tests of a session: tests that use it must not depend on balances others change
    (use fresh addresses) and must not change the demo providers' prices.
    """
    data_dir = DataDir(tmp_path_factory.mktemp("devnet-data"))
    manager = DevnetManager(data_dir)
    status, _ = manager.up(free_port())
    try:
        yield data_dir, status
    finally:
        manager.down()


@pytest.fixture(scope="session")
def dev_keys() -> list[str]:
    return list(DEV_KEYS)


@pytest.fixture(scope="session", autouse=True)
def _no_stray_chains(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A test that fails half-way may leave a devnet it started (anvil and the demo providers' gateways and
    facilitator run detached, like the real ones); at the end of the session stop every such process whose
    files live under this session's temp dir."""
    yield
    base = str(tmp_path_factory.getbasetemp()).encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ours = any(b"anvil" in part for part in cmdline[:1]) or b"provider.main" in cmdline
        if ours and any(base in part for part in cmdline):
            with contextlib.suppress(OSError):
                os.kill(int(proc.name), signal.SIGTERM)


def pytest_report_header(config: pytest.Config) -> str:
    return f"AI_WALLET_ANVIL={os.environ.get('AI_WALLET_ANVIL', '(auto)')}"
