"""The history's join of chain facts with the wallet's records: payments by authorization nonce, and what a
deleted database loses (and says it loses)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from eth_account import Account
from moneykit import MoneyWallet, money_wallet
from web3 import Web3

from wallet.chain.contracts import load_artifact
from wallet.config import DataDir
from wallet.devnet.faucet import faucet
from wallet.devnet.manager import DevnetManager
from wallet.history.model import HistoryFilter
from wallet.networks import NetworkProfile
from wallet.payments.budgets import Budgets
from wallet.payments.history_records import IntentRecordSource
from wallet.payments.intents import IntentDraft, IntentStore
from wallet.services.history import LOST_WITH_DATABASE
from wallet.storage import Database
from wallet.units import ONE

pytestmark = pytest.mark.chain

CHARGED = 1_234_567_890_123_456_789  # 1.23… AIT: more digits than a float keeps


@pytest.fixture
def profile(devnet: tuple[DataDir, object]) -> NetworkProfile:
    return DevnetManager(devnet[0]).profile()


def pay_by_authorization(profile: NetworkProfile, payer: Account, payee: str, value: int, nonce: bytes) -> str:
    """A provider-style payment: ``payer`` signs EIP-3009, a stranger submits it. Returns the tx hash."""
    w3 = Web3(Web3.HTTPProvider(profile.rpc_url))
    token = w3.eth.contract(address=profile.contract("AIToken"), abi=load_artifact("AIToken")["abi"])
    message = {"from": payer.address, "to": payee, "value": value, "validAfter": 0,
               "validBefore": 2**40, "nonce": nonce}
    fields = [{"name": n, "type": t} for n, t in (("from", "address"), ("to", "address"), ("value", "uint256"),
                                                  ("validAfter", "uint256"), ("validBefore", "uint256"),
                                                  ("nonce", "bytes32"))]
    signed = Account.sign_typed_data(payer.key, full_message={
        "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                   {"name": "chainId", "type": "uint256"},
                                   {"name": "verifyingContract", "type": "address"}],
                  "TransferWithAuthorization": fields},
        "primaryType": "TransferWithAuthorization",
        "domain": {"name": "AI Token", "version": "1", "chainId": profile.chain_id,
                   "verifyingContract": token.address},
        "message": message})
    submitter = Account.create()
    faucet(profile, submitter.address, ONE, 0)
    fn = token.get_function_by_signature(
        "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)")(
        payer.address, payee, value, 0, 2**40, nonce, signed.signature)
    tx = fn.build_transaction({"from": submitter.address, "nonce": w3.eth.get_transaction_count(submitter.address)})
    tx_hash = w3.eth.send_raw_transaction(submitter.sign_transaction(tx).raw_transaction)
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1
    return "0x" + bytes(tx_hash).hex()


def draft(payer: str, payee: str, nonce: bytes, task: str) -> IntentDraft:
    return IntentDraft(task_key=task, chain_id=31337, account=payer, provider_id=1, provider_name="Demo AI",
                       endpoint="http://127.0.0.1:8402", model="gpt-4o-mini", scheme="exact",
                       asset="0x5FbDB2315678afecb367f032d93F642f64180aa3", pay_to=payee, quote=CHARGED,
                       authorized=CHARGED, nonce="0x" + nonce.hex(), valid_after=0, valid_before=2**40,
                       evidence={})


def test_a_payment_on_chain_joins_its_intent_by_authorization_nonce(profile: NetworkProfile,
                                                                    tmp_path: Path) -> None:
    payer = Account.create()
    w = money_wallet(profile, tmp_path / "w.sqlite3", [payer])
    w.fund(payer.address, 0, 10 * ONE)
    payees = [Account.create().address, Account.create().address]
    w.history.add_source(IntentRecordSource())
    store = IntentStore(Database(tmp_path / "w.sqlite3"))
    store.set_budgets(Budgets(None, None))
    # The intent is written before the payment is signed; it knows no transaction yet.
    nonce1 = os.urandom(32)
    first = store.reserve(draft(payer.address, payees[0], nonce1, "task-1"))
    w.history.records_changed([f"intent:{first.id}"])
    assert [r.status for r in w.history.rows(HistoryFilter(kinds=("payment",)))] == ["pending"]
    pay_by_authorization(profile, payer, payees[0], CHARGED, nonce1)
    w.history.sync()  # the chain's Transfer + AuthorizationUsed meet the intent through its nonce
    [row] = w.history.rows(HistoryFilter(kinds=("payment",)))
    assert (row.provider, row.model, row.amount, row.status) == ("Demo AI", "gpt-4o-mini", CHARGED, "confirmed")
    assert row.tx_hash is not None and row.block_number and row.details["payment_id"] == first.id
    # A payment settled and then disputed is the same single row, still money spent.
    nonce2 = os.urandom(32)
    second = store.reserve(draft(payer.address, payees[1], nonce2, "task-2"))
    tx2 = pay_by_authorization(profile, payer, payees[1], CHARGED, nonce2)
    store.settle(second.id, tx_hash=tx2, block_number=1, charged=CHARGED, dispute="charged for 90 tokens, 40 came")
    w.history.sync()
    statuses = sorted(r.status for r in w.history.rows(HistoryFilter(kinds=("payment",))))
    assert statuses == ["confirmed", "disputed"]
    [spent] = w.history.spend("provider")
    assert (spent.key, spent.amount, spent.count) == ("Demo AI", 2 * CHARGED, 2)
    assert w.history.count(HistoryFilter(kinds=("payment",))) == 2  # no row twice
    assert w.history.page(HistoryFilter(text=tx2[:20])).total == 1


def chain_rows(w: MoneyWallet) -> list[tuple[str, str, str, str, int, str | None]]:
    return sorted((r.account, r.kind, r.direction, r.asset, r.amount, r.tx_hash) for r in w.history.rows()
                  if r.block_number is not None)


def test_a_deleted_database_is_rebuilt_from_the_chain_and_says_what_is_lost(profile: NetworkProfile,
                                                                            tmp_path: Path) -> None:
    keys = [Account.create(), Account.create()]
    w = money_wallet(profile, tmp_path / "w.sqlite3", keys)
    a, b = w.addresses
    w.fund(a, 2 * ONE, 50 * ONE)
    w.transfers.wait(w.transfers.topup(w.transfers.prepare_topup(a, eth="0.01")).tx_hash)
    w.send(a, b, "5")
    w.send(a, b, "0.5", "ETH")
    assert w.history.sync().notes == []
    before = chain_rows(w)
    w.db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp_path / 'w.sqlite3'}{suffix}").unlink(missing_ok=True)
    rebuilt = money_wallet(profile, tmp_path / "w.sqlite3", keys)
    rebuilt.marker.update(w.marker)  # the settings still remember the old database
    report = rebuilt.history.sync()
    assert LOST_WITH_DATABASE in report.notes
    assert chain_rows(rebuilt) == before  # faucet grants, the top-up, sends and receives: all from the chain
    assert {r.kind for r in rebuilt.history.rows()} == {"faucet", "topup", "send", "receive"}
    assert Database(tmp_path / "w.sqlite3").connection().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
