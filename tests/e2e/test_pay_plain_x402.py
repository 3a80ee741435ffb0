"""The wallet pays an endpoint served by a plain x402 SDK resource server registered in the registry."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from paykit import PLAIN_MODEL, ait_balance, eth_balance, flow_for, fresh_payer, register_provider
from x402kit import chat_server_app, facilitator_app, serve

from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.demo import DEV_KEYS
from wallet.devnet.manager import DevnetManager, DevnetStatus
from wallet.metering import meter_chat, parse_messages
from wallet.payments.flow import Task
from wallet.quote import PromptInput

pytestmark = pytest.mark.chain


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DataDir, DevnetStatus]]:
    """A devnet of this module's own: the provider registered here must not appear in other tests' registry."""
    data_dir = DataDir(tmp_path_factory.mktemp("pay-devnet"))
    manager = DevnetManager(data_dir)
    status, _ = manager.up(free_port())
    try:
        yield data_dir, status
    finally:
        manager.down()


@pytest.fixture(scope="module")
def plain_provider(devnet: tuple[DataDir, DevnetStatus]) -> Iterator[tuple[int, str, str]]:
    profile = DevnetManager(devnet[0]).profile()
    network = f"eip155:{profile.chain_id}"
    token = profile.contract("AIToken")
    with serve(facilitator_app(profile.rpc_url, DEV_KEYS[3], network)) as facilitator_url:
        def price(body: dict) -> int:
            return meter_chat(PLAIN_MODEL, parse_messages(body["messages"]), body["max_tokens"]).price

        pay_to = Account.create().address
        with serve(chat_server_app(facilitator_url, network, token, pay_to, price)) as url:
            yield register_provider(profile, "Plain x402", url, pay_to), pay_to, url


def test_wallet_pays_a_plain_x402_server(devnet, plain_provider, tmp_path: Path) -> None:
    profile = DevnetManager(devnet[0]).profile()
    provider_id, pay_to, _ = plain_provider
    payer = fresh_payer(profile)
    flow = flow_for(profile, tmp_path / "w.sqlite3", payer)
    task = Task(provider_id, PLAIN_MODEL.model, PromptInput.text("Say hi"), 50)
    prepared = flow.prepare(task, payer.address)
    assert prepared.verdict.ok, prepared.verdict.message
    result = flow.pay(prepared)
    assert result.response_text.endswith("Say hi")
    assert result.paid_base_units == prepared.quote.price_base_units
    assert ait_balance(profile, pay_to) == result.paid_base_units
    assert eth_balance(profile, payer.address) == 0


def test_a_replayed_authorization_is_refused_by_the_chain_and_charged_once(devnet, plain_provider,
                                                                          tmp_path: Path) -> None:
    from x402.mechanisms.evm.signers import EthAccountSigner

    from wallet.chain.client import ChainClient
    from wallet.chain.contracts import load_artifact
    from wallet.devnet.demo import DEPLOYER_KEY
    from wallet.errors import TxError
    from wallet.payments.signing import Authorization, RecordedExactScheme, sign_payment
    from wallet.payments.wire import encode_payment

    profile = DevnetManager(devnet[0]).profile()
    provider_id, pay_to, _ = plain_provider
    payer = fresh_payer(profile)
    flow = flow_for(profile, tmp_path / "w.sqlite3", payer)
    prepared = flow.prepare(Task(provider_id, PLAIN_MODEL.model, PromptInput.text("Once only"), 40), payer.address)
    result = flow.pay(prepared)
    before = (ait_balance(profile, payer.address), ait_balance(profile, pay_to))
    intent = flow.store.get(result.intent_id)
    a = intent.evidence["authorization"]
    auth = Authorization(a["from"], a["to"], int(a["value"]), int(a["validAfter"]), int(a["validBefore"]), a["nonce"])
    # The same signature again (EIP-712 signing is deterministic): what a provider replaying it would hold.
    scheme = RecordedExactScheme(EthAccountSigner(payer.account), auth, profile.chain_id, flow.ledger.token.address)
    payload = sign_payment(prepared.demand, prepared.verdict.requirement, scheme, flow.network)

    replay = flow.http.post(prepared.url, prepared.body, {"PAYMENT-SIGNATURE": encode_payment(payload)})
    assert replay.status == 402  # the server's facilitator sees the nonce used and refuses

    client = ChainClient(profile)
    token = client.contract(flow.ledger.token.address, load_artifact("AIToken")["abi"])
    submit = token.get_function_by_signature(
        "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)")
    with pytest.raises(TxError, match="authorization is used or canceled"):
        client.transact(Account.from_key(DEPLOYER_KEY), submit(
            a["from"], a["to"], int(a["value"]), int(a["validAfter"]), int(a["validBefore"]),
            bytes.fromhex(a["nonce"][2:]), bytes.fromhex(payload.payload["signature"][2:])), "replay a payment")

    assert (ait_balance(profile, payer.address), ait_balance(profile, pay_to)) == before
    assert flow.reconcile() == [] and flow.store.get(intent.id).status == "settled"


def test_cli_run_pays_and_prints_the_answer_with_the_quote_and_the_tx(devnet, plain_provider,
                                                                      tmp_path: Path) -> None:
    from clirun import run_cli
    from paykit import cli_wallet

    profile = DevnetManager(devnet[0]).profile()
    provider_id, pay_to, _ = plain_provider
    payer = fresh_payer(profile)
    data, pw, env = cli_wallet(tmp_path, profile, payer)
    r = run_cli(data, "run", "--network", "chain", "--provider", str(provider_id), "--model", PLAIN_MODEL.model,
                "--max-output", "64", "--prompt", "What is x402?", "--yes", "--password-file", str(pw), "--json",
                env=env)
    assert r.code == 0, r.err
    out = r.json()
    assert out["response"].endswith("What is x402?")
    assert out["paid_base_units"] == out["quote"]["price_base_units"] == out["demand_base_units"]
    assert out["tx_hash"].startswith("0x") and out["pay_to"] == pay_to
    listed = run_cli(data, "payments", "--network", "chain", "--json", env=env).json()
    assert [(p["id"], p["status"], p["tx_hash"]) for p in listed] == [(out["intent_id"], "settled", out["tx_hash"])]
    assert eth_balance(profile, payer.address) == 0


def test_cli_run_without_yes_shows_quote_and_payee_and_signs_only_after_yes(devnet, plain_provider,
                                                                            tmp_path: Path) -> None:
    from clirun import run_cli
    from paykit import cli_wallet

    profile = DevnetManager(devnet[0]).profile()
    provider_id, pay_to, _ = plain_provider
    payer = fresh_payer(profile)
    data, pw, env = cli_wallet(tmp_path, profile, payer)
    args = ("run", "--network", "chain", "--provider", str(provider_id), "--model", PLAIN_MODEL.model,
            "--max-output", "20", "--prompt", "Ask me first", "--password-file", str(pw))
    before = ait_balance(profile, payer.address)
    no = run_cli(data, *args, stdin="n\n", env=env)
    assert no.code == 1 and "Not paid. Nothing was signed." in no.err
    assert pay_to in no.err and "quote" in no.err and "Sign and pay?" in no.err
    assert run_cli(data, "payments", "--network", "chain", "--json", env=env).json() == []
    assert ait_balance(profile, payer.address) == before
    yes = run_cli(data, *args, stdin="y\n", env=env)
    assert yes.code == 0, yes.err
    assert yes.out.strip().endswith("Ask me first") and "Paid " in yes.err and "tx 0x" in yes.err
    assert ait_balance(profile, payer.address) < before


def test_reconciliation_settles_what_the_chain_shows_and_expires_what_it_never_will(devnet, plain_provider,
                                                                                   tmp_path: Path) -> None:
    """Two intents left pending by a wallet that died: one whose signature a provider then submitted, one never
    sent. Reconciliation finds the first settled (with its tx) and, once the chain's clock passes its validBefore,
    the second expired — without any word from the provider."""
    import time

    from x402.mechanisms.evm.signers import EthAccountSigner

    from wallet.chain.client import ChainClient
    from wallet.chain.contracts import load_artifact
    from wallet.devnet.demo import DEPLOYER_KEY
    from wallet.payments.intents import IntentDraft
    from wallet.payments.signing import Authorization, RecordedExactScheme

    profile = DevnetManager(devnet[0]).profile()
    provider_id, pay_to, _ = plain_provider
    payer = fresh_payer(profile)
    flow = flow_for(profile, tmp_path / "w.sqlite3", payer)
    client = ChainClient(profile)
    head = client.block_number()
    now = int(time.time())

    def reserve(task_key: str, valid_before: int) -> tuple:
        auth = Authorization(payer.address, pay_to, 12345, 0, valid_before, "0x" + os.urandom(32).hex())
        intent = flow.store.reserve(IntentDraft(
            task_key=task_key, chain_id=profile.chain_id, account=payer.address, provider_id=provider_id,
            provider_name="Plain x402", endpoint="http://127.0.0.1:9", model=PLAIN_MODEL.model, scheme="exact",
            asset=flow.ledger.token.address, pay_to=pay_to, quote=12345, authorized=12345, nonce=auth.nonce,
            valid_after=0, valid_before=valid_before, from_block=head))
        return intent, auth

    used, auth = reserve("used", now + 120)
    unused, _ = reserve("unused", now + 8)
    signed = RecordedExactScheme(EthAccountSigner(payer.account), auth, profile.chain_id,
                                 flow.ledger.token.address).create_payment_payload(_requirement(flow, pay_to))
    token = client.contract(flow.ledger.token.address, load_artifact("AIToken")["abi"])
    submit = token.get_function_by_signature(
        "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)")
    receipt = client.transact(Account.from_key(DEPLOYER_KEY), submit(
        payer.address, pay_to, 12345, 0, auth.valid_before, bytes.fromhex(auth.nonce[2:]),
        bytes.fromhex(signed["signature"][2:])), "settle as a provider would")

    after = {i.id: i for i in flow.reconcile()}
    assert (after[used.id].status, after[used.id].tx_hash, after[used.id].charged) == (
        "settled", receipt.tx_hash, 12345)
    assert after[unused.id].status == "pending"
    while client.latest_timestamp() < now + 8:  # the chain's clock moves only with blocks
        client.w3.provider.make_request("evm_mine", [])
        time.sleep(0.2)
    [expired] = flow.reconcile()
    assert (expired.id, expired.status) == (unused.id, "expired")


def _requirement(flow, pay_to: str):
    from x402.schemas import PaymentRequirements

    return PaymentRequirements(scheme="exact", network=flow.network, asset=flow.ledger.token.address,
                               amount="12345", pay_to=pay_to, max_timeout_seconds=120,
                               extra={"name": "AI Token", "version": "1"})
