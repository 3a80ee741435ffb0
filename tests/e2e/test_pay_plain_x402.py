"""The wallet pays an endpoint served by a plain x402 SDK resource server registered in the registry."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from gatewaykit import PrivateChain, facilitator_server, fund, new_payer
from paykit import PLAIN_MODEL, flow_for, token_of
from x402kit import chat_server_app

from wallet.metering import meter_chat, parse_messages
from wallet.payments.flow import Task
from wallet.quote import PromptInput
from wallet.units import ONE

pytestmark = pytest.mark.chain


@dataclass
class Plain:
    chain: Any  # provider.network.GatewayChain
    provider_id: int
    pay_to: str
    url: str


@pytest.fixture(scope="module")
def plain(private_chain: PrivateChain) -> Iterator[Plain]:
    """A plain x402 SDK server (its price follows the metering rule it was told), registered on a chain of this
    module's own so that no other test sees it in the registry."""
    from provider.register import register
    from provider.serve import ServerThread

    chain = private_chain.chain

    def price(body: dict) -> int:
        return meter_chat(PLAIN_MODEL, parse_messages(body["messages"]), body["max_tokens"]).price

    owner, pay_to = Account.create(), Account.create().address
    fund(chain, owner.address, eth=ONE)
    with facilitator_server(chain) as facilitator, ServerThread(
            chat_server_app(facilitator.url, chain.network, chain.token_address, pay_to, price)) as server:
        reg = register(chain, owner, name="Plain x402", endpoint=server.url, pay_to=pay_to, models=[PLAIN_MODEL])
        yield Plain(chain, reg.provider_id, pay_to, server.url)


def test_wallet_pays_a_plain_x402_server(plain: Plain, tmp_path: Path) -> None:
    chain = plain.chain
    profile = chain.profile
    provider_id, pay_to = plain.provider_id, plain.pay_to
    payer = new_payer(chain, 5 * ONE)
    flow = flow_for(profile, tmp_path / "w.sqlite3", payer)
    task = Task(provider_id, PLAIN_MODEL.model, PromptInput.text("Say hi"), 50)
    prepared = flow.prepare(task, payer.address)
    assert prepared.verdict.ok, prepared.verdict.message
    result = flow.pay(prepared)
    assert result.response_text.endswith("Say hi")
    assert result.paid_base_units == prepared.quote.price_base_units
    assert token_of(chain).balance_of(pay_to) == result.paid_base_units
    assert chain.client.eth_balance(payer.address) == 0


def test_a_replayed_authorization_is_refused_by_the_chain_and_charged_once(plain: Plain, tmp_path: Path) -> None:
    from x402.mechanisms.evm.signers import EthAccountSigner

    from wallet.chain.client import ChainClient
    from wallet.chain.contracts import load_artifact
    from wallet.devnet.demo import DEPLOYER_KEY
    from wallet.errors import TxError
    from wallet.payments.signing import Authorization, RecordedExactScheme, sign_payment
    from wallet.payments.wire import encode_payment

    chain = plain.chain
    profile = chain.profile
    provider_id, pay_to = plain.provider_id, plain.pay_to
    payer = new_payer(chain, 5 * ONE)
    flow = flow_for(profile, tmp_path / "w.sqlite3", payer)
    prepared = flow.prepare(Task(provider_id, PLAIN_MODEL.model, PromptInput.text("Once only"), 40), payer.address)
    result = flow.pay(prepared)
    before = (token_of(chain).balance_of(payer.address), token_of(chain).balance_of(pay_to))
    intent = flow.store.get(result.intent_id)
    a = intent.evidence["authorization"]
    auth = Authorization(a["from"], a["to"], int(a["value"]), int(a["validAfter"]), int(a["validBefore"]), a["nonce"])
    # The same signature again (EIP-712 signing is deterministic): what a provider replaying it would hold.
    scheme = RecordedExactScheme(EthAccountSigner(payer), auth, profile.chain_id, flow.ledger.token.address)
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

    assert (token_of(chain).balance_of(payer.address), token_of(chain).balance_of(pay_to)) == before
    assert flow.reconcile() == [] and flow.store.get(intent.id).status == "settled"


def test_cli_run_pays_and_prints_the_answer_with_the_quote_and_the_tx(plain: Plain, tmp_path: Path) -> None:
    from clirun import run_cli
    from paykit import cli_wallet

    chain = plain.chain
    profile = chain.profile
    provider_id, pay_to = plain.provider_id, plain.pay_to
    payer = new_payer(chain, 5 * ONE)
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
    assert chain.client.eth_balance(payer.address) == 0


def test_cli_run_without_yes_shows_quote_and_payee_and_signs_only_after_yes(plain: Plain, tmp_path: Path) -> None:
    from clirun import run_cli
    from paykit import cli_wallet

    chain = plain.chain
    profile = chain.profile
    provider_id, pay_to = plain.provider_id, plain.pay_to
    payer = new_payer(chain, 5 * ONE)
    data, pw, env = cli_wallet(tmp_path, profile, payer)
    args = ("run", "--network", "chain", "--provider", str(provider_id), "--model", PLAIN_MODEL.model,
            "--max-output", "20", "--prompt", "Ask me first", "--password-file", str(pw))
    before = token_of(chain).balance_of(payer.address)
    no = run_cli(data, *args, stdin="n\n", env=env)
    assert no.code == 3 and "Not paid. Nothing was signed." in no.err  # 3: refused (the exit code table)
    assert pay_to in no.err and "quote" in no.err and "Sign and pay?" in no.err
    assert run_cli(data, "payments", "--network", "chain", "--json", env=env).json() == []
    assert token_of(chain).balance_of(payer.address) == before
    yes = run_cli(data, *args, stdin="y\n", env=env)
    assert yes.code == 0, yes.err
    assert yes.out.strip().endswith("Ask me first") and "Paid " in yes.err and "tx 0x" in yes.err
    assert token_of(chain).balance_of(payer.address) < before


def test_reconciliation_settles_what_the_chain_shows_and_expires_what_it_never_will(plain: Plain,
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

    chain = plain.chain
    profile = chain.profile
    provider_id, pay_to = plain.provider_id, plain.pay_to
    payer = new_payer(chain, 5 * ONE)
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
    signed = RecordedExactScheme(EthAccountSigner(payer), auth, profile.chain_id,
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
