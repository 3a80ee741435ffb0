"""Quotes priced from a real registry on anvil: the devnet's demo price sheet, the CLI, and a price update."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from chainkit import Chain

from wallet.chain.client import ChainClient
from wallet.chain.contracts import ProviderRegistry
from wallet.config import DataDir
from wallet.devnet.demo import DEMO_PROVIDERS
from wallet.devnet.manager import DevnetStatus
from wallet.errors import QuoteError
from wallet.metering import ceil_div, count_tokens
from wallet.networks import NetworkProfile
from wallet.quote import PromptInput, QuoteEngine
from wallet.registry import ModelPrice
from wallet.service import WalletService

pytestmark = pytest.mark.chain

TASK = PromptInput.text("Summarise the attached report in three bullet points.", system="Be brief.")


def expected_price(m: ModelPrice, input_tokens: int, max_output: int) -> int:
    return ceil_div(input_tokens * m.input_price + max_output * m.output_price, 1_000_000)


def test_demo_price_sheet_quotes(devnet: tuple[DataDir, DevnetStatus]) -> None:
    service = WalletService(devnet[0], network="devnet")
    try:
        engine = QuoteEngine(service.list_providers)
        sheet = {p.name: p for p in engine.providers()}
        for demo in DEMO_PROVIDERS:
            assert sheet[demo.name].models == demo.models
            assert sheet[demo.name].verified is demo.verified
        demo_ai = sheet["Demo AI"]
        q = engine.quote(demo_ai.id, "gpt-4o-mini", TASK, 500)
        system, user = (count_tokens(m.content, "o200k_base") for m in TASK.messages)
        assert q.input_tokens == (3 + 1 + system) + (3 + 1 + user) + 3  # OpenAI's chat framing
        assert q.price_base_units == expected_price(demo_ai.model("gpt-4o-mini"), q.input_tokens, 500)

        result = engine.compare(TASK, 5000)
        prices = [q.price_base_units for q in result]
        assert prices == sorted(prices) and len(result) == 3
        # gpt-3.5-turbo and gpt-4 cap output at 4,096 tokens.
        assert {(r.provider_name, r.model) for r in result.refusals} == {
            ("Demo AI", "gpt-3.5-turbo"), ("Budget AI", "gpt-4")}
    finally:
        service.close()


def test_cli_against_the_devnet(devnet: tuple[DataDir, DevnetStatus]) -> None:
    base = [sys.executable, "-m", "wallet.cli.main", "--data-dir", str(devnet[0].root), "--network", "devnet"]
    out = subprocess.run([*base, "providers", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    providers = json.loads(out.stdout)
    assert [p["name"] for p in providers][:2] == ["Demo AI", "Budget AI"]
    out = subprocess.run([*base, "quote", "--compare", "--max-output", "100", "--prompt", "Hello, world!",
                          "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    quotes = json.loads(out.stdout)["quotes"]
    assert quotes and all(q["input_tokens"] == 11 for q in quotes)
    cheapest = quotes[0]
    argv = ["quote", "--provider", str(cheapest["provider"]), "--model", cheapest["model"],
            "--max-output", "100", "--prompt", "Hello, world!", "--json"]
    out = subprocess.run([*base, *argv], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["price_base_units"] == cheapest["price_base_units"]


def test_quote_follows_a_price_update(chain: Chain) -> None:
    profile = NetworkProfile("test", 31337, chain.w3.provider.endpoint_uri,  # type: ignore[attr-defined]
                             {"ProviderRegistry": chain.registry.address}, is_devnet=True)
    client = ChainClient(profile)
    client.connect()
    registry = ProviderRegistry(client, chain.registry.address)
    pid = registry.register_provider(chain.bob, "Bob's models", "http://127.0.0.1:9999", chain.carol.address)
    old = ModelPrice("gpt-4o", "o200k_base", 2_500_000, 10_000_000, 128_000, 16_384)
    registry.set_model_price(chain.bob, pid, old)

    engine = QuoteEngine(registry.list_providers)
    before = engine.quote(pid, "gpt-4o", TASK, 1000)
    assert before.price_base_units == expected_price(old, before.input_tokens, 1000)

    new = ModelPrice("gpt-4o", "o200k_base", 3_000_001, 12_000_000, 128_000, 16_384)
    registry.set_model_price(chain.bob, pid, new)
    assert engine.quote(pid, "gpt-4o", TASK, 1000) == before   # the cached sheet, until told otherwise
    engine.invalidate()                                         # what the registry-event watcher will call
    after = engine.quote(pid, "gpt-4o", TASK, 1000)
    assert after.price_base_units == expected_price(new, after.input_tokens, 1000) > before.price_base_units

    registry.set_model_price(chain.bob, pid, ModelPrice("gpt-4o", "o200k_base", 0, 0, 128_000, 16_384))
    engine.invalidate()
    with pytest.raises(QuoteError, match="no price set"):
        engine.quote(pid, "gpt-4o", TASK, 1000)
