"""WalletService following the chain: blocks, balances and registry changes arrive as typed events."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from wallet.chain.client import ChainClient
from wallet.chain.contracts import ProviderRegistry
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.demo import DEMO_PROVIDERS
from wallet.devnet.manager import DevnetManager
from wallet.events import BalancesChanged, ConnectionChanged, NetworkSwitched, NewBlock, ProvidersChanged
from wallet.networks import NetworkProfile
from wallet.quote import PromptInput
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = pytest.mark.chain


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WalletService]:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")  # the keyring is not what these tests are about
    data_dir = DataDir(tmp_path / "wd").ensure()
    DevnetManager(data_dir).up(free_port())
    svc = WalletService(data_dir)
    yield svc
    svc.close()
    DevnetManager(data_dir).down()


def wait_for(events: queue.Queue, kind: type, timeout: float = 10.0,
             where: Callable[[Any], bool] = lambda e: True, collect: list[Any] | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            e = events.get(timeout=0.2)
        except queue.Empty:
            continue
        if collect is not None:
            collect.append(e)
        if isinstance(e, kind) and where(e):
            return e
    raise AssertionError(f"no {kind.__name__} within {timeout} s")


def test_new_blocks_and_balance_changes_are_published(service: WalletService, tmp_path: Path) -> None:
    events: queue.Queue = queue.Queue()
    service.bus.subscribe(events.put)
    password = "correct horse battery"
    who = service.import_private_key(Account.create().key.hex(), password).address  # selected: watched
    service.start_watching(interval=0.1)
    first = wait_for(events, BalancesChanged)
    assert (first.address, first.eth, first.ait) == (who, 0, 0)
    service.devnet_faucet(who, 2 * ONE, 5 * ONE)
    wait_for(events, NewBlock)
    changed = wait_for(events, BalancesChanged, where=lambda e: e.ait == 5 * ONE)
    assert changed.eth == 2 * ONE


def test_a_price_change_on_chain_refreshes_the_quote(service: WalletService) -> None:
    events: queue.Queue = queue.Queue()
    service.bus.subscribe(events.put)
    prompt = PromptInput.text("How many tokens is this prompt? " * 20)
    before = service.quote(1, "gpt-4o-mini", prompt, 1000)
    service.start_watching(interval=0.1)
    wait_for(events, NewBlock)

    demo = DEMO_PROVIDERS[0]
    old = demo.models[0]
    new = replace(old, input_price=old.input_price * 2, output_price=old.output_price * 3)
    # The provider's owner changes its price elsewhere (its own client, not this wallet).
    registry = ProviderRegistry(ChainClient(service.profile), service.profile.contract("ProviderRegistry"))
    registry.set_model_price(Account.from_key(demo.owner_key), 1, new)

    wait_for(events, ProvidersChanged)
    after = service.quote(1, "gpt-4o-mini", prompt, 1000)
    assert after.input_tokens == before.input_tokens
    expected = -(-(after.input_tokens * new.input_price + 1000 * new.output_price) // 1_000_000)
    assert after.price_base_units == expected != before.price_base_units


def test_after_a_switch_the_watcher_follows_the_new_chain_only(service: WalletService, anvil) -> None:  # type: ignore[no-untyped-def]
    events: queue.Queue = queue.Queue()
    service.bus.subscribe(events.put)
    service.start_watching(interval=0.05)
    old = wait_for(events, NewBlock)
    assert old.number > 0  # the devnet has its deployment behind it
    service.save_network(NetworkProfile("bare", 31337, anvil.rpc_url))  # a fresh chain: block 0
    service.switch_network("bare")
    wait_for(events, NetworkSwitched, where=lambda e: e.name == "bare")
    after: list[object] = []
    first_block = wait_for(events, NewBlock, collect=after)
    assert first_block.number == 0
    assert ConnectionChanged("connected") in after  # the connection state starts over too
    assert all(not isinstance(e, NewBlock) or e.number == 0 for e in after)
