"""The facilitator settles exactly what it verified, once: a replayed authorization is refused by the chain, a
settlement whose requirements differ from the verified ones is refused before anything is sent, and a payment it
never verified is not settled at all."""

from __future__ import annotations

import httpx
import pytest
from eth_account.signers.local import LocalAccount
from gatewaykit import BarePayer, chat_body, decode_header, facilitator_server, transfers

from provider.network import GatewayChain
from wallet.chain.contracts import AIToken

pytestmark = pytest.mark.chain


def facilitator_request(signature_header: dict[str, str], demand_header: str) -> dict[str, object]:
    payload = decode_header(signature_header["PAYMENT-SIGNATURE"])
    scheme = payload["accepted"]["scheme"]
    [requirements] = [a for a in decode_header(demand_header)["accepts"] if a["scheme"] == scheme]
    return {"x402Version": 2, "paymentPayload": payload, "paymentRequirements": requirements}


def test_a_replayed_authorization_is_refused_by_the_chain(start_gateway, gateway_chain: GatewayChain,
                                                          payer: LocalAccount, bare_payer: BarePayer,
                                                          facilitator_url: str) -> None:
    gw = start_gateway(1)
    body = chat_body("gpt-4o-mini", 40)
    demand, _ = bare_payer.demand(gw.url, body)
    signed = bare_payer.sign(gw.url, body)
    first = httpx.post(gw.url + "/v1/chat/completions", json=body, headers=signed, timeout=60)
    assert first.status_code == 200, first.text
    tx = decode_header(first.headers["PAYMENT-RESPONSE"])["transaction"]
    balance = AIToken(gateway_chain.client, gateway_chain.token_address).balance_of(payer.address)

    again = httpx.post(gw.url + "/v1/chat/completions", json=body, headers=signed, timeout=60)
    assert again.status_code == 402
    assert decode_header(again.headers["PAYMENT-REQUIRED"])["error"] == "invalid_exact_evm_nonce_already_used"
    assert again.json()["error"]["code"] == "invalid_exact_evm_nonce_already_used"
    assert "nothing was run or charged" in again.json()["error"]["message"] and "choices" not in again.text

    request = facilitator_request(signed, demand.headers["PAYMENT-REQUIRED"])
    settled_again = httpx.post(facilitator_url + "/settle", json=request, timeout=60).json()
    assert settled_again["success"] is False and settled_again["errorReason"] == "already_settled"
    assert tx in settled_again["errorMessage"]

    with facilitator_server(gateway_chain) as fresh:  # one that never saw it asks the chain
        verdict = httpx.post(fresh.url + "/verify", json=request, timeout=60).json()
        assert verdict["isValid"] is False and verdict["invalidReason"] == "invalid_exact_evm_nonce_already_used"
        assert "authorization is used" in verdict["invalidMessage"]
        refused = httpx.post(fresh.url + "/settle", json=request, timeout=60).json()
        assert refused["success"] is False and refused["errorReason"] == "not_verified_by_this_facilitator"
    assert AIToken(gateway_chain.client, gateway_chain.token_address).balance_of(payer.address) == balance
    assert len(transfers(gateway_chain, tx)) == 1


def test_settling_other_requirements_than_verified_is_refused(start_gateway, gateway_chain: GatewayChain,
                                                               payer: LocalAccount, bare_payer: BarePayer) -> None:
    gw = start_gateway(1)
    body = chat_body("gpt-4o-mini", 40)
    demand, _ = bare_payer.demand(gw.url, body)
    request = facilitator_request(bare_payer.sign(gw.url, body), demand.headers["PAYMENT-REQUIRED"])
    nonce = bytes.fromhex(request["paymentPayload"]["payload"]["authorization"]["nonce"][2:])  # type: ignore[index]
    token = AIToken(gateway_chain.client, gateway_chain.token_address)
    with facilitator_server(gateway_chain) as fac:
        unverified = httpx.post(fac.url + "/settle", json=request, timeout=60).json()
        assert unverified["success"] is False and unverified["errorReason"] == "not_verified_by_this_facilitator"

        assert httpx.post(fac.url + "/verify", json=request, timeout=60).json()["isValid"] is True
        other = {**request, "paymentRequirements": {**request["paymentRequirements"],  # type: ignore[dict-item]
                                                    "maxTimeoutSeconds": 3600}}
        refused = httpx.post(fac.url + "/settle", json=other, timeout=60).json()
        assert refused["success"] is False and refused["errorReason"] == "requirements_differ_from_verified"
        assert "maxTimeoutSeconds" in refused["errorMessage"]
        assert token.authorization_state(payer.address, nonce) is False  # nothing went on chain

        settled = httpx.post(fac.url + "/settle", json=request, timeout=60).json()
        assert settled["success"] is True
        assert token.authorization_state(payer.address, nonce) is True


@pytest.mark.parametrize(("body", "status"), [
    (b"[" * 30_000 + b"]" * 30_000, 400),  # within the size bound: refused for its depth
    (b"x" * (65 * 1024), 413),
    (b'{"x402Version": 2, "paymentPayload": [], "paymentRequirements": {}}', 400),
])
def test_hostile_requests_leave_the_facilitator_answering(facilitator_url: str, body: bytes, status: int) -> None:
    r = httpx.post(facilitator_url + "/verify", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status
    assert httpx.get(facilitator_url + "/health").json()["status"] == "ok"


def test_a_malformed_payment_is_invalid_not_an_error(facilitator_url: str) -> None:
    bad = {"x402Version": 2, "paymentPayload": {"x402Version": 2, "payload": {}, "accepted": {}},
           "paymentRequirements": {"scheme": "exact"}}
    assert httpx.post(facilitator_url + "/verify", json=bad).json()["isValid"] is False
    assert httpx.post(facilitator_url + "/settle", json=bad).json()["success"] is False
    exact, upto = httpx.get(facilitator_url + "/supported").json()["kinds"]
    assert exact == {"x402Version": 2, "scheme": "exact", "network": "eip155:31337"}
    assert (upto["scheme"], upto["extra"]["assetTransferMethods"]) == ("upto", ["eip3009-upto", "permit2"])


def test_a_facilitator_gone_silent_is_a_503_not_a_demand(start_gateway, gateway_chain: GatewayChain,
                                                         payer: LocalAccount, bare_payer: BarePayer) -> None:
    with facilitator_server(gateway_chain) as fac:
        gw = start_gateway(1, facilitator_url=fac.url)
        signed = bare_payer.sign(gw.url, chat_body())  # the gateway has met its facilitator
    r = httpx.post(gw.url + "/v1/chat/completions", json=chat_body(), headers=signed, timeout=60)
    assert r.status_code == 503 and "did not answer" in r.json()["error"]["message"]
    assert AIToken(gateway_chain.client, gateway_chain.token_address).balance_of(payer.address) == 100 * 10**18
