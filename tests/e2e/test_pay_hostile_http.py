"""The wallet against a hand-written hostile HTTP server on loopback: answers dribbled forever, a settlement
header that lies about its transaction, and registry endpoints no request should go to."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clirun import run_cli
from eth_account.signers.local import LocalAccount
from gatewaykit import TEST_MODELS, PrivateChain, RunningGateway, Upstream, new_payer, register_provider
from hostilekit import HostileServer, dribble, fanned_out, paid_then_dribbled, proxy_to
from paykit import cli_wallet, flow_for, serve_provider, token_of

from provider.backends import OpenAIProxy, UpstreamConfig
from provider.register import register
from provider.serve import ServerThread
from wallet.errors import ProviderError
from wallet.payments.flow import PaymentFlow, Task
from wallet.payments.intents import PENDING, REFUSED, SETTLED, RefusedPayment
from wallet.payments.provider_http import ProviderHttp, ProviderTimeout
from wallet.quote import PromptInput, QuoteEngine

pytestmark = pytest.mark.chain
MODEL = "gpt-4o-mini"


@pytest.fixture
def chain(private_chain: PrivateChain) -> Any:
    return private_chain.chain


@pytest.fixture
def payer(chain: Any) -> LocalAccount:
    return new_payer(chain)


@pytest.fixture
def wallet(chain, payer, tmp_path: Path) -> PaymentFlow:
    return flow_for(chain.profile, tmp_path / "wallet.sqlite3", payer, answer_timeout=2)


def task(provider_id: int, prompt: str = "Tell me about x402.", scheme: str = "exact") -> Task:
    return Task(provider_id, MODEL, PromptInput.text(prompt), 64, scheme)


def metered_gateway(chain, start_gateway: Callable[..., RunningGateway], **options: Any,
                    ) -> tuple[int, Any, Any, RunningGateway]:
    """A provider of this test's own, served by a gateway whose facilitator settles its metered payments."""
    provider_id, owner, pay_to = register_provider(chain)
    return provider_id, owner, pay_to, start_gateway(provider_id, chain=chain, payees=(pay_to,), **options)


@pytest.mark.parametrize("first", [b"HTTP/1.1 402 Payment Required\r\n",
                                   b"HTTP/1.1 402 Payment Required\r\ncontent-length: 100000\r\n\r\n"],
                         ids=["headers", "body"])
def test_an_answer_dribbled_byte_by_byte_ends_at_the_deadline(first: bytes) -> None:
    # A byte every 0.2 s never trips a per-read timeout of 2 s; only a deadline on the whole answer ends it.
    stop = threading.Event()
    byte = b"x-a: b\r\n" if first.endswith(b"Required\r\n") else b"x"
    with HostileServer(dribble(first, byte, 0.2, stop)) as server:
        http = ProviderHttp(answer_timeout=2)
        try:
            with pytest.raises(ProviderTimeout, match="did not answer within 2 s"):
                http.post(server.url + "/v1/chat/completions", b"{}")
        finally:
            stop.set()
            http.close()


def _lying_settlement(transaction: str) -> Callable[[int, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]:
    def rewrite(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if "payment-response" in headers:
            doc = json.loads(base64.b64decode(headers["payment-response"]))
            doc["transaction"] = transaction
            headers["payment-response"] = base64.b64encode(json.dumps(doc).encode()).decode()
        return status, headers, body
    return rewrite


@pytest.mark.parametrize("scheme", ["exact", "upto"])
@pytest.mark.parametrize("transaction", ["0xnot-a-hash", "0x" + "11" * 32, "", "0x" + "ab" * 2000],
                         ids=["malformed", "unknown", "empty", "long"])
def test_a_settlement_header_that_lies_about_its_transaction_loses_neither_answer_nor_record(
        chain, payer, wallet: PaymentFlow, start_gateway: Callable[..., RunningGateway], transaction: str,
        scheme: str) -> None:
    provider_id, owner, pay_to, gateway = metered_gateway(chain, start_gateway)
    before = token_of(chain).balance_of(payer.address)
    with HostileServer(proxy_to(gateway.url, _lying_settlement(transaction))) as proxy:
        register(chain, owner, name="Lying AI", endpoint=proxy.url, pay_to=pay_to.address,
                 models=list(TEST_MODELS), provider_id=provider_id)
        prepared = wallet.prepare(task(provider_id, scheme=scheme), payer.address)
        assert prepared.verdict.ok, prepared.verdict.message
        result = wallet.pay(prepared)
    assert result.scheme == scheme and result.response_text and result.paid_base_units is not None
    assert 0 < result.paid_base_units <= prepared.amount
    if scheme == "exact":
        assert result.paid_base_units == prepared.amount
    assert result.tx_hash is not None and result.tx_hash.startswith("0x") and len(result.tx_hash) == 66
    record = wallet.store.get(result.intent_id)
    assert (record.status, record.delivered, record.tx_hash) == (SETTLED, True, result.tx_hash), record.reason
    assert record.evidence["answer"] == result.response_text  # kept, should the wallet die before showing it
    assert before - token_of(chain).balance_of(payer.address) == result.paid_base_units


def test_a_metered_answer_dribbled_after_settlement_ends_at_the_deadline_with_the_charge_on_record(
        chain, payer, wallet: PaymentFlow, start_gateway: Callable[..., RunningGateway]) -> None:
    provider_id, owner, pay_to, gateway = metered_gateway(chain, start_gateway)
    before = token_of(chain).balance_of(payer.address)
    stop = threading.Event()
    with HostileServer(paid_then_dribbled(gateway.url, stop)) as proxy:
        register(chain, owner, name="Dribbling AI", endpoint=proxy.url, pay_to=pay_to.address,
                 models=list(TEST_MODELS), provider_id=provider_id)
        prepared = wallet.prepare(task(provider_id, scheme="upto"), payer.address)
        try:
            with pytest.raises(ProviderTimeout, match="did not answer within 2 s"):
                wallet.pay(prepared)
        finally:
            stop.set()
    [record] = [i for i in wallet.store.list() if i.status != REFUSED]
    # the gateway settled before the dribble began: the wallet finds the charge by its nonce and says it could
    # not check it against an answer it never received
    assert (record.scheme, record.status) == ("upto", SETTLED) and record.tx_hash
    assert 0 < (record.charged or 0) <= record.authorized and "received no answer" in (record.reason or "")
    assert before - token_of(chain).balance_of(payer.address) == record.charged


@pytest.mark.parametrize("scheme", ["exact", "upto"])
def test_one_signature_sent_many_times_at_once_runs_the_model_once_and_charges_once(
        chain, payer, wallet: PaymentFlow, start_gateway: Callable[..., RunningGateway], scheme: str) -> None:
    upstream = Upstream()
    answers: list[tuple[int, dict[str, str], bytes]] = []
    with ServerThread(upstream.app(), name="upstream") as model:
        backend = OpenAIProxy(UpstreamConfig(model.url + "/v1", upstream.api_key))
        provider_id, owner, pay_to, gateway = metered_gateway(chain, start_gateway, backend=backend)
        before = token_of(chain).balance_of(payer.address)
        with HostileServer(fanned_out(gateway.url, 6, answers)) as front:
            register(chain, owner, name="Replaying AI", endpoint=front.url, pay_to=pay_to.address,
                     models=list(TEST_MODELS), provider_id=provider_id)
            result = wallet.pay(wallet.prepare(task(provider_id, scheme=scheme), payer.address))
    assert sorted(status for status, _, _ in answers) == [200] + [402] * 5
    assert len(upstream.received) == 1
    assert result.scheme == scheme and wallet.store.get(result.intent_id).status == SETTLED
    assert before - token_of(chain).balance_of(payer.address) == result.paid_base_units


def _answer_with_claim(upstream: str, amount: str) -> Callable[..., None]:
    """Forward the unpaid request; answer the paid one itself (nothing is settled) with a chat completion and a
    ``PAYMENT-RESPONSE`` claiming a charge of ``amount``."""
    from hostilekit import forward, respond

    def handler(conn: Any, request: Any) -> None:
        if "payment-signature" not in request.headers:
            respond(conn, *forward(upstream, request))
            return
        claim = {"success": True, "transaction": "", "network": "eip155:31337", "amount": amount}
        body = {"choices": [{"message": {"role": "assistant", "content": "A paid answer."}}]}
        respond(conn, 200, {"content-type": "application/json",
                            "payment-response": base64.b64encode(json.dumps(claim).encode()).decode()},
                json.dumps(body).encode())
    return handler


@pytest.mark.parametrize("amount", ["9" * 5000, "\u00b2", "1" * 79], ids=["5000-digits", "superscript", "79-digits"])
def test_a_settlement_header_claiming_an_absurd_charge_loses_neither_answer_nor_record(
        chain, payer, wallet: PaymentFlow, start_gateway: Callable[..., RunningGateway], amount: str) -> None:
    provider_id, owner, pay_to, gateway = metered_gateway(chain, start_gateway)
    with HostileServer(_answer_with_claim(gateway.url, amount)) as proxy:
        register(chain, owner, name="Claiming AI", endpoint=proxy.url, pay_to=pay_to.address,
                 models=list(TEST_MODELS), provider_id=provider_id)
        result = wallet.pay(wallet.prepare(task(provider_id, scheme="upto"), payer.address))
    assert (result.response_text, result.status, result.paid_base_units) == ("A paid answer.", PENDING, None)
    assert not any("reported a charge" in n for n in result.notes)
    record = wallet.store.get(result.intent_id)
    assert (record.status, record.delivered) == (PENDING, True)
    assert record.evidence["answer"] == "A paid answer."


def test_two_wallets_paying_from_one_account_at_once_sign_only_what_it_holds(
        chain, start_gateway: Callable[..., RunningGateway], tmp_path: Path) -> None:
    # Two wallet processes (the app and the CLI) share one database; each prepares before either pays, so each
    # saw the whole balance free.
    served = serve_provider(chain, start_gateway)
    one = task(served.provider_id)
    price = QuoteEngine(chain.registry().list_providers).quote(served.provider_id, MODEL, one.prompt,
                                                               one.max_output).price_base_units
    payer = new_payer(chain, ait=price * 3 // 2)
    first, second = (flow_for(chain.profile, tmp_path / "wallet.sqlite3", payer) for _ in range(2))
    prepared = [first.prepare(one, payer.address),
                second.prepare(task(served.provider_id, "Another question."), payer.address)]
    assert all(p.verdict.ok for p in prepared), [p.verdict.message for p in prepared]
    paid = first.pay(prepared[0])
    with pytest.raises(RefusedPayment, match="does not cover") as refused:
        second.pay(prepared[1])
    assert refused.value.codes == ("balance",)
    assert token_of(chain).balance_of(payer.address) == price * 3 // 2 - (paid.paid_base_units or 0)
    signed = [i for i in second.store.list() if i.nonce is not None]
    assert [i.id for i in signed] == [paid.intent_id]


def _registered_at(chain, endpoint: str) -> int:
    """A provider whose registry entry names ``endpoint``, registered straight on the contract (the registry
    takes any non-empty string; ``ai-provider register`` would refuse these)."""
    provider_id, owner, pay_to = register_provider(chain)
    chain.registry().update_provider(owner, provider_id, "Odd AI", endpoint, pay_to.address)
    return provider_id


@pytest.mark.parametrize(("endpoint", "words"), [
    ("http://127.0.0.1:9/a\r\nX-Injected: 1", "control characters"),
    ("file:///etc/passwd", "http or https"),
    ("http://user:secret@127.0.0.1:9", "user name or password"),
    ("http://127.0.0.1:9/?q=1", "query"),
    ("http://127.0.0.1:0", "port"),
], ids=["crlf", "file", "userinfo", "query", "port-0"])
def test_an_endpoint_no_request_should_go_to_is_refused_in_words_before_any_request(
        chain, payer, wallet: PaymentFlow, endpoint: str, words: str) -> None:
    provider_id = _registered_at(chain, endpoint)
    with pytest.raises(ProviderError, match=words) as caught:
        wallet.prepare(task(provider_id), payer.address)
    assert "Nothing was signed." in caught.value.user_message
    assert not [i for i in wallet.store.list() if i.status != REFUSED]


def test_registry_strings_cannot_drive_the_terminal(chain, private_chain: PrivateChain, payer, tmp_path: Path,
                                                    start_gateway: Callable[..., RunningGateway]) -> None:
    # A name that would erase its own line and write a trusted provider's name (and reorder text) in its place.
    name = "Evil AI\r\x1b[2K\x1b[32mDemo AI \u2713 verified\x1b[0m\u202e"
    provider_id, owner, pay_to = register_provider(chain)
    gateway = start_gateway(provider_id, chain=chain)
    register(chain, owner, name=name, endpoint=gateway.url, pay_to=pay_to.address, models=list(TEST_MODELS),
             provider_id=provider_id)
    listed = run_cli(private_chain.data_dir.root, "--network", private_chain.network, "providers")
    assert listed.code == 0, listed.err
    data, pw, env = cli_wallet(tmp_path, chain.profile, payer)
    declined = run_cli(data, "--network", "chain", "run", "--provider", str(provider_id), "--model", MODEL,
                       "--max-output", "16", "--prompt", "hi", "--password-file", str(pw), env=env, stdin="n\n")
    assert declined.code == 3, declined.err
    for text in (listed.out, declined.err):
        assert "Evil AI\\x0d\\x1b[2K" in text
        assert not any(c in text for c in "\r\x1b\u202e")
