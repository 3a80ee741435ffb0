"""The facilitator's metered scheme against a real chain, through its HTTP API: it settles only what the response
body it is given justifies, a value of 0 included (on chain, consuming the nonce), refuses inconsistent metering
facts and payees it holds no key for, and hands Permit2 ``upto`` payments to the SDK's own scheme."""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from gatewaykit import PrivateChain, facilitator_server, new_payer, register_provider, transfers

from wallet.chain.contracts import AIToken
from wallet.payments.receipt import UsageReceipt, body_hash
from wallet.payments.signing import Authorization, RecordedUptoScheme
from wallet.payments.upto import MeteringFacts
from wallet.registry import ModelPrice

pytestmark = pytest.mark.chain
FREE_INPUT = ModelPrice("free-input", "o200k_base", 0, 600 * 10**15, 128_000, 4_096)


@pytest.fixture
def chain(private_chain: PrivateChain) -> Any:
    return private_chain.chain


def requirements(chain: Any, pay_to: str, facts: MeteringFacts, amount: int | None = None) -> dict[str, Any]:
    """The ``upto`` option of a 402, as the gateway writes it."""
    return {"scheme": "upto", "network": chain.network, "asset": chain.token_address,
            "amount": str(facts.maximum if amount is None else amount), "payTo": pay_to, "maxTimeoutSeconds": 120,
            "extra": {"name": "AI Token", "version": "1", "assetTransferMethod": "eip3009-upto",
                      "metering": facts.to_json()}}


def signed(chain: Any, payer: LocalAccount, req: dict[str, Any]) -> dict[str, Any]:
    """A payment payload signed by the wallet's own metered scheme."""
    from x402.mechanisms.evm.signers import EthAccountSigner
    from x402.schemas import PaymentRequirements

    auth = Authorization(payer.address, req["payTo"], int(req["amount"]), 0, int(time.time()) + 120,
                         "0x" + os.urandom(32).hex(), scheme="upto")
    inner = RecordedUptoScheme(EthAccountSigner(payer), auth, chain.profile.chain_id, chain.token_address)
    return {"x402Version": 2, "accepted": req, "resource": {"url": "http://x/v1/chat/completions"},
            "payload": inner.create_payment_payload(PaymentRequirements.model_validate(req))}


def with_body(payload: dict[str, Any], content: str) -> tuple[dict[str, Any], bytes]:
    body = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
    usage = {"responseBody": base64.b64encode(body).decode()}
    return {**payload, "payload": {**payload["payload"], "usage": usage}}, body


def call(url: str, route: str, payload: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    request = {"x402Version": 2, "paymentPayload": payload, "paymentRequirements": req}
    return httpx.post(url + route, json=request, timeout=60).json()


def test_only_the_amount_the_body_justifies_settles_and_zero_still_goes_on_chain(chain) -> None:
    _, _, pay_to = register_provider(chain, models=(FREE_INPUT,))
    payer = new_payer(chain)
    facts = MeteringFacts(FREE_INPUT.model, FREE_INPUT.encoding, 20, 300, 0, FREE_INPUT.output_price)
    req = requirements(chain, pay_to.address, facts)
    payload = signed(chain, payer, req)
    token = AIToken(chain.client, chain.token_address)
    nonce = payload["payload"]["authorization"]["nonce"]
    with facilitator_server(chain, [pay_to]) as fac:
        assert call(fac.url, "/verify", payload, req)["isValid"] is True
        no_body = call(fac.url, "/settle", payload, {**req, "amount": "0"})
        assert (no_body["success"], no_body["errorReason"]) == (False, "invalid_upto_payload")
        empty, body = with_body(payload, "")
        one = call(fac.url, "/settle", empty, {**req, "amount": "1"})
        assert (one["success"], one["errorReason"]) == (False, "usage_does_not_justify_amount")
        assert "0 output tokens" in one["errorMessage"]
        over = call(fac.url, "/settle", empty, {**req, "amount": str(facts.maximum + 1)})
        assert over["errorReason"] == "requirements_differ_from_verified"
        assert token.authorization_state(payer.address, bytes.fromhex(nonce[2:])) is False  # nothing was sent

        zero = call(fac.url, "/settle", empty, {**req, "amount": "0"})
        assert zero["success"] is True and zero["amount"] == "0"
    assert transfers(chain, zero["transaction"]) == [(payer.address.lower(), pay_to.address.lower(), 0)]
    assert token.authorization_state(payer.address, bytes.fromhex(nonce[2:])) is True
    receipt = UsageReceipt.from_json(zero["extra"]["receipt"])
    assert receipt.signer(chain.profile.chain_id, chain.token_address) == pay_to.address
    assert (receipt.amount, receipt.output_tokens, receipt.body_hash) == (0, 0, body_hash(body))


def test_inconsistent_metering_and_a_payee_without_a_key_are_refused_at_verify(chain) -> None:
    _, _, pay_to = register_provider(chain)
    payer = new_payer(chain)
    facts = MeteringFacts("gpt-4o-mini", "o200k_base", 20, 300, 150 * 10**15, 600 * 10**15)
    with facilitator_server(chain, [pay_to]) as fac:
        lie = requirements(chain, pay_to.address, facts, facts.maximum + 1)
        verdict = call(fac.url, "/verify", signed(chain, payer, lie), lie)
        assert (verdict["isValid"], verdict["invalidReason"]) == (False, "invalid_upto_metering")
        forged = signed(chain, Account.create(), req := requirements(chain, pay_to.address, facts))
        forged["payload"]["authorization"]["from"] = payer.address   # someone else's signature, the payer's name
        verdict = call(fac.url, "/verify", forged, req)
        assert (verdict["isValid"], verdict["invalidReason"]) == (False, "invalid_upto_signature")
        stranger: LocalAccount = Account.create()
        theirs = requirements(chain, stranger.address, facts)
        verdict = call(fac.url, "/verify", signed(chain, payer, theirs), theirs)
        assert (verdict["isValid"], verdict["invalidReason"]) == (False, "no_settlement_key_for_payee")
        supported = httpx.get(fac.url + "/supported").json()["kinds"]
        assert [k["extra"]["payees"] for k in supported if k["scheme"] == "upto"] == [[pay_to.address]]


def test_a_permit2_upto_payment_is_handed_to_the_sdks_own_scheme(chain) -> None:
    from x402 import x402ClientSync
    from x402.mechanisms.evm.upto import UptoEvmClientScheme
    from x402.schemas import PaymentRequired

    _, _, pay_to = register_provider(chain)
    payer = new_payer(chain)
    with facilitator_server(chain, [pay_to]) as fac:
        facilitator = httpx.get(fac.url + "/health").json()["address"]
        req = {"scheme": "upto", "network": chain.network, "asset": chain.token_address, "amount": "1000",
               "payTo": pay_to.address, "maxTimeoutSeconds": 120,
               "extra": {"name": "AI Token", "version": "1", "assetTransferMethod": "permit2",
                         "facilitatorAddress": facilitator}}
        client = x402ClientSync()
        client.register(chain.network, UptoEvmClientScheme(payer))
        client.set_spend_controls({"allowed_assets": [
            {"network": chain.network, "asset": chain.token_address, "max_amount_per_payment": "1000"}]})
        payload = client.create_payment_payload(PaymentRequired.model_validate(
            {"x402Version": 2, "resource": {"url": "http://x/v1/chat/completions"}, "accepts": [req]}))
        verdict = call(fac.url, "/verify", payload.model_dump(by_alias=True, exclude_none=True), req)
    # The SDK's Permit2 cascade ran to its chain checks: this devnet has no Permit2, so it cannot be valid —
    # and the refusal is the SDK's, not the eip3009-upto scheme's.
    # The SDK's Permit2 cascade checked spender, recipient, facilitator, deadline, amount and signature, and
    # stopped at the chain: the payer never approved Permit2 (this devnet has none).
    assert (verdict["isValid"], verdict["invalidReason"]) == (False, "permit2_allowance_required")
    assert verdict["payer"] == payer.address
