"""Metered payment's shared pieces, without a network: the metering facts of a 402, the usage receipt (EIP-712,
signed by the payee), the guard's upto row and scheme preference, the check after settlement, and the expected
charge."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any

import pytest
from eth_account import Account

from wallet.payments.expected import FillRatio, expected_charge
from wallet.payments.guard import GuardFacts, check
from wallet.payments.metered_check import check_metered
from wallet.payments.receipt import UsageReceipt, body_hash
from wallet.payments.upto import MeteringFacts
from wallet.payments.wire import decode_demand
from wallet.quote import Quote
from wallet.units import ONE

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
PAYEE = Account.from_key("0x" + "11" * 32)
PAYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
NONCE = "0x" + "ab" * 32
FACTS = MeteringFacts("gpt-4o-mini", "o200k_base", 33, 800, 150 * 10**15, 600 * 10**15)
MAXIMUM = FACTS.maximum
BODY = b'{"choices":[{"message":{"content":"hello"}}]}'


def option(scheme: str = "upto", **extra: Any) -> dict[str, Any]:
    ex: dict[str, Any] = {"name": "AI Token", "version": "1"}
    if scheme == "upto":
        ex.update(assetTransferMethod="eip3009-upto", metering=FACTS.to_json())
    return {"scheme": scheme, "network": "eip155:31337", "asset": TOKEN, "amount": str(MAXIMUM),
            "payTo": PAYEE.address, "maxTimeoutSeconds": 120, "extra": {**ex, **extra}}


def demand(*options: dict[str, Any]) -> Any:
    doc = {"x402Version": 2, "resource": {"url": "http://x/v1/chat/completions"}, "accepts": list(options)}
    return decode_demand(base64.b64encode(json.dumps(doc).encode()).decode())[0]


def facts(**over: Any) -> GuardFacts:
    base: dict[str, Any] = {"chain_id": 31337, "token": TOKEN, "pay_to": PAYEE.address, "provider_name": "Demo AI",
                            "quote": MAXIMUM, "balance": ONE, "metering": FACTS}
    return GuardFacts(**{**base, **over})


# --- the metering facts ---
def test_the_maximum_is_the_rule_on_the_budget_and_the_facts_round_trip() -> None:
    assert MAXIMUM == -(-(33 * 150 * 10**15 + 800 * 600 * 10**15) // 10**6)
    assert MeteringFacts.from_json(FACTS.to_json()) == FACTS
    assert FACTS.settle("hello").output_tokens == 1


@pytest.mark.parametrize(("change", "words"), [
    ({"inputTokens": -1}, "inputTokens"), ({"maxOutputTokens": True}, "maxOutputTokens"),
    ({"inputPrice": 5}, "inputPrice"), ({"outputPrice": "1e3"}, "outputPrice"), ({"encoding": "gpt2"}, "encoding"),
    ({"model": ""}, "model"), ({"inputPrice": "9" * 50}, "inputPrice"),
])
def test_malformed_metering_facts_are_named(change: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        MeteringFacts.from_json({**FACTS.to_json(), **change})


# --- the usage receipt ---
def receipt(**over: Any) -> UsageReceipt:
    base = UsageReceipt(PAYER, PAYEE.address, NONCE, MAXIMUM, FACTS.settle("hello").price, 33, 1, FACTS.input_price,
                        FACTS.output_price, body_hash(BODY))
    return replace(base, **over).signed_by(PAYEE, 31337, TOKEN)


def test_a_receipt_recovers_to_its_signer_and_only_for_its_own_fields_chain_and_token() -> None:
    r = receipt()
    assert r.signer(31337, TOKEN) == PAYEE.address
    assert UsageReceipt.from_json(json.loads(json.dumps(r.to_json()))) == r
    assert replace(r, amount=r.amount + 1).signer(31337, TOKEN) != PAYEE.address
    assert r.signer(1, TOKEN) != PAYEE.address
    assert replace(r, signature="0x" + "00" * 65).signer(31337, TOKEN) is None


@pytest.mark.parametrize(("key", "value"), [("payer", "0x12"), ("amount", "-1"), ("amount", 1.5),
                                            ("bodyHash", "0x" + "zz" * 32), ("signature", None)])
def test_a_malformed_receipt_is_refused_by_name(key: str, value: Any) -> None:
    with pytest.raises(ValueError, match=key):
        UsageReceipt.from_json({**receipt().to_json(), key: value})


# --- the guard ---
def test_auto_prefers_the_metered_option_and_checks_its_facts() -> None:
    v = check(demand(option("exact"), option()), facts())
    assert v.ok and v.requirement is not None and v.requirement.scheme == "upto" and v.amount == MAXIMUM
    exact = check(demand(option("exact"), option()), facts(preference="exact"))
    assert exact.ok and exact.requirement is not None and exact.requirement.scheme == "exact"


@pytest.mark.parametrize(("metering", "words"), [
    ({"inputTokens": 34}, "input tokens as 34"), ({"maxOutputTokens": 801}, "output budget as 801"),
    ({"inputPrice": "1"}, "input price"), ({"outputPrice": "1"}, "output price"),
    ({"encoding": "cl100k_base"}, "encoding"), ({"model": "gpt-4o"}, "model"),
])
def test_metering_facts_other_than_the_wallets_own_are_refused(metering: dict[str, Any], words: str) -> None:
    v = check(demand(option(metering={**FACTS.to_json(), **metering})), facts(preference="upto"))
    assert not v.ok and "metering" in [r.code for r in v.reasons] and words in v.message


def test_a_maximum_other_than_the_rule_is_refused_and_exact_is_taken_instead_with_a_note() -> None:
    v = check(demand(option("exact"), {**option(), "amount": str(MAXIMUM + 1)}), facts())
    assert v.ok and v.requirement is not None and v.requirement.scheme == "exact"
    assert "upto option was not taken" in v.notes[0] and "metering rule on the whole output budget" in v.notes[0]
    refused = check(demand({**option(), "amount": str(MAXIMUM - 1)}), facts())
    assert not refused.ok and [r.code for r in refused.reasons] == ["amount"]


def test_asking_for_upto_where_only_exact_is_offered_is_a_clear_refusal() -> None:
    v = check(demand(option("exact")), facts(preference="upto"))
    assert not v.ok and v.message.startswith("The provider offers 'exact'; the wallet was asked to pay with upto.")


# --- after settlement ---
def checked(charged: int, output: int | None = 1, r: object = "default", sha: str | None = None) -> Any:
    return check_metered(facts=FACTS, payer=PAYER, pay_to=PAYEE.address, nonce=NONCE, maximum=MAXIMUM,
                         charged=charged, output_tokens=output,
                         body_sha256=sha or body_hash(BODY)[2:], chain_id=31337, token=TOKEN,
                         receipt_json=receipt(amount=charged).to_json() if r == "default" else r)


def test_the_rule_on_the_wallets_own_count_with_a_receipt_that_holds_passes() -> None:
    right = FACTS.settle("hello").price
    assert checked(right).ok and checked(right).expected == right


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"charged": MAXIMUM}, "more than the metering rule"),
    ({"charged": 1}, "less than the metering rule"),
    ({"charged": FACTS.settle("hello").price, "r": None}, "no usage receipt"),
    ({"charged": FACTS.settle("hello").price, "r": {"payer": "x"}}, "cannot be read"),
    ({"charged": FACTS.settle("hello").price, "sha": "00" * 32}, "another response body"),
    ({"charged": FACTS.settle("hello").price, "output": 2}, "the answer holds 2"),
    ({"charged": FACTS.settle("").price + 1, "output": None}, "never received"),
])
def test_every_mismatch_is_a_problem_in_words(kwargs: dict[str, Any], words: str) -> None:
    result = checked(**kwargs)
    assert not result.ok and any(words in p for p in result.problems), result.problems


def test_a_receipt_signed_by_another_key_is_not_the_payees() -> None:
    forged = receipt().signed_by(Account.create(), 31337, TOKEN).to_json()
    result = checked(FACTS.settle("hello").price, r=forged)
    assert result.problems == (f"The usage receipt is not signed by the payee {PAYEE.address} (it recovers to "
                               f"{UsageReceipt.from_json(forged).signer(31337, TOKEN)}).",)


# --- the expected charge ---
def quote(budget: int = 800) -> Quote:
    from decimal import Decimal

    m = replace(FACTS, max_output_tokens=budget).request
    return Quote(1, "Demo AI", True, m.model, m.encoding, m.input_tokens, budget, Decimal(0), Decimal(0), m.price,
                 input_price=m.input_price, output_price=m.output_price)


def test_the_expected_charge_is_half_the_budget_without_history_then_this_wallets_fill_ratio() -> None:
    fresh = expected_charge(quote(), [])
    assert (fresh.expected_output_tokens, fresh.answers, fresh.fill_percent) == (400, 0, 50)
    assert fresh.maximum == MAXIMUM and fresh.expected == FACTS.settle("").price + 400 * FACTS.output_price // 10**6
    seen = expected_charge(quote(), [(100, 1000), (300, 1000)])   # 20% of the budgets were used
    assert (seen.expected_output_tokens, seen.answers, seen.fill_percent) == (160, 2, 20)
    assert "last 2 answers" in seen.basis
    full = expected_charge(quote(), [(5000, 1000)])   # never more than the budget
    assert full.expected_output_tokens == 800 and full.expected == MAXIMUM


def test_a_fill_ratio_read_once_prices_every_quote_like_the_expected_charge() -> None:
    history = [(100, 1000), (300, 1000), (7, 64)]
    ratio = FillRatio.from_history(history)
    assert (ratio.numerator, ratio.denominator, ratio.answers) == (407, 2064, 3)
    for budget in (1, 63, 800, 4096):
        assert ratio.apply(quote(budget)) == expected_charge(quote(budget), history)
    assert FillRatio.from_history([]).apply(quote()) == expected_charge(quote(), [])


def test_the_services_fill_ratio_follows_the_answers_recorded_for_that_model(tmp_path) -> None:
    from answerkit import record_answer

    from wallet.config import DataDir
    from wallet.service import WalletService

    data_dir = DataDir(tmp_path)
    service = WalletService(data_dir, auto_lock=False)
    try:
        chain = service.profile.chain_id
        assert service.fill_ratio(1, "gpt-4o-mini") == FillRatio(1, 2, 0)
        assert not data_dir.database.exists()  # reading it never creates the database
        record_answer(data_dir, chain, 1, "gpt-4o-mini", 200, 800)
        record_answer(data_dir, chain, 2, "gpt-4o-mini", 800, 800)   # another provider's answer
        record_answer(data_dir, chain + 1, 1, "gpt-4o-mini", 800, 800)   # another chain's
        ratio = service.fill_ratio(1, "gpt-4o-mini")
        assert (ratio.numerator, ratio.denominator, ratio.answers) == (200, 800, 1)
        assert ratio.apply(quote()) == service.expected_charge(quote())
        assert service.expected_charge(quote()).expected_output_tokens == 200
    finally:
        service.close()


# --- the scheme preference, a setting of the service ---
def test_the_payment_scheme_setting_is_checked_saved_and_announced(tmp_path) -> None:
    from wallet.config import DataDir
    from wallet.errors import InvalidInput
    from wallet.events import SettingsChanged
    from wallet.service import WalletService

    service = WalletService(DataDir(tmp_path), auto_lock=False)
    seen: list[object] = []
    service.bus.subscribe(seen.append)
    try:
        assert service.payment_scheme() == "auto"
        service.set_payment_scheme("exact")
        with pytest.raises(InvalidInput, match="auto, upto, exact"):
            service.set_payment_scheme("permit2")
        assert seen == [SettingsChanged("payment_scheme")]
    finally:
        service.close()
    reopened = WalletService(DataDir(tmp_path), auto_lock=False)
    try:
        assert reopened.payment_scheme() == "exact" and reopened.disputes_by_provider() == {}
    finally:
        reopened.close()
