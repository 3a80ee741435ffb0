"""WalletService with a wallet: the history follows new blocks by itself and announces what arrives."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from test_service_events import wait_for

from wallet.chain.client import ChainClient
from wallet.chain.contracts import AIToken
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.demo import DEPLOYER_KEY
from wallet.devnet.manager import DevnetManager
from wallet.events import HistoryChanged, TransactionStatusChanged, TransferReceived
from wallet.history.model import HistoryFilter
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = pytest.mark.chain


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WalletService]:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    data_dir = DataDir(tmp_path / "wd").ensure()
    DevnetManager(data_dir).up(free_port())
    svc = WalletService(data_dir)
    svc.create_wallet("a long enough password", 12)
    svc.unlock("a long enough password")
    yield svc
    svc.close()
    DevnetManager(data_dir).down()


def test_the_history_follows_the_chain_and_announces_incoming_transfers(service: WalletService) -> None:
    me = service.current_account()
    assert me is not None
    events: queue.Queue = queue.Queue()
    service.bus.subscribe(events.put)
    service.devnet_faucet(me, 2 * ONE, 10 * ONE)
    service.start_watching(interval=0.1)
    wait_for(events, HistoryChanged)
    friend = Account.create()
    service.devnet_faucet(friend.address, ONE, 5 * ONE)
    AIToken(ChainClient(service.profile), service.profile.contract("AIToken")).transfer(friend, me, 3 * ONE)
    arrived = wait_for(events, TransferReceived, where=lambda e: e.sender == friend.address)
    assert (arrived.account, arrived.asset, arrived.amount) == (me, "AIT", 3 * ONE)

    plan = service.prepare_send(me, friend.address, "1")
    record = service.send(plan, accept_warnings=True)
    done = wait_for(events, TransactionStatusChanged, where=lambda e: e.tx_hash == record.tx_hash)
    assert (done.status, done.kind) == ("confirmed", "send")
    kinds = sorted(r.kind for r in service.history_page(HistoryFilter()).rows)
    assert kinds == ["faucet", "faucet", "receive", "send"]
    assert Account.from_key(DEPLOYER_KEY).address not in {r.account for r in service.history_page().rows}
