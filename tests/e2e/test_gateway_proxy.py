"""The proxy backend against a real OpenAI-compatible server on loopback: it forwards the priced request with its
budget and the configured key, passes the upstream's usage through, never hands over more output than was paid
for, and charges nothing when the upstream fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from eth_account.signers.local import LocalAccount
from gatewaykit import CHAT, BarePayer, RunningGateway, Upstream, chat_body, decode_header

from provider.backends import OpenAIProxy, UpstreamConfig
from provider.network import GatewayChain
from provider.serve import ServerThread
from wallet.chain.contracts import AIToken
from wallet.errors import ConfigError
from wallet.metering import count_tokens

pytestmark = pytest.mark.chain


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
def proxied(start_gateway, upstream: Upstream) -> Iterator[RunningGateway]:
    server = ServerThread(upstream.app(), name="upstream").start()
    try:
        yield start_gateway(1, backend=OpenAIProxy(UpstreamConfig(server.url + "/v1", upstream.api_key)))
    finally:
        server.stop()


def test_the_proxy_forwards_the_priced_request_and_passes_usage_through(proxied, upstream: Upstream,
                                                                       bare_payer: BarePayer) -> None:
    body = chat_body("gpt-4o-mini", 50, temperature=0.5, seed=7)
    paid = bare_payer.pay(proxied.url, body)
    assert paid.status_code == 200, paid.text
    answer = paid.json()
    assert answer["usage"] == {"prompt_tokens": 11, "completion_tokens": 20, "total_tokens": 31,
                               "prompt_tokens_details": {"cached_tokens": 0}}
    assert answer["choices"][0]["message"]["content"] == " ".join(["token"] * 20)
    assert "demo" not in answer and bare_payer.settlement(paid).success
    [sent] = upstream.received
    assert sent == {"model": "gpt-4o-mini", "messages": body["messages"], "max_tokens": 50, "temperature": 0.5,
                    "seed": 7}
    assert upstream.headers[0]["authorization"] == f"Bearer {upstream.api_key}"
    assert httpx.get(proxied.url + "/v1/models").json()["data"][0].get("demo") is None


def test_an_answer_over_the_budget_is_cut_to_it(proxied, upstream: Upstream, bare_payer: BarePayer) -> None:
    upstream.words = 400
    paid = bare_payer.pay(proxied.url, chat_body("gpt-4o-mini", 25))
    assert paid.status_code == 200
    choice = paid.json()["choices"][0]
    assert count_tokens(choice["message"]["content"], "o200k_base") <= 25 < 400
    assert choice["finish_reason"] == "length"
    assert paid.json()["metering"]["output_tokens"] <= 25


@pytest.mark.parametrize("status", [500, 429])
def test_an_upstream_failure_charges_nothing(proxied, upstream: Upstream, gateway_chain: GatewayChain,
                                             payer: LocalAccount, bare_payer: BarePayer, status: int) -> None:
    upstream.status = status
    signed = bare_payer.sign(proxied.url, chat_body())
    r = httpx.post(proxied.url + CHAT, json=chat_body(), headers=signed, timeout=60)
    assert r.status_code == 502 and "overloaded" in r.json()["error"]["message"]
    assert "Nothing was charged" in r.json()["error"]["message"] and "PAYMENT-RESPONSE" not in r.headers
    nonce = bytes.fromhex(decode_header(signed["PAYMENT-SIGNATURE"])["payload"]["authorization"]["nonce"][2:])
    assert AIToken(gateway_chain.client, gateway_chain.token_address).authorization_state(payer.address, nonce) is False


def test_an_unreachable_upstream_charges_nothing(start_gateway, payer: LocalAccount, bare_payer: BarePayer,
                                                 gateway_chain: GatewayChain) -> None:
    from wallet.devnet.anvil import free_port

    gw = start_gateway(1, backend=OpenAIProxy(UpstreamConfig(f"http://127.0.0.1:{free_port()}/v1")))
    r = httpx.post(gw.url + CHAT, json=chat_body(), headers=bare_payer.sign(gw.url, chat_body()), timeout=60)
    assert r.status_code == 502 and "did not answer" in r.json()["error"]["message"]
    assert AIToken(gateway_chain.client, gateway_chain.token_address).balance_of(payer.address) == 100 * 10**18


def test_upstream_config_from_a_file_or_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AI_PROVIDER_UPSTREAM_URL", raising=False)
    monkeypatch.delenv("AI_PROVIDER_UPSTREAM_KEY", raising=False)
    assert UpstreamConfig.load() is None
    monkeypatch.setenv("AI_PROVIDER_UPSTREAM_URL", "https://api.example.com/v1/")
    monkeypatch.setenv("AI_PROVIDER_UPSTREAM_KEY", "sk-from-env")
    assert UpstreamConfig.load() == UpstreamConfig("https://api.example.com/v1", "sk-from-env")
    f = tmp_path / "gateway.json"
    f.write_text(json.dumps({"upstream": {"base_url": "http://127.0.0.1:9/v1", "api_key": "sk-from-file"}}))
    config = UpstreamConfig.load(f)
    assert config == UpstreamConfig("http://127.0.0.1:9/v1", "sk-from-file")
    assert "sk-from-file" not in repr(config)
    f.write_text('{"upstream": {"base_url": "ftp://x"}}')
    with pytest.raises(ConfigError, match="http"):
        UpstreamConfig.load(f)
    f.write_text("[" * 50_000)
    with pytest.raises(ConfigError, match="nested"):
        UpstreamConfig.load(f)
