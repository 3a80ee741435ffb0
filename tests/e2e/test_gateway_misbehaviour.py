"""A gateway made to misbehave on purpose (``Misbehaviour``) really does: each switch changes what a payer sees
or what happens on chain, as payers' tests rely on."""

from __future__ import annotations

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from gatewaykit import CHAT, BarePayer, chat_body, decode_header, transfers

from provider.misbehaviour import Misbehaviour, oversized_header
from provider.network import GatewayChain
from wallet.chain.contracts import AIToken
from wallet.quote import PromptInput, QuoteEngine

pytestmark = pytest.mark.chain
BODY = chat_body("gpt-4o-mini", 120)


def quote(chain: GatewayChain) -> int:
    prompt = PromptInput.from_messages(BODY["messages"])
    return QuoteEngine(chain.registry().list_providers).quote(1, "gpt-4o-mini", prompt, 120).price_base_units


def demand(url: str) -> httpx.Response:
    r = httpx.post(url + CHAT, json=BODY, timeout=30)
    assert r.status_code == 402
    return r


def nonce_of(signed: dict[str, str]) -> bytes:
    return bytes.fromhex(decode_header(signed["PAYMENT-SIGNATURE"])["payload"]["authorization"]["nonce"][2:])


def test_overcharge_is_a_real_demand(start_gateway, gateway_chain: GatewayChain, bare_payer: BarePayer) -> None:
    gw = start_gateway(1, misbehaviour=Misbehaviour(overcharge=5))
    assert decode_header(demand(gw.url).headers["PAYMENT-REQUIRED"])["accepts"][0]["amount"] == str(
        quote(gateway_chain) + 5)
    paid = bare_payer.pay(gw.url, BODY)
    assert paid.status_code == 200
    assert transfers(gateway_chain, bare_payer.settlement(paid).transaction)[0][2] == quote(gateway_chain) + 5


def test_another_pay_to_is_a_real_demand(start_gateway, gateway_chain: GatewayChain, bare_payer: BarePayer) -> None:
    thief = Account.create().address
    gw = start_gateway(1, misbehaviour=Misbehaviour(pay_to=thief))
    assert decode_header(demand(gw.url).headers["PAYMENT-REQUIRED"])["accepts"][0]["payTo"] == thief
    paid = bare_payer.pay(gw.url, BODY)
    assert paid.status_code == 200
    assert transfers(gateway_chain, bare_payer.settlement(paid).transaction)[0][1] == thief.lower()


@pytest.mark.parametrize(("misbehaviour", "field", "value"), [
    (Misbehaviour(asset="0x000000000000000000000000000000000000dEaD"), "asset",
     "0x000000000000000000000000000000000000dEaD"),
    (Misbehaviour(network="eip155:1"), "network", "eip155:1"),
    (Misbehaviour(max_timeout_seconds=3600), "maxTimeoutSeconds", 3600),
])
def test_the_demand_names_what_the_switch_says(start_gateway, misbehaviour: Misbehaviour, field: str,
                                               value: object) -> None:
    gw = start_gateway(1, misbehaviour=misbehaviour)
    assert decode_header(demand(gw.url).headers["PAYMENT-REQUIRED"])["accepts"][0][field] == value


@pytest.mark.parametrize("header", ["%%% not base64 %%%", oversized_header()])
def test_a_broken_demand_header_is_sent_as_is(start_gateway, bare_payer: BarePayer, header: str) -> None:
    gw = start_gateway(1, misbehaviour=Misbehaviour(payment_required_header=header))
    r = demand(gw.url)
    assert r.headers["PAYMENT-REQUIRED"] == header
    if len(header) > 1024:
        assert len(header) >= 64 * 1024 and decode_header(header)["accepts"] == []
    else:
        with pytest.raises(Exception):  # noqa: B017 - the SDK's own decoder gives up, whatever it raises
            bare_payer.http.get_payment_required_response(r.headers.get, None)


def test_settle_then_fail_charges_and_answers_500(start_gateway, gateway_chain: GatewayChain, payer: LocalAccount,
                                                  bare_payer: BarePayer) -> None:
    gw = start_gateway(1, misbehaviour=Misbehaviour(fail_after_settlement=True))
    signed = bare_payer.sign(gw.url, BODY)
    r = httpx.post(gw.url + CHAT, json=BODY, headers=signed, timeout=60)
    assert r.status_code == 500 and "PAYMENT-RESPONSE" not in r.headers and "choices" not in r.text
    token = AIToken(gateway_chain.client, gateway_chain.token_address)
    assert token.authorization_state(payer.address, nonce_of(signed)) is True
    assert token.balance_of(payer.address) == 100 * 10**18 - quote(gateway_chain)


@pytest.mark.parametrize(("when", "settled"), [("before_settlement", False), ("after_settlement", True)])
def test_never_answering(start_gateway, gateway_chain: GatewayChain, payer: LocalAccount, bare_payer: BarePayer,
                         when: str, settled: bool) -> None:
    gw = start_gateway(1, misbehaviour=Misbehaviour(never_answer=when))  # type: ignore[arg-type]
    signed = bare_payer.sign(gw.url, BODY)
    token = AIToken(gateway_chain.client, gateway_chain.token_address)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(gw.url + CHAT, json=BODY, headers=signed, timeout=httpx.Timeout(10, read=3))
    if settled:  # it settled before going silent: the chain shows it
        assert gateway_chain.client.wait_until(
            lambda: token.authorization_state(payer.address, nonce_of(signed)), timeout=30)
    else:
        assert token.authorization_state(payer.address, nonce_of(signed)) is False
        assert token.balance_of(payer.address) == 100 * 10**18
    assert httpx.get(gw.url + "/health", timeout=10).status_code == 200


def test_replaying_a_settlement_is_refused(start_gateway, gateway_chain: GatewayChain, bare_payer: BarePayer) -> None:
    gw = start_gateway(1, misbehaviour=Misbehaviour(replay_settlement=True))
    paid = bare_payer.pay(gw.url, BODY)
    assert paid.status_code == 200
    assert gw.app.state.replay_refusals == [
        "verify: invalid_exact_evm_nonce_already_used; settle: already_settled"]
    assert len(transfers(gateway_chain, bare_payer.settlement(paid).transaction)) == 1


def test_misbehaviour_is_not_reachable_from_the_command_line() -> None:
    from provider.main import build_parser

    options = {o for action in build_parser()._subparsers._group_actions  # type: ignore[union-attr]
               for sub in action.choices.values() for a in sub._actions for o in a.option_strings}
    assert not {o for o in options if any(w in o for w in ("misbehav", "overcharge", "replay", "never"))}
