"""Metered payment (upto) against real gateways made to misbehave: every way of charging more or less than the
metering rule on the output delivered, or of settling without a receipt that holds, ends in a refusal (the
facilitator will not settle it, nothing moves) or a dispute record with its evidence — never a silent overcharge.

A gateway either cheats through its facilitator, which recomputes the amount from the body it is given and
refuses, or holds its payTo's own key and settles on chain itself, bypassing every check but the wallet's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from gatewaykit import PrivateChain, RunningGateway, fund, new_payer
from paykit import Served, anvil_mine, flow_for, serve_provider, token_of

from provider.misbehaviour import Misbehaviour
from wallet.errors import InsufficientFunds, ProviderError
from wallet.events import PaymentDisputed
from wallet.metering import count_tokens, price_for
from wallet.payments.flow import PaymentFlow, Task
from wallet.payments.intents import CANCELLED, DISPUTED, EXPIRED, PENDING, SETTLED, Intent
from wallet.payments.receipt import UsageReceipt
from wallet.quote import PromptInput
from wallet.units import ONE

pytestmark = pytest.mark.chain
MODEL = "gpt-4o-mini"
BUDGET = 900   # the demo answers with 40 to 600 tokens: a metered charge is well under the maximum


@pytest.fixture
def chain(private_chain: PrivateChain) -> Any:
    return private_chain.chain


@pytest.fixture
def payer(chain: Any) -> LocalAccount:
    return new_payer(chain)


@pytest.fixture
def served(chain, start_gateway: Callable[..., RunningGateway]) -> Callable[..., Served]:
    return lambda misbehaviour=None, settles_itself=False: serve_provider(chain, start_gateway, misbehaviour,
                                                                         settles_itself=settles_itself)


@pytest.fixture
def events() -> list[object]:
    return []


@pytest.fixture
def wallet(chain, payer, tmp_path: Path, events: list[object]) -> PaymentFlow:
    return flow_for(chain.profile, tmp_path / "wallet.sqlite3", payer, answer_timeout=5, events=events)


def task(provider_id: int, prompt: str = "Explain metered payment.") -> Task:
    return Task(provider_id, MODEL, PromptInput.text(prompt), BUDGET)


def balance(chain, address: str) -> int:
    return token_of(chain).balance_of(address)


def nonce_used(chain, intent: Intent) -> bool:
    return token_of(chain).authorization_state(intent.account, bytes.fromhex((intent.nonce or "")[2:]))


def rule(prepared: Any, text: str) -> tuple[int, int]:
    """The metering rule on the answer, computed here independently of the wallet: (output tokens, price)."""
    q = prepared.quote
    tokens = count_tokens(text, q.encoding)
    return tokens, price_for(q.input_tokens, tokens, q.input_price, q.output_price)


def assert_dispute_with_evidence(intent: Intent, *words: str) -> None:
    assert intent.status == DISPUTED and intent.tx_hash and intent.charged is not None
    ev = intent.evidence
    assert ev["demand"]["accepts"] and ev["authorization"]["maxValue"] == str(intent.authorized)
    assert ev["authorization"]["signature"].startswith("0x") and len(ev["authorization"]["signature"]) == 132
    assert ev["tx"]["hash"] == intent.tx_hash and ev["tx"]["transferred_base_units"] == str(intent.charged)
    assert ev["dispute"]["problems"] and all(w in intent.reason for w in words), intent.reason
    assert "payment_response" in ev and "response" in ev


def test_an_honest_metered_payment_is_charged_the_rule_on_what_was_generated(served, wallet, chain, payer,
                                                                            events) -> None:
    s = served()
    before = balance(chain, payer.address)
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    assert prepared.verdict.ok and prepared.scheme == "upto" and prepared.amount == prepared.quote.price_base_units
    result = wallet.pay(prepared)
    tokens, price = rule(prepared, result.response_text)
    assert result.status == SETTLED and result.output_tokens == tokens < BUDGET
    assert result.paid_base_units == price == before - balance(chain, payer.address) < prepared.amount
    receipt = UsageReceipt.from_json(result.receipt)
    assert receipt.signer(chain.profile.chain_id, chain.token_address) == s.pay_to
    assert (receipt.amount, receipt.output_tokens, receipt.max_amount) == (price, tokens, prepared.amount)
    intent = wallet.store.get(result.intent_id)
    assert (intent.scheme, intent.authorized, intent.charged, intent.output_tokens) == ("upto", prepared.amount,
                                                                                          price, tokens)
    assert receipt.body_hash == "0x" + intent.evidence["response_sha256"]
    assert not [e for e in events if isinstance(e, PaymentDisputed)]


@pytest.mark.parametrize("misbehaviour", [Misbehaviour(metered_charge="max"), Misbehaviour(metered_token_skew=25),
                                          Misbehaviour(metered_token_skew=-25)])
def test_a_charge_the_answer_does_not_justify_is_refused_by_the_facilitator(served, wallet, chain, payer,
                                                                           misbehaviour: Misbehaviour) -> None:
    s = served(misbehaviour)
    before = balance(chain, payer.address)
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    with pytest.raises(ProviderError, match="did not take the payment") as e:
        wallet.pay(prepared)
    assert "usage_does_not_justify_amount" in str(wallet.store.list()[0].evidence["payment_response"])
    [intent] = wallet.store.list()
    assert intent.status == PENDING and "payments cancel" in e.value.user_message
    assert not nonce_used(chain, intent) and balance(chain, payer.address) == before


def test_an_open_authorization_is_cancelled_on_chain_once_the_account_has_gas(served, wallet, chain,
                                                                              payer) -> None:
    s = served(Misbehaviour(metered_charge="max"))
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    with pytest.raises(ProviderError):
        wallet.pay(prepared)
    [intent] = wallet.store.list()
    from wallet.payments.cancel import cancel_authorization

    with pytest.raises(InsufficientFunds, match="no ETH to pay its network fee") as e:
        cancel_authorization(wallet.ledger, wallet.store, intent, payer)
    assert "stays open until" in e.value.user_message and wallet.store.get(intent.id).status == PENDING
    fund(chain, payer.address, eth=ONE // 100)
    after = cancel_authorization(wallet.ledger, wallet.store, intent, payer)
    assert after.status == CANCELLED and after.tx_hash and nonce_used(chain, intent)
    assert wallet.reconcile() == []
    # The payee, holding the signature and its own key, can no longer take anything.
    from provider.upto_facilitator import UptoAuthorization
    from wallet.chain.contracts import load_artifact

    signed = intent.evidence["authorization"]
    auth = UptoAuthorization.from_payload({"authorization": signed, "signature": signed["signature"]})
    contract = chain.client.w3.eth.contract(address=chain.token_address, abi=load_artifact("AIToken")["abi"])
    with pytest.raises(Exception, match="used or canceled"):
        contract.functions.receiveWithAuthorizationUpTo(*auth.call_args(1)).call({"from": s.pay_to})


@pytest.mark.parametrize(("misbehaviour", "words"), [
    (Misbehaviour(metered_charge="max"), ("more than the metering rule", "reports 900 output tokens")),
    (Misbehaviour(metered_token_skew=40), ("more than the metering rule", "output tokens; the answer holds")),
    (Misbehaviour(metered_token_skew=-40), ("less than the metering rule", "output tokens; the answer holds")),
])
def test_a_payee_settling_itself_against_the_answer_is_disputed_with_evidence(served, wallet, chain, payer, events,
                                                                               misbehaviour, words) -> None:
    s = served(misbehaviour, settles_itself=True)
    before = balance(chain, payer.address)
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    result = wallet.pay(prepared)
    tokens, price = rule(prepared, result.response_text)
    taken = before - balance(chain, payer.address)
    assert result.status == DISPUTED and result.paid_base_units == taken != price and taken <= prepared.amount
    intent = wallet.store.get(result.intent_id)
    assert_dispute_with_evidence(intent, *words)
    assert intent.evidence["dispute"]["expected_base_units"] == str(price) and intent.output_tokens == tokens
    assert intent.evidence["response"]["body_sha256"] == intent.evidence["response_sha256"]
    assert wallet.store.disputes_by_provider(chain.profile.chain_id) == {s.provider_id: 1}
    [disputed] = [e for e in events if isinstance(e, PaymentDisputed)]
    assert (disputed.intent_id, disputed.charged, disputed.expected) == (intent.id, taken, price)


@pytest.mark.parametrize(("how", "settles_itself", "words"), [
    ("none", False, "sent no usage receipt"),
    ("other_key", False, "not signed by the payee"),
    ("other_body", True, "another response body"),
])
def test_a_right_charge_without_a_receipt_that_holds_is_disputed(served, wallet, chain, payer, how: str,
                                                                 settles_itself: bool, words: str) -> None:
    s = served(Misbehaviour(receipt=how), settles_itself=settles_itself)  # type: ignore[arg-type]
    before = balance(chain, payer.address)
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    result = wallet.pay(prepared)
    _, price = rule(prepared, result.response_text)
    assert result.paid_base_units == price == before - balance(chain, payer.address)  # the amount was right
    intent = wallet.store.get(result.intent_id)
    assert_dispute_with_evidence(intent, words)
    assert intent.evidence["dispute"]["problems"] == [p for p in intent.evidence["dispute"]["problems"] if words in p]


def test_reporting_zero_then_settling_later_is_found_and_disputed(served, wallet, chain, payer) -> None:
    s = served(Misbehaviour(report_zero_and_hold=True), settles_itself=True)
    before = balance(chain, payer.address)
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    result = wallet.pay(prepared)
    assert result.status == PENDING and result.paid_base_units is None
    assert "reported a charge of 0 AIT" in result.notes[0] and "payments cancel" in result.notes[0]
    [intent] = wallet.store.list()
    assert intent.status == PENDING and intent.delivered and not nonce_used(chain, intent)
    [still] = wallet.reconcile()
    assert still.status == PENDING  # open: the payee still holds a valid signature
    s.gateway.gateway.paywall.self_settler.settle_held()  # later, at the maximum
    [after] = wallet.reconcile()
    assert before - balance(chain, payer.address) == prepared.amount
    assert_dispute_with_evidence(after, "more than the metering rule", "gives the amount as 0")


def test_never_settling_leaves_the_authorization_watched_until_it_expires(served, wallet, chain, payer) -> None:
    s = served(Misbehaviour(never_settle=True, max_timeout_seconds=12))
    before = balance(chain, payer.address)
    result = wallet.pay(wallet.prepare(task(s.provider_id), payer.address))
    assert result.status == PENDING and result.response_text and "not on chain yet" in result.notes[0]
    [intent] = wallet.store.list()
    anvil_mine(chain, until=lambda ts: ts >= (intent.valid_before or 0))
    [after] = wallet.reconcile()
    assert after.status == EXPIRED and balance(chain, payer.address) == before and not nonce_used(chain, intent)
