"""`ai-provider --provider-id N --port P` (no command: `serve`) as a real process on loopback against the devnet
registry: its catalogue is the registry's, and the price it computes for a chat request is the wallet's quote for
the same request. With no facilitator configured it still serves its free routes and refuses paid ones."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from provider.network import GatewayChain
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetStatus
from wallet.metering import ChatMessage
from wallet.quote import PromptInput, QuoteEngine

pytestmark = pytest.mark.chain
MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "name": "ada", "content": "Price this request: 東京 🚀 and some code `x = 1`."},
]


@pytest.fixture(scope="module")
def gateway(devnet: tuple[DataDir, DevnetStatus]) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "provider.main", "--provider-id", "1", "--port", str(port),
         "--data-dir", str(devnet[0].root)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError(f"gateway did not start: {proc.communicate()[0]}")
    yield url
    proc.terminate()
    proc.wait(10)


def test_health_and_catalogue_come_from_the_registry(gateway: str, gateway_chain: GatewayChain) -> None:
    health = httpx.get(f"{gateway}/health").json()
    provider = gateway_chain.registry().get_provider(1)
    assert {k: health[k] for k in ("status", "provider_id", "name", "demo")} == {
        "status": "ok", "provider_id": 1, "name": provider.name, "demo": True}
    models = httpx.get(f"{gateway}/v1/models").json()["data"]
    assert [(m["id"], m["encoding"], int(m["pricing"]["input_per_million"]), int(m["pricing"]["output_per_million"]),
             m["context_window"], m["max_output"]) for m in models] == [
        (m.model, m.encoding, m.input_price, m.output_price, m.context_window, m.max_output) for m in provider.models]


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-3.5-turbo"])
def test_gateway_price_equals_the_wallet_quote(gateway: str, gateway_chain: GatewayChain, model: str) -> None:
    r = httpx.post(f"{gateway}/v1/quote", json={"model": model, "messages": MESSAGES, "max_tokens": 333,
                                                "temperature": 0.2})
    assert r.status_code == 200, r.text
    body = r.json()
    prompt = PromptInput(tuple(ChatMessage(m["role"], m["content"], m.get("name")) for m in MESSAGES))
    q = QuoteEngine(gateway_chain.registry().list_providers).quote(1, model, prompt, 333)
    assert (body["input_tokens"], body["max_output_tokens"], int(body["price_base_units"])) == (
        q.input_tokens, 333, q.price_base_units)
    assert body["pay_to"] == gateway_chain.registry().get_provider(1).pay_to


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"model": "gpt-4o-mini", "messages": [], "max_tokens": 5}, 400, "no messages"),
        ({"model": "gpt-4o-mini", "messages": MESSAGES, "max_tokens": 0}, 400, "at least 1"),
        ({"model": "gpt-3.5-turbo", "messages": MESSAGES, "max_tokens": 99_999}, 400, "4,096"),
        ({"model": "no-such-model", "messages": MESSAGES, "max_tokens": 5}, 404, "does not offer"),
    ],
)
def test_bad_requests_get_clear_errors_never_a_price(gateway: str, payload: dict, status: int, words: str) -> None:
    r = httpx.post(f"{gateway}/v1/quote", json=payload)
    assert r.status_code == status
    assert words in r.text and "price_base_units" not in r.text


def test_without_a_facilitator_paid_requests_are_refused(gateway: str) -> None:
    r = httpx.post(f"{gateway}/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": MESSAGES,
                                                           "max_tokens": 5})
    assert r.status_code == 503 and "no payment facilitator" in r.json()["error"]["message"]
