"""The gateway's metered pieces without a network: the misbehaviour switches (one small test each), the facilitator's
upto settlement policy, the payload key that ignores the body added for settlement, and the server scheme."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace

from eth_account import Account

from provider.facilitator import payment_key, up_to_verified_amount
from provider.misbehaviour import Misbehaviour
from provider.paywall import _without_scheme
from provider.self_settle import rewrite_receipt
from provider.upto_server import UptoServerScheme
from wallet.payments.receipt import UsageReceipt, body_hash
from wallet.payments.upto import MeteringFacts

FACTS = MeteringFacts("gpt-4o-mini", "o200k_base", 33, 800, 150 * 10**15, 600 * 10**15)
TEXT = "one two three four five"   # 5 tokens under o200k_base
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
PAYEE = Account.from_key("0x" + "22" * 32)


def test_an_honest_gateway_reports_the_rule_on_what_it_generated() -> None:
    assert Misbehaviour().metered(FACTS, TEXT) == (FACTS.settle(TEXT).price, 5)


def test_metered_charge_max_settles_the_maximum_whatever_the_output() -> None:
    assert Misbehaviour(metered_charge="max").metered(FACTS, TEXT) == (FACTS.maximum, 800)


def test_metered_token_skew_reports_more_or_fewer_tokens_never_below_zero() -> None:
    from wallet.metering import settle_tokens

    assert Misbehaviour(metered_token_skew=7).metered(FACTS, TEXT) == (settle_tokens(FACTS.request, 12).price, 12)
    assert Misbehaviour(metered_token_skew=-3).metered(FACTS, TEXT) == (settle_tokens(FACTS.request, 2).price, 2)
    assert Misbehaviour(metered_token_skew=-99).metered(FACTS, TEXT)[1] == 0


def test_settling_itself_needs_the_payees_key() -> None:
    assert not Misbehaviour(metered_charge="max").settles_itself
    assert Misbehaviour(payee_key=PAYEE).settles_itself


def _header(receipt: UsageReceipt) -> str:
    doc = {"success": True, "transaction": "0x1", "network": "eip155:31337", "extra": {"receipt": receipt.to_json()}}
    return base64.b64encode(json.dumps(doc).encode()).decode()


def _receipt_of(header: str) -> dict | None:
    return json.loads(base64.b64decode(header)).get("extra", {}).get("receipt")


def test_receipt_switches_remove_forge_or_rebind_the_receipt() -> None:
    body = b'{"a":1}'
    honest = UsageReceipt("0x" + "1" * 40, PAYEE.address, "0x" + "0" * 64, 10, 5, 1, 1, 1, 1,
                          body_hash(body)).signed_by(PAYEE, 31337, TOKEN)
    assert _receipt_of(rewrite_receipt(_header(honest), "none", body, 31337, TOKEN, None)) is None
    forged = UsageReceipt.from_json(_receipt_of(rewrite_receipt(_header(honest), "other_key", body, 31337, TOKEN,
                                                                None)))
    assert forged.amount == honest.amount and forged.signer(31337, TOKEN) != PAYEE.address
    rebound = UsageReceipt.from_json(_receipt_of(rewrite_receipt(_header(honest), "other_body", body, 31337, TOKEN,
                                                                 PAYEE)))
    assert rebound.body_hash != honest.body_hash and rebound.signer(31337, TOKEN) == PAYEE.address


def test_the_upto_policy_allows_only_a_lower_or_equal_amount_of_the_same_requirements() -> None:
    verified = {"scheme": "upto", "amount": "1000", "payTo": "0xa", "extra": {"metering": {"inputTokens": 1}}}
    assert up_to_verified_amount(verified, {**verified, "amount": "0"}) is None
    assert up_to_verified_amount(verified, {**verified, "amount": "1000"}) is None
    assert "over the authorized maximum" in (up_to_verified_amount(verified, {**verified, "amount": "1001"}) or "")
    assert "over the authorized maximum" in (up_to_verified_amount(verified, {**verified, "amount": "-1"}) or "")
    assert "payTo" in (up_to_verified_amount(verified, {**verified, "payTo": "0xb", "amount": "1"}) or "")


def test_the_settlement_body_does_not_change_which_authorization_it_is() -> None:
    signed = {"authorization": {"nonce": "0x1"}, "signature": "0x2"}
    plain = SimpleNamespace(payload=signed)
    enriched = SimpleNamespace(payload={**signed, "usage": {"responseBody": "e30="}})
    assert payment_key(plain) == payment_key(enriched)  # type: ignore[arg-type]
    assert payment_key(plain) != payment_key(SimpleNamespace(payload={**signed, "signature": "0x3"}))  # type: ignore


def test_the_server_scheme_marks_the_option_and_hands_the_exact_body_to_settlement() -> None:
    scheme = UptoServerScheme()
    requirements = SimpleNamespace(extra={"name": "AI Token"})
    assert scheme.enhance_payment_requirements(requirements, None, []).extra["assetTransferMethod"] == "eip3009-upto"  # type: ignore[arg-type]
    context = SimpleNamespace(transport_context=SimpleNamespace(response_body=b'{"x":"\xc3\xa9"}'))
    usage = scheme.enrich_settlement_payload(context)
    assert usage is not None and base64.b64decode(usage["usage"]["responseBody"]) == b'{"x":"\xc3\xa9"}'
    assert scheme.enrich_settlement_payload(SimpleNamespace(transport_context=None)) is None


def test_a_demand_drops_the_metered_option_the_facilitator_cannot_settle() -> None:
    doc = {"x402Version": 2, "accepts": [{"scheme": "exact"}, {"scheme": "upto"}]}
    header = base64.b64encode(json.dumps(doc).encode()).decode()
    assert json.loads(base64.b64decode(_without_scheme(header, "upto")))["accepts"] == [{"scheme": "exact"}]
    assert _without_scheme(header, "other") == header
