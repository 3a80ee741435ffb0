"""From a fresh data dir: `devnet up`, then `ai-wallet run … --yes` pays the demo provider from an account holding
AIT and no ETH and gets the answer. Metered (the default, the demo providers offer it): the account is charged, to
the base unit, the metering rule on the tokens actually generated, counted here independently. Exact: the quote,
the 402 demand and the on-chain transfer agree to the base unit. `payments` shows the maximum against the charge."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clirun import run_cli

from wallet.chain.client import ChainClient
from wallet.chain.contracts import AIToken, token_transfers
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetManager
from wallet.metering import count_tokens, price_for

pytestmark = pytest.mark.chain


def test_devnet_up_then_run_pays_the_demo_provider_gaslessly(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    env = {**os.environ, "AI_WALLET_KEYRING": "file"}
    pw = tmp_path / "pw"
    pw.write_text("a long enough password\n")
    up = run_cli(data, "devnet", "up", "--port", str(free_port()), env=env, timeout=300)
    assert up.code == 0, up.err
    try:
        assert run_cli(data, "account", "create", "--password-file", str(pw), env=env).code == 0
        [account] = run_cli(data, "account", "list", "--json", env=env).json()
        address = account["address"]
        assert run_cli(data, "devnet", "faucet", address, "--ait", "5", "--eth", "0", env=env).code == 0
        assert run_cli(data, "balance", address, "--json", env=env).json()["eth"] == "0"

        profile = DevnetManager(DataDir(data)).profile()
        client = ChainClient(profile)
        token = AIToken(client, profile.contract("AIToken"))

        def paid_on_chain(out: dict) -> int:
            receipt = client.receipt(out["tx_hash"], "read the payment")
            assert receipt is not None and receipt.ok
            [transfer] = token_transfers(profile.contract("AIToken"), receipt.entries)
            assert (transfer.sender, transfer.recipient) == (address, out["pay_to"])
            return transfer.value

        metered = run_cli(data, "run", "--provider", "1", "--model", "gpt-4o-mini", "--max-output", "1000",
                          "--prompt", "In one sentence: why pay per task?", "--yes", "--password-file", str(pw),
                          "--json", env=env, timeout=300)
        assert metered.code == 0, metered.err
        out = metered.json()
        assert out["scheme"] == "upto" and out["status"] == "settled" and out["receipt"]["signature"]
        q = out["quote"]
        maximum = int(q["price_base_units"])
        assert maximum == int(out["max_base_units"]) == int(out["demand_base_units"])
        generated = count_tokens(out["response"], q["encoding"])
        assert generated == out["output_tokens"] == out["usage"]["completion_tokens"] < 1000
        price = next(m for m in client_models(profile) if m.model == "gpt-4o-mini")
        rule = price_for(q["input_tokens"], generated, price.input_price, price.output_price)
        assert int(out["paid_base_units"]) == rule == paid_on_chain(out) < maximum
        assert int(out["expected"]["max_base_units"]) == maximum

        exact = run_cli(data, "run", "--provider", "1", "--model", "gpt-4o-mini", "--max-output", "80",
                        "--prompt", "In one sentence: why pay per task?", "--scheme", "exact", "--yes",
                        "--password-file", str(pw), "--json", env=env, timeout=300)
        assert exact.code == 0, exact.err
        out2 = exact.json()
        assert out2["response"].strip() and out2["usage"]["completion_tokens"] <= 80 and out2["scheme"] == "exact"
        quote = int(out2["quote"]["price_base_units"])
        assert quote == int(out2["demand_base_units"]) == int(out2["paid_base_units"]) == paid_on_chain(out2) > 0

        assert token.balance_of(address) == 5 * 10**18 - rule - quote
        assert client.eth_balance(address) == 0

        listed = run_cli(data, "payments", "--json", env=env).json()
        assert [(p["scheme"], p["charged_base_units"], p["authorized_base_units"], p["output_tokens"])
                for p in listed] == [("exact", str(quote), str(quote), out2["output_tokens"]),
                                     ("upto", str(rule), str(maximum), generated)]
        table = run_cli(data, "payments", env=env).out
        assert "max AIT" in table and "(metered)" in table and f"/{generated:,}/1,000" in table
    finally:
        assert run_cli(data, "devnet", "down", env=env, timeout=120).code == 0


def client_models(profile):  # the demo provider's registry entry, as the wallet reads it
    from wallet.chain.contracts import ProviderRegistry

    return ProviderRegistry(ChainClient(profile), profile.contract("ProviderRegistry")).get_provider(1).models
