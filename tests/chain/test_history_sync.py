"""The history read from a real chain: every movement once, resumable, reorg- and reset-safe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from moneykit import MoneyWallet, history_keys, money_wallet, rpc
from rpcproxy import RpcProxy

from wallet.chain.client import ChainClient
from wallet.chain.contracts import AIToken
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetManager
from wallet.errors import NetworkError
from wallet.events import HistoryChanged, TransferReceived
from wallet.history.model import HistoryFilter
from wallet.networks import NetworkProfile
from wallet.units import ONE

pytestmark = pytest.mark.chain


@pytest.fixture
def shared(devnet: tuple[DataDir, object]) -> NetworkProfile:
    return DevnetManager(devnet[0]).profile()


@pytest.fixture
def own_devnet(tmp_path: Path) -> Iterator[tuple[DevnetManager, NetworkProfile]]:
    manager = DevnetManager(DataDir(tmp_path / "own-devnet"))
    manager.up(free_port())
    try:
        yield manager, manager.profile()
    finally:
        manager.down()


def outsider_sends(profile: NetworkProfile, to: str, ait: int) -> str:
    """Someone outside the wallet sends AIT (their own funded key, their own transaction)."""
    from wallet.devnet.faucet import faucet

    stranger = Account.create()
    faucet(profile, stranger.address, ONE, ait)
    client = ChainClient(profile)
    return AIToken(client, profile.contract("AIToken")).transfer(stranger, to, ait).tx_hash


def rows_by_kind(wallet: MoneyWallet) -> list[tuple[str, str, str, str, int]]:
    return sorted((r.account, r.kind, r.status, r.asset, r.amount) for r in wallet.history.rows())


def test_sync_reads_every_movement_once(shared: NetworkProfile, tmp_path: Path) -> None:
    w = money_wallet(shared, tmp_path / "w.sqlite3")
    a, b = w.addresses
    w.fund(a, 2 * ONE, 100 * ONE)
    topup = w.transfers.topup(w.transfers.prepare_topup(a, ait="50"))
    w.transfers.wait(topup.tx_hash)
    w.send(a, b, "12.5")
    w.send(a, b, "0.25", "ETH")
    outsider_sends(shared, a, 3 * ONE)
    first = w.history.sync()
    assert first.new_facts > 0
    expected = sorted([
        (a, "faucet", "confirmed", "ETH", 2 * ONE), (a, "faucet", "confirmed", "AIT", 100 * ONE),
        (a, "topup", "confirmed", "AIT", 50 * ONE), (a, "send", "confirmed", "AIT", 12_500_000_000_000_000_000),
        (b, "receive", "confirmed", "AIT", 12_500_000_000_000_000_000), (a, "send", "confirmed", "ETH", ONE // 4),
        (b, "receive", "confirmed", "ETH", ONE // 4), (a, "receive", "confirmed", "AIT", 3 * ONE),
    ])
    assert rows_by_kind(w) == expected
    before = history_keys(w)
    again = w.history.sync()
    assert again.new_facts == 0 and history_keys(w) == before
    # Every transaction the account sent carries its fee; the top-up row says what it cost.
    top = next(r for r in w.history.rows() if r.kind == "topup")
    assert top.fee and top.fee > 0 and top.details["paid_wei"] == ONE // 20
    assert all(r.fee for r in w.history.rows() if r.account == a and r.kind == "send")


def test_an_incremental_sync_announces_incoming_transfers(shared: NetworkProfile, tmp_path: Path) -> None:
    w = money_wallet(shared, tmp_path / "w.sqlite3")
    a, _ = w.addresses
    w.history.sync()
    w.events.clear()
    tx = outsider_sends(shared, a, 7 * ONE)
    w.history.sync()
    received = [e for e in w.events if isinstance(e, TransferReceived)]
    assert [(e.account, e.asset, e.amount, e.tx_hash) for e in received] == [(a, "AIT", 7 * ONE, tx)]
    assert any(isinstance(e, HistoryChanged) for e in w.events)


def make_traffic(profile: NetworkProfile, w: MoneyWallet, n: int) -> None:
    a, b = w.addresses
    w.fund(a, 2 * ONE, 1000 * ONE)
    for i in range(n):
        w.send(a, b, f"{i + 1}")


@pytest.mark.parametrize("drop_after", [2, 5, 11])
def test_an_rpc_dropping_mid_sync_resumes_with_no_duplicates_or_gaps(
        shared: NetworkProfile, tmp_path: Path, drop_after: int) -> None:
    keys = [Account.create(), Account.create()]
    direct = money_wallet(shared, tmp_path / "direct.sqlite3", keys)
    make_traffic(shared, direct, 6)
    direct.history.sync()
    with RpcProxy(shared.rpc_url, drop_after=drop_after) as proxy:
        flaky_profile = NetworkProfile(shared.name, shared.chain_id, proxy.url, dict(shared.contracts),
                                       is_devnet=True)
        flaky = money_wallet(flaky_profile, tmp_path / "flaky.sqlite3", keys)
        flaky.history.chunk = 4  # many chunks, so the cut falls in the middle
        with pytest.raises(NetworkError):
            flaky.history.sync()
        assert proxy.dropped >= 1
        proxy.drop_after = None  # the network is back
        flaky.history.sync()
    rows = [k for k in history_keys(flaky) if k[1] != "faucet" or k[8]]
    assert rows == [k for k in history_keys(direct) if k[1] != "faucet" or k[8]]
    # The faucet records exist only in the direct wallet's database; the chain facts are the same in both.
    chain_facts = "SELECT chain_id, tx_hash, log_index, account, block_hash FROM chain_fact ORDER BY 1, 2, 3, 4"
    assert flaky.db.execute(chain_facts) == direct.db.execute(chain_facts)


def test_a_node_that_limits_log_ranges_is_read_in_smaller_chunks(shared: NetworkProfile, tmp_path: Path) -> None:
    keys = [Account.create(), Account.create()]
    direct = money_wallet(shared, tmp_path / "direct.sqlite3", keys)
    make_traffic(shared, direct, 2)
    direct.history.sync()
    with RpcProxy(shared.rpc_url, max_log_range=7) as proxy:
        limited = money_wallet(NetworkProfile(shared.name, shared.chain_id, proxy.url, dict(shared.contracts),
                                              is_devnet=True), tmp_path / "limited.sqlite3", keys)
        limited.history.sync()
    chain_facts = "SELECT tx_hash, log_index, account, block_hash FROM chain_fact ORDER BY 1, 2, 3"
    assert limited.db.execute(chain_facts) == direct.db.execute(chain_facts)


def test_a_node_answering_malformed_logs_stores_nothing(shared: NetworkProfile, tmp_path: Path) -> None:
    keys = [Account.create(), Account.create()]
    direct = money_wallet(shared, tmp_path / "direct.sqlite3", keys)
    make_traffic(shared, direct, 1)
    with RpcProxy(shared.rpc_url, garble_logs=True) as proxy:
        bad = money_wallet(NetworkProfile(shared.name, shared.chain_id, proxy.url, dict(shared.contracts),
                                          is_devnet=True), tmp_path / "bad.sqlite3", keys)
        with pytest.raises(NetworkError, match="malformed"):
            bad.history.sync()
        assert bad.db.execute("SELECT COUNT(*) FROM chain_fact")[0][0] == 0
        assert bad.db.execute("SELECT COUNT(*) FROM sync_cursor")[0][0] == 0
        proxy.garble_logs = False
        bad.history.sync()
    assert bad.db.execute("SELECT COUNT(*) FROM chain_fact")[0][0] > 0


def test_a_reorg_drops_what_is_gone_and_doubles_nothing(own_devnet: tuple[DevnetManager, NetworkProfile],
                                                        tmp_path: Path) -> None:
    _, profile = own_devnet
    w = money_wallet(profile, tmp_path / "w.sqlite3")
    a, b = w.addresses
    w.fund(a, ONE, 10 * ONE)
    w.history.sync()
    snapshot = rpc(profile.rpc_url, "evm_snapshot")
    gone = w.send(a, b, "1")  # mined, seen, then taken away by the reorg
    outsider_sends(profile, a, 5 * ONE)
    w.history.sync()
    assert (a, "receive", "confirmed", "AIT", 5 * ONE) in rows_by_kind(w)
    rpc(profile.rpc_url, "evm_revert", snapshot)
    stays = outsider_sends(profile, a, 7 * ONE)  # the other branch, over the same heights
    for _ in range(3):
        rpc(profile.rpc_url, "evm_mine")
    report = w.history.sync()
    w.transfers.refresh()
    assert report.reorg_last_good is not None and report.dropped_facts > 0
    rows = rows_by_kind(w)
    assert (a, "receive", "confirmed", "AIT", 5 * ONE) not in rows
    assert rows.count((a, "receive", "confirmed", "AIT", 7 * ONE)) == 1
    assert (a, "send", "expired", "AIT", ONE) in rows and (b, "receive", "confirmed", "AIT", ONE) not in rows
    assert w.transfers.transaction(gone.tx_hash).status == "expired"
    assert any(r.tx_hash == stays for r in w.history.rows())
    assert len(set(history_keys(w))) == len(history_keys(w))


def test_a_reset_devnet_drops_the_old_chain_and_reads_the_new(own_devnet: tuple[DevnetManager, NetworkProfile],
                                                              tmp_path: Path) -> None:
    manager, profile = own_devnet
    w = money_wallet(profile, tmp_path / "w.sqlite3")
    a, _ = w.addresses
    outsider_sends(profile, a, 4 * ONE)
    w.history.sync()
    assert w.history.count() == 1
    manager.reset()
    manager.up(int(profile.rpc_url.rsplit(":", 1)[1]))
    outsider_sends(profile, a, 9 * ONE)
    report = w.history.sync()
    assert report.reorg_last_good is not None
    assert rows_by_kind(w) == [(a, "receive", "confirmed", "AIT", 9 * ONE)]


def test_sent_transactions_are_found_by_nonce_where_the_node_has_no_search(
        shared: NetworkProfile, tmp_path: Path) -> None:
    from wallet.chain.rpc import RawRpc
    from wallet.history.sync import HistorySync

    w = money_wallet(shared, tmp_path / "w.sqlite3")
    a, b = w.addresses
    w.fund(a, ONE, 10 * ONE)
    sent = [w.send(a, b, "1").tx_hash, w.send(a, b, "0.1", "ETH").tx_hash]
    syncer = HistorySync(w.db, RawRpc(w.client), shared.chain_id, token=shared.contract("AIToken"),
                         sale=None, sources=[], context=w.history.merge_context)
    syncer._ots = False  # as on a node without Otterscan's API
    syncer.run([a])
    found = {r[0] for r in w.db.execute("SELECT tx_hash FROM chain_fact WHERE kind = 'tx'")}
    assert found == set(sent)


def test_the_history_filters_by_account_kind_and_text(shared: NetworkProfile, tmp_path: Path) -> None:
    w = money_wallet(shared, tmp_path / "w.sqlite3")
    a, b = w.addresses
    w.fund(a, ONE, 10 * ONE)
    w.send(a, b, "2")
    w.history.sync()
    assert {r.account for r in w.history.page(HistoryFilter(accounts=(b,))).rows} == {b}
    assert [r.kind for r in w.history.page(HistoryFilter(kinds=("send",))).rows] == ["send"]
    assert w.history.page(HistoryFilter(text=b[2:12].lower())).total == 2  # the send and the receive
