"""Sending and topping up on a real devnet: every bad input refused before signing, every fault handled."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from moneykit import MoneyWallet, money_wallet, rpc

from wallet.addresses import ZERO_ADDRESS
from wallet.chain.contracts import AIToken, TokenSale
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.demo import DEPLOYER_KEY
from wallet.devnet.manager import DevnetManager
from wallet.errors import InsufficientFunds, InvalidAddress, InvalidAmount, InvalidInput, TxError
from wallet.networks import NetworkProfile
from wallet.storage import StorageBusy
from wallet.transfers.eip681 import InvalidPaymentRequest, build_uri
from wallet.transfers.plans import NeedsConfirmation
from wallet.units import ONE

pytestmark = pytest.mark.chain


@pytest.fixture
def profile(devnet: tuple[DataDir, object]) -> NetworkProfile:
    return DevnetManager(devnet[0]).profile()


@pytest.fixture
def wallet(profile: NetworkProfile, tmp_path: Path) -> MoneyWallet:
    w = money_wallet(profile, tmp_path / "w.sqlite3")
    w.fund(w.addresses[0], 2 * ONE, 100 * ONE)
    return w


@pytest.fixture
def own(tmp_path: Path) -> Iterator[tuple[NetworkProfile, MoneyWallet]]:
    """A devnet of its own (these tests stop mining or change the sale's rate)."""
    manager = DevnetManager(DataDir(tmp_path / "own"))
    manager.up(free_port())
    try:
        profile = manager.profile()
        w = money_wallet(profile, tmp_path / "own.sqlite3")
        w.fund(w.addresses[0], 2 * ONE, 100 * ONE)
        yield profile, w
    finally:
        manager.down()


def nonce_of(w: MoneyWallet, address: str) -> int:
    return w.client.pending_nonce(address)


def sent(w: MoneyWallet) -> list[object]:
    return [t for t in w.transfers.transactions() if t.kind != "faucet"]


@pytest.mark.parametrize(("amount", "error", "words"), [
    ("100.000000000000000001", InsufficientFunds, "Not enough AIT"),
    ("0", InvalidAmount, "more than zero"),
    ("1.0000000000000000001", InvalidAmount, "19 decimal places"),
    ("9" * 5000, InvalidAmount, "not an amount"),
    ("-1", InvalidAmount, "negative"),
    ("1e18", InvalidAmount, "not an amount"),
    ("", InvalidAmount, "Give an amount"),
])
def test_bad_amounts_are_refused_before_anything_is_signed(wallet: MoneyWallet, amount: str, error: type,
                                                           words: str) -> None:
    a, b = wallet.addresses
    nonce = nonce_of(wallet, a)
    with pytest.raises(error, match=words):
        wallet.transfers.prepare_send(a, b, amount)
    assert nonce_of(wallet, a) == nonce and sent(wallet) == []


def test_eth_over_the_balance_counts_the_fee(wallet: MoneyWallet) -> None:
    a, b = wallet.addresses
    with pytest.raises(InsufficientFunds, match="network fee"):
        wallet.transfers.prepare_send(a, b, "2", "ETH")  # exactly the balance: nothing left for the fee
    plan = wallet.transfers.prepare_send(a, b, "max", "ETH")
    assert plan.amount + plan.fees.max_cost == 2 * ONE


@pytest.mark.parametrize(("recipient", "asset", "code"), [
    (ZERO_ADDRESS, "ETH", "zero_address"), ("token", "AIT", "token_contract"), ("registry", "AIT", "contract"),
    ("stranger", "AIT", "new_address"),
])
def test_risky_recipients_need_confirmation(wallet: MoneyWallet, profile: NetworkProfile, recipient: str,
                                            asset: str, code: str) -> None:
    a, _ = wallet.addresses
    to = {"token": profile.contract("AIToken"), "registry": profile.contract("ProviderRegistry"),
          "stranger": Account.create().address}.get(recipient, recipient)
    plan = wallet.transfers.prepare_send(a, to, "0.001" if asset == "ETH" else "1", asset)
    assert code in [w.code for w in plan.warnings]
    with pytest.raises(NeedsConfirmation):
        wallet.transfers.send(plan)
    assert sent(wallet) == []


def test_what_the_chain_would_refuse_is_refused_before_signing(wallet: MoneyWallet, profile: NetworkProfile) -> None:
    a = wallet.addresses[0]
    with pytest.raises(InvalidAddress, match="zero address"):
        wallet.transfers.prepare_send(a, ZERO_ADDRESS, "1")
    with pytest.raises(TxError, match="refuses ETH"):
        wallet.transfers.prepare_send(a, profile.contract("AIToken"), "0.1", "ETH")


def test_known_recipients_need_no_confirmation(wallet: MoneyWallet) -> None:
    a, b = wallet.addresses
    assert wallet.transfers.prepare_send(a, b, "1").warnings == ()  # one of the wallet's own accounts
    stranger = Account.create().address
    wallet.send(a, stranger, "1")  # sent to once (after confirming): known from then on
    assert wallet.transfers.prepare_send(a, stranger, "1").warnings == ()


def test_checksums_are_enforced(wallet: MoneyWallet) -> None:
    a, b = wallet.addresses
    broken = b[:2] + b[2:].swapcase()
    if broken[2:] == broken[2:].lower() or broken[2:] == broken[2:].upper():
        broken = b[:-1] + ("A" if b[-1] != "A" else "B")
    with pytest.raises(InvalidAddress):
        wallet.transfers.prepare_send(a, broken, "1")


def test_payment_requests_fill_in_the_send_and_foreign_ones_are_refused(wallet: MoneyWallet,
                                                                         profile: NetworkProfile) -> None:
    a, b = wallet.addresses
    token = profile.contract("AIToken")
    uri = wallet.transfers.payment_request(b, "2.5")["uri"]
    plan = wallet.transfers.prepare_send(a, uri, None)
    assert (plan.to, plan.asset, plan.amount) == (b, "AIT", 2_500_000_000_000_000_000)
    eth_uri = build_uri(asset="ETH", to=b, chain_id=profile.chain_id, amount=ONE // 10)
    assert wallet.transfers.prepare_send(a, eth_uri, None).asset == "ETH"
    with pytest.raises(InvalidPaymentRequest, match="chain 1,"):
        wallet.transfers.prepare_send(a, build_uri(asset="AIT", to=b, chain_id=1, token=token, amount=1), None)
    other_token = Account.create().address
    with pytest.raises(InvalidPaymentRequest, match="not the AI Token"):
        wallet.transfers.prepare_send(a, build_uri(asset="AIT", to=b, chain_id=profile.chain_id,
                                                   token=other_token, amount=1), None)
    with pytest.raises(InvalidInput, match="differs"):
        wallet.transfers.prepare_send(a, uri, "3")


def test_topup_shows_cost_rate_and_fee_then_buys(wallet: MoneyWallet, profile: NetworkProfile) -> None:
    a, _ = wallet.addresses
    token = AIToken(wallet.client, profile.contract("AIToken"))
    before = token.balance_of(a)
    plan = wallet.transfers.prepare_topup(a, ait="25")
    assert (plan.tokens, plan.eth_cost, plan.rate_text) == (25 * ONE, ONE // 40, "1 ETH = 1000 AIT")
    assert plan.min_tokens_out == plan.tokens and plan.fees.max_cost > 0
    record = wallet.transfers.wait(wallet.transfers.topup(plan).tx_hash)
    assert record.status == "confirmed" and record.fee_paid
    assert token.balance_of(a) == before + 25 * ONE
    assert wallet.transfers.prepare_topup(a, eth="0.001").tokens == ONE
    with pytest.raises(InsufficientFunds):
        wallet.transfers.prepare_topup(a, eth="5")
    with pytest.raises(InvalidInput):
        wallet.transfers.prepare_topup(a)


def test_a_rate_change_after_the_quote_fails_the_purchase_not_the_buyer(
        own: tuple[NetworkProfile, MoneyWallet]) -> None:
    profile, w = own
    a, _ = w.addresses
    plan = w.transfers.prepare_topup(a, ait="10")
    sale = TokenSale(w.client, profile.contract("TokenSale"))
    admin = Account.from_key(DEPLOYER_KEY)
    sale._transact(admin, "lower the rate", "setRate", 500 * ONE)
    record = w.transfers.wait(w.transfers.topup(plan).tx_hash)
    assert record.status == "failed" and record.fee_paid  # minTokensOut protected the buyer; only gas spent
    w.history.sync()
    [row] = [r for r in w.history.rows() if r.kind == "topup"]
    assert (row.status, row.amount) == ("failed", 10 * ONE)
    sale._transact(admin, "pause", "pause")
    with pytest.raises(TxError, match="paused"):
        w.transfers.prepare_topup(a, ait="1")


def test_a_stuck_send_is_sped_up_and_another_cancelled(own: tuple[NetworkProfile, MoneyWallet]) -> None:
    profile, w = own
    a, b = w.addresses
    rpc(profile.rpc_url, "evm_setAutomine", False)
    stuck = w.transfers.send(w.transfers.prepare_send(a, b, "3"), accept_warnings=True)
    faster = w.transfers.speed_up(stuck.tx_hash)
    assert faster.nonce == stuck.nonce and faster.max_fee > stuck.max_fee and faster.tx_hash != stuck.tx_hash
    w.transfers.refresh()  # the original left the pool for its replacement: still pending, not expired
    assert w.transfers.transaction(stuck.tx_hash).status == "pending"
    rpc(profile.rpc_url, "evm_mine")
    w.transfers.refresh()
    assert w.transfers.transaction(stuck.tx_hash).status == "replaced"
    assert w.transfers.transaction(faster.tx_hash).status == "confirmed"

    second = w.transfers.send(w.transfers.prepare_send(a, b, "4"), accept_warnings=True)
    cancel = w.transfers.cancel(second.tx_hash)
    rpc(profile.rpc_url, "evm_mine")
    rpc(profile.rpc_url, "evm_setAutomine", True)
    w.transfers.refresh()
    assert (w.transfers.transaction(second.tx_hash).status, w.transfers.transaction(cancel.tx_hash).status) == \
        ("replaced", "confirmed")
    with pytest.raises(TxError, match="only a pending one"):
        w.transfers.speed_up(cancel.tx_hash)
    w.history.sync()
    rows = sorted((r.kind, r.status, r.amount) for r in w.history.rows() if r.account == a and r.kind != "faucet")
    assert rows == [("cancel", "confirmed", 0), ("send", "confirmed", 3 * ONE), ("send", "replaced", 3 * ONE),
                    ("send", "replaced", 4 * ONE)]
    assert AIToken(w.client, profile.contract("AIToken")).balance_of(b) == 3 * ONE  # the 4 AIT never left


def test_a_dropped_transaction_expires(own: tuple[NetworkProfile, MoneyWallet]) -> None:
    profile, w = own
    a, b = w.addresses
    rpc(profile.rpc_url, "evm_setAutomine", False)
    sent = w.transfers.send(w.transfers.prepare_send(a, b, "1"), accept_warnings=True)
    rpc(profile.rpc_url, "anvil_dropTransaction", sent.tx_hash)
    rpc(profile.rpc_url, "evm_setAutomine", True)
    w.transfers.refresh()
    assert w.transfers.transaction(sent.tx_hash).status == "expired"
    again = w.send(a, b, "1")  # the freed nonce is used again, no gap
    assert again.nonce == sent.nonce and again.status == "confirmed"


SENDER_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from eth_account import Account
    from moneykit import money_wallet
    from wallet.networks import NetworkProfile
    import json
    profile = NetworkProfile(**json.loads(sys.argv[2]))
    key = open(sys.argv[4]).read().strip()
    w = money_wallet(profile, __import__("pathlib").Path(sys.argv[3]), [Account.from_key(key)])
    a = w.addresses[0]
    hashes = [w.transfers.send(w.transfers.prepare_send(a, sys.argv[5], "1"), accept_warnings=True).tx_hash
              for _ in range(3)]
    print(" ".join(hashes))
""")


def test_two_processes_sending_at_once_never_reuse_a_nonce(profile: NetworkProfile, tmp_path: Path) -> None:
    import json

    sender = Account.create()
    w = money_wallet(profile, tmp_path / "shared.sqlite3", [sender])
    w.fund(sender.address, 2 * ONE, 100 * ONE)
    key_file = tmp_path / "key.txt"  # a throwaway devnet key of this test
    key_file.write_text(sender.key.hex())
    profile_json = json.dumps({"name": profile.name, "chain_id": profile.chain_id, "rpc_url": profile.rpc_url,
                               "contracts": profile.contracts, "is_devnet": True})
    here = str(Path(__file__).parent)
    procs = [subprocess.Popen([sys.executable, "-c", SENDER_SCRIPT, here, profile_json,
                               str(tmp_path / "shared.sqlite3"), str(key_file), Account.create().address],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    hashes = [h for out, _ in outputs for h in out.split()]
    for h in hashes:
        w.transfers.wait(h)
    sent = [t for t in w.transfers.transactions() if t.kind == "send"]
    assert len(sent) == 6 and sorted(t.nonce for t in sent) == list(range(6))
    assert all(t.status == "confirmed" for t in sent)


def test_a_database_held_by_another_process_is_a_clear_error_and_nothing_is_sent(
        wallet: MoneyWallet, tmp_path: Path) -> None:
    a, b = wallet.addresses
    plan = wallet.transfers.prepare_send(a, b, "1")
    path = wallet.db.path
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, sys
        conn = sqlite3.connect({str(path)!r}, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        print("holding", flush=True)
        sys.stdin.readline()
        conn.execute("ROLLBACK")
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        nonce = nonce_of(wallet, a)
        with pytest.raises(StorageBusy, match="another wallet process"):
            wallet.transfers.send(plan)
        assert nonce_of(wallet, a) == nonce  # not broadcast
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)
    assert wallet.db.connection().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert wallet.send(a, b, "1").status == "confirmed"  # and the wallet goes on once it is free
