"""Paying the provider gateway with AIT over x402, end to end: real anvil, a real facilitator and real gateways on
loopback, paid by a plain x402 SDK client. The demand equals the wallet's own quote to the base unit, and so does
the Transfer on chain."""

from __future__ import annotations

import httpx
import pytest
from eth_account.signers.local import LocalAccount
from gatewaykit import CHAT, MESSAGES, BarePayer, PrivateChain, chat_body, decode_header, new_payer, transfers

from provider.network import GatewayChain
from wallet.chain.contracts import AIToken
from wallet.quote import PromptInput, QuoteEngine
from wallet.registry import ModelPrice

pytestmark = pytest.mark.chain


def wallet_quote(chain: GatewayChain, provider_id: int, model: str, max_tokens: int) -> int:
    engine = QuoteEngine(chain.registry().list_providers)
    return engine.quote(provider_id, model, PromptInput.from_messages(MESSAGES), max_tokens).price_base_units


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-3.5-turbo"])
def test_paid_round_trip_charges_the_wallet_quote_to_the_base_unit(
        start_gateway, gateway_chain: GatewayChain, payer: LocalAccount, bare_payer: BarePayer, model: str) -> None:
    gw = start_gateway(1)
    body = chat_body(model, 333, temperature=0.2)
    quote = wallet_quote(gateway_chain, 1, model, 333)
    pay_to = gateway_chain.registry().get_provider(1).pay_to

    first, required = bare_payer.demand(gw.url, body)
    assert first.json()["error"]["message"].startswith(f"This request costs {quote} AIT base units")
    demand, metered = required.accepts  # exact first, for any x402 client; metered beside it
    assert (metered.scheme, metered.amount, metered.extra["assetTransferMethod"]) == ("upto", str(quote),
                                                                                      "eip3009-upto")
    assert (demand.scheme, demand.network, demand.asset, demand.amount, demand.pay_to) == (
        "exact", "eip155:31337", gateway_chain.token_address, str(quote), pay_to)
    assert demand.max_timeout_seconds == 180 and demand.extra == {"name": "AI Token", "version": "1"}

    token = AIToken(gateway_chain.client, gateway_chain.token_address)
    before = token.balance_of(pay_to)
    paid = bare_payer.pay(gw.url, body)
    assert paid.status_code == 200, paid.text
    answer = paid.json()
    assert answer["object"] == "chat.completion" and answer["demo"] is True
    assert answer["choices"][0]["message"]["content"].startswith("[Demo answer")
    assert 0 < answer["usage"]["completion_tokens"] <= 333

    settlement = bare_payer.settlement(paid)
    assert settlement.success and settlement.network == "eip155:31337" and settlement.payer == payer.address
    assert transfers(gateway_chain, settlement.transaction) == [(payer.address.lower(), pay_to.lower(), quote)]
    assert token.balance_of(pay_to) - before == quote
    assert token.balance_of(payer.address) == 100 * 10**18 - quote
    assert gateway_chain.client.eth_balance(payer.address) == 0  # gasless for the payer
    assert [p.split(";")[0] for p in paid.headers["server-timing"].split(", ")] == ["verify", "backend", "settle"]


def test_a_plain_sdk_session_pays_without_knowing_this_project(start_gateway, gateway_chain: GatewayChain,
                                                                  payer: LocalAccount) -> None:
    """Interoperability: the SDK's own requests integration, configured only with the chain and the token."""
    from x402 import x402ClientSync
    from x402.http.clients.requests import x402_requests
    from x402.mechanisms.evm.exact import ExactEvmClientScheme

    gw = start_gateway(1)
    client = x402ClientSync()
    client.register("eip155:31337", ExactEvmClientScheme(payer))
    client.set_spend_controls({"allowed_assets": [
        {"network": "eip155:31337", "asset": gateway_chain.token_address, "max_amount_per_payment": str(10**18)}]})
    with x402_requests(client) as session:
        r = session.post(gw.url + CHAT, json=chat_body("gpt-4o-mini", 64), timeout=60)
    assert r.status_code == 200, r.text
    receipt = decode_header(r.headers["PAYMENT-RESPONSE"])
    assert receipt["success"] is True and receipt["payer"] == payer.address
    quote = wallet_quote(gateway_chain, 1, "gpt-4o-mini", 64)
    pay_to = gateway_chain.registry().get_provider(1).pay_to
    assert transfers(gateway_chain, receipt["transaction"]) == [(payer.address.lower(), pay_to.lower(), quote)]


def test_the_devnet_serves_its_demo_providers_where_the_registry_says(gateway_chain: GatewayChain,
                                                                      bare_payer: BarePayer) -> None:
    """The session devnet's own gateways (child processes of `devnet up`) answer on their registered endpoints,
    say they are demos, and take payment through the devnet's facilitator."""
    for provider in gateway_chain.registry().list_providers()[:2]:
        health = httpx.get(provider.endpoint + "/health", timeout=10).json()
        assert (health["provider_id"], health["name"], health["demo"]) == (provider.id, provider.name, True)
        assert httpx.get(provider.endpoint, timeout=10).json() == health  # what the app's reachability check gets
        models = httpx.get(provider.endpoint + "/v1/models", timeout=10).json()["data"]
        assert [m["id"] for m in models] == [m.model for m in provider.models] and all(m["demo"] for m in models)
    demo_ai = gateway_chain.registry().get_provider(1)
    paid = bare_payer.pay(demo_ai.endpoint, chat_body("gpt-4o-mini", 50))
    assert paid.status_code == 200, paid.text
    assert bare_payer.settlement(paid).success


def test_a_price_change_on_chain_is_followed(start_gateway, private_chain: PrivateChain,
                                             own_provider: tuple[int, LocalAccount, LocalAccount]) -> None:
    chain = private_chain.chain
    provider_id, owner, pay_to = own_provider
    payer = BarePayer(new_payer(chain), chain.network, chain.token_address)
    gw = start_gateway(provider_id, chain=chain)
    body = chat_body("gpt-4o-mini", 500)
    first = wallet_quote(chain, provider_id, "gpt-4o-mini", 500)
    assert payer.demand(gw.url, body)[1].accepts[0].amount == str(first)

    old = chain.registry().get_provider(provider_id).model("gpt-4o-mini")
    assert old is not None
    new = ModelPrice(old.model, old.encoding, old.input_price * 3, old.output_price * 2 + 7, old.context_window,
                     old.max_output)
    generation = gw.gateway.sheet.generation
    chain.registry().set_model_price(owner, provider_id, new)
    assert gw.gateway.sheet.wait_for_generation(generation + 1, timeout=30)

    second = wallet_quote(chain, provider_id, "gpt-4o-mini", 500)
    assert second != first
    assert payer.demand(gw.url, body)[1].accepts[0].amount == str(second)
    assert httpx.post(gw.url + "/v1/quote", json=body).json()["price_base_units"] == str(second)
    paid = payer.pay(gw.url, body)
    assert paid.status_code == 200, paid.text
    tx = payer.settlement(paid).transaction
    assert transfers(chain, tx) == [(payer.account.address.lower(), pay_to.address.lower(), second)]
