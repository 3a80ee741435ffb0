"""The wallet against a real gateway made to misbehave, paying with scheme ``exact``: each misbehaviour is refused
before signing, or recorded with its evidence — and the payer is never charged twice or more than the quote.
(Metered payments against dishonest providers: test_pay_metered_misbehaving.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from gatewaykit import PrivateChain, RunningGateway, new_payer
from paykit import Served, anvil_mine, flow_for, serve_provider, token_of

from provider.misbehaviour import Misbehaviour, oversized_header
from wallet.errors import PaymentRefused, ProviderError
from wallet.payments.flow import PaymentFlow, Task
from wallet.payments.intents import EXPIRED, PENDING, REFUSED, SETTLED
from wallet.quote import PromptInput

pytestmark = pytest.mark.chain
MODEL = "gpt-4o-mini"


@pytest.fixture
def chain(private_chain: PrivateChain) -> Any:
    """A chain of this module's own: the providers registered here stay out of other tests' registry."""
    return private_chain.chain


@pytest.fixture
def payer(chain: Any) -> LocalAccount:
    return new_payer(chain)


@pytest.fixture
def served(chain, start_gateway: Callable[..., RunningGateway]) -> Callable[..., Served]:
    return lambda misbehaviour=None: serve_provider(chain, start_gateway, misbehaviour)


@pytest.fixture
def wallet(chain, payer, tmp_path: Path) -> PaymentFlow:
    return flow_for(chain.profile, tmp_path / "wallet.sqlite3", payer, answer_timeout=3)


def task(provider_id: int, prompt: str = "Tell me about x402.", max_output: int = 64) -> Task:
    return Task(provider_id, MODEL, PromptInput.text(prompt), max_output, scheme="exact")


def balance(chain, address: str) -> int:
    return token_of(chain).balance_of(address)


@pytest.mark.parametrize(("misbehaviour", "code", "words"), [
    (Misbehaviour(overcharge=1), "amount", "but the quote was"),
    (Misbehaviour(pay_to="0x000000000000000000000000000000000000dEaD"), "pay_to", "registry's payee"),
    (Misbehaviour(network="eip155:1"), "network", "eip155:1"),
    (Misbehaviour(max_timeout_seconds=3600), "validity", "3,600 seconds"),
    (Misbehaviour(payment_required_header="not%%base64"), "malformed", "cannot be read"),
    (Misbehaviour(payment_required_header=oversized_header(32 * 1024)), "malformed", "cannot be read"),
    (Misbehaviour(payment_required_header=oversized_header()), "malformed", "cannot be read"),
])
def test_a_dishonest_demand_is_refused_before_signing_and_recorded(served, wallet: PaymentFlow, chain,
                                                                   payer, misbehaviour: Misbehaviour, code: str,
                                                                   words: str) -> None:
    s = served(misbehaviour)
    before = balance(chain, payer.address)
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    assert not prepared.verdict.ok
    assert code in [r.code for r in prepared.verdict.reasons]
    assert words in prepared.verdict.message and prepared.verdict.message.endswith("Nothing was signed.")
    with pytest.raises(PaymentRefused):
        wallet.pay(prepared)
    [record] = wallet.store.list()
    assert (record.status, record.nonce, record.id) == (REFUSED, None, prepared.refusal_id)
    assert balance(chain, payer.address) == before


def test_another_asset_is_refused(served, wallet: PaymentFlow, chain, payer) -> None:
    s = served(Misbehaviour(asset=chain.profile.contract("TokenSale")))
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    assert [r.code for r in prepared.verdict.reasons] == ["asset"]


def test_settles_then_500_is_recorded_with_the_evidence(served, wallet: PaymentFlow, chain, payer) -> None:
    s = served(Misbehaviour(fail_after_settlement=True))
    before = balance(chain, payer.address)
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    with pytest.raises(ProviderError, match="then answered HTTP 500") as e:
        wallet.pay(prepared)
    [intent] = wallet.store.list()
    assert intent.status == SETTLED and not intent.delivered and intent.tx_hash in e.value.user_message
    assert intent.charged == prepared.quote.price_base_units == before - balance(chain, payer.address)
    ev = intent.evidence
    assert ev["response"]["status"] == 500 and "Internal error" in ev["response"]["body"]
    assert ev["request"] == prepared.body.decode() and ev["demand"]["accepts"][0]["amount"] == str(intent.charged)
    assert ev["authorization"]["nonce"] == intent.nonce
    # A retry of the same task does not pay twice without being asked to.
    again = wallet.prepare(task(s.provider_id), payer.address)
    assert [r.code for r in again.verdict.reasons] == ["unpaid_answer"]


def test_a_replayed_authorization_is_refused_by_the_chain(served, wallet: PaymentFlow, chain,
                                                         payer) -> None:
    s = served(Misbehaviour(replay_settlement=True))
    before = balance(chain, payer.address)
    result = wallet.pay(wallet.prepare(task(s.provider_id), payer.address))
    assert result.paid_base_units == result.quote.price_base_units
    assert len(s.gateway.app.state.replay_refusals) == 1  # the gateway tried, and was refused
    assert balance(chain, payer.address) == before - result.paid_base_units
    assert wallet.reconcile() == [] and wallet.store.get(result.intent_id).status == SETTLED


def test_never_answers_before_settling_times_out_then_expires_unpaid(served, wallet: PaymentFlow, chain,
                                                                     payer) -> None:
    s = served(Misbehaviour(never_answer="before_settlement", max_timeout_seconds=12))
    before = balance(chain, payer.address)
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    with pytest.raises(ProviderError, match="did not answer within") as e:
        wallet.pay(prepared)
    assert "pending" in e.value.user_message
    [intent] = wallet.store.list()
    assert intent.status == PENDING
    again = wallet.prepare(task(s.provider_id), payer.address)
    assert [r.code for r in again.verdict.reasons] == ["pending_task"]  # never two signatures for one task
    # Once the chain's clock passes validBefore, the signature can never be used: no charge.
    anvil_mine(chain, until=lambda ts: ts >= (intent.valid_before or 0))
    [after] = wallet.reconcile()
    assert after.status == EXPIRED and balance(chain, payer.address) == before


def test_never_answers_after_settling_is_found_settled_and_not_paid_again(served, wallet: PaymentFlow,
                                                                          chain, payer) -> None:
    s = served(Misbehaviour(never_answer="after_settlement"))
    before = balance(chain, payer.address)
    prepared = wallet.prepare(task(s.provider_id), payer.address)
    with pytest.raises(ProviderError, match="already taken") as e:
        wallet.pay(prepared)
    [intent] = wallet.store.list()
    assert intent.status == SETTLED and intent.tx_hash in e.value.user_message and not intent.delivered
    assert before - balance(chain, payer.address) == prepared.quote.price_base_units
    again = wallet.prepare(task(s.provider_id), payer.address)
    assert [r.code for r in again.verdict.reasons] == ["unpaid_answer"]


def test_budgets_refuse_before_signing(served, wallet: PaymentFlow, chain, payer) -> None:
    from wallet.payments.budgets import Budgets

    s = served()
    first = wallet.prepare(task(s.provider_id, "one"), payer.address)
    price = first.quote.price_base_units
    wallet.store.set_budgets(Budgets(per_task=price - 1, daily=None))
    refused = wallet.prepare(task(s.provider_id, "one"), payer.address)
    assert [r.code for r in refused.verdict.reasons] == ["per_task_budget"]
    wallet.store.set_budgets(Budgets(per_task=None, daily=price + price // 2))
    assert wallet.pay(wallet.prepare(task(s.provider_id, "one"), payer.address)).paid_base_units == price
    second = wallet.prepare(task(s.provider_id, "one"), payer.address)
    assert [r.code for r in second.verdict.reasons] == ["daily_budget"]
    statuses: list[Any] = sorted(i.status for i in wallet.store.list())
    assert statuses == [REFUSED, REFUSED, SETTLED]
