"""The guard on a decoded 402: each check refuses in plain words, and a well-formed demand passes."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from wallet.payments.budgets import Budgets
from wallet.payments.guard import GuardFacts, PendingTask, check
from wallet.payments.wire import MAX_HEADER_BYTES, MalformedDemand, decode_demand, decode_settlement
from wallet.units import ONE

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
PAY_TO = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
OTHER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
QUOTE = 2_100_000_000_000_000  # 0.0021 AIT


def option(**over: Any) -> dict[str, Any]:
    base = {"scheme": "exact", "network": "eip155:31337", "asset": TOKEN, "amount": str(QUOTE), "payTo": PAY_TO,
            "maxTimeoutSeconds": 120, "extra": {"name": "AI Token", "version": "1"}}
    return {**base, **over}


def header(*options: dict[str, Any], **top: Any) -> str:
    doc = {"x402Version": 2, "resource": {"url": "http://127.0.0.1:8402/v1/chat/completions"},
           "accepts": list(options or [option()]), **top}
    return base64.b64encode(json.dumps(doc).encode()).decode()


def facts(**over: Any) -> GuardFacts:
    base: dict[str, Any] = {"chain_id": 31337, "token": TOKEN, "pay_to": PAY_TO, "provider_name": "Demo AI",
                            "quote": QUOTE, "balance": ONE}
    return GuardFacts(**{**base, **over})


def verdict(opt: dict[str, Any] | None = None, **fact_over: Any):
    demand, _ = decode_demand(header(opt or option()))
    return check(demand, facts(**fact_over))


def test_a_demand_matching_quote_registry_and_budgets_passes() -> None:
    v = verdict()
    assert v.ok and v.amount == QUOTE and v.reasons == ()
    assert v.requirement is not None and v.requirement.pay_to == PAY_TO


def test_more_than_the_quote_is_refused_in_the_words_a_person_reads() -> None:
    v = verdict(option(amount="3200000000000000"))
    assert not v.ok
    assert v.message == ("The provider asked for 0.0032 AIT but the quote was 0.0021 AIT. Nothing was signed.")


def test_less_than_the_quote_passes_with_a_note() -> None:
    v = verdict(option(amount=str(QUOTE - 1)))
    assert v.ok and v.notes and "less than the quote" in v.notes[0]


@pytest.mark.parametrize(("over", "code", "words"), [
    ({"network": "eip155:1"}, "network", "eip155:1"),
    ({"asset": OTHER}, "asset", "not this network's AI Token"),
    ({"payTo": OTHER}, "pay_to", "registry's payee for Demo AI"),
    ({"scheme": "upto"}, "scheme", "does not sign"),
    ({"extra": {"name": "AI Token", "version": "1", "assetTransferMethod": "permit2"}}, "scheme", "permit2"),
    ({"extra": {"name": "USD Coin", "version": "2"}}, "domain", "USD Coin"),
    ({"extra": {}}, "domain", "not AI Token version 1"),
    ({"maxTimeoutSeconds": 3600}, "validity", "3,600 seconds"),
    ({"maxTimeoutSeconds": 0}, "validity", "at most 300"),
    ({"amount": "0"}, "amount", "payment of 0"),
    ({"amount": "1e18"}, "malformed", "not a whole number"),
    ({"amount": "-5"}, "malformed", "not a whole number"),
    ({"amount": str(2**256)}, "malformed", "not a whole number"),
])
def test_each_check_names_its_reason(over: dict[str, Any], code: str, words: str) -> None:
    v = verdict(option(**over))
    assert not v.ok
    assert code in [r.code for r in v.reasons]
    assert words in v.message and v.message.endswith("Nothing was signed.")


def test_budgets_and_balance_are_checked_before_signing() -> None:
    assert [r.code for r in verdict(budgets=Budgets(per_task=QUOTE - 1, daily=None)).reasons] == ["per_task_budget"]
    v = verdict(budgets=Budgets(per_task=None, daily=10 * QUOTE), spent_today=9 * QUOTE + 1)
    assert [r.code for r in v.reasons] == ["daily_budget"] and "left of today's budget" in v.message
    assert verdict(budgets=Budgets(per_task=QUOTE, daily=10 * QUOTE), spent_today=9 * QUOTE).ok
    v = verdict(balance=QUOTE * 2, outstanding=QUOTE + 1)
    assert [r.code for r in v.reasons] == ["balance"] and "held by payments still pending" in v.message


def test_an_earlier_payment_for_the_same_task_blocks_a_second_signature() -> None:
    v = verdict(earlier=PendingTask(7, QUOTE, 1_700_000_000, settled=False))
    assert [r.code for r in v.reasons] == ["pending_task"] and "payment 7" in v.message
    v = verdict(earlier=PendingTask(7, QUOTE, 1_700_000_000, settled=True))
    assert [r.code for r in v.reasons] == ["unpaid_answer"]
    assert verdict(earlier=PendingTask(7, QUOTE, 1_700_000_000, settled=True), repeat=True).ok


def test_the_first_acceptable_option_is_chosen_and_a_refusal_reports_the_closest() -> None:
    demand, _ = decode_demand(header(option(network="eip155:8453", asset=OTHER), option()))
    v = check(demand, facts())
    assert v.ok and v.requirement is not None and v.requirement.network == "eip155:31337"
    demand, _ = decode_demand(header(option(network="eip155:8453", asset=OTHER, payTo=OTHER),
                                     option(amount=str(QUOTE + 1))))
    v = check(demand, facts())
    assert not v.ok and [r.code for r in v.reasons] == ["amount"]


def test_provider_strings_are_shown_quoted_and_cut_short() -> None:
    v = verdict(option(network="eip155:" + "9" * 500))
    assert not v.ok and len(v.message) < 400


@pytest.mark.parametrize(("value", "words"), [
    (None, "no PAYMENT-REQUIRED header"),
    ("%%%not base64%%%", "not base64"),
    (base64.b64encode(b"\xff\xfe").decode(), "not UTF-8"),
    (base64.b64encode(b"[1, 2]").decode(), "not a JSON object"),
    (base64.b64encode(b"{nope").decode(), "not valid JSON"),
    (base64.b64encode(b'{"x402Version": 1, "accepts": []}').decode(), "version 1"),
    (base64.b64encode(b'{"x402Version": 2, "accepts": []}').decode(), "no way to pay"),
    (base64.b64encode(b'{"x402Version": 2, "accepts": [{"scheme": "exact"}]}').decode(), "accepts.0"),
    (base64.b64encode(b'{"x402Version": 2, "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}").decode(),
     "bytes, over"),
    (base64.b64encode(b'{"x402Version": 2, "a": ' + b"[" * 50 + b"]" * 50 + b"}").decode(), "nested"),
])
def test_a_malformed_or_oversized_demand_is_refused_without_signing(value: str | None, words: str) -> None:
    with pytest.raises(MalformedDemand) as e:
        decode_demand(value)
    assert words in e.value.user_message and e.value.user_message.endswith("Nothing was signed.")


def test_the_header_cap_leaves_room_for_a_real_demand() -> None:
    many = header(*[option(payTo=PAY_TO) for _ in range(12)])
    assert len(many) < MAX_HEADER_BYTES
    demand, raw = decode_demand(many)
    assert len(demand.accepts) == 12 and raw["x402Version"] == 2


def test_a_settlement_header_is_optional_and_never_trusted_blindly() -> None:
    assert decode_settlement(None) == (None, None)
    assert decode_settlement("garbage!") == (None, None)
    good = base64.b64encode(json.dumps({"success": True, "transaction": "0x" + "ab" * 32, "network": "eip155:31337",
                                        "payer": PAY_TO}).encode()).decode()
    parsed, raw = decode_settlement(good)
    assert parsed is not None and parsed.transaction == "0x" + "ab" * 32 and raw is not None
