"""From a fresh data dir: `devnet up`, then `ai-wallet run … --yes` pays the demo provider from an account holding
AIT and no ETH and gets the answer; the quote, the 402 demand and the on-chain transfer agree to the base unit."""

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

        r = run_cli(data, "run", "--provider", "1", "--model", "gpt-4o-mini", "--max-output", "80",
                    "--prompt", "In one sentence: why pay per task?", "--yes", "--password-file", str(pw), "--json",
                    env=env, timeout=300)
        assert r.code == 0, r.err
        out = r.json()
        assert out["response"].strip() and out["usage"]["completion_tokens"] <= 80
        quote = int(out["quote"]["price_base_units"])
        assert quote == int(out["demand_base_units"]) == int(out["paid_base_units"]) > 0

        profile = DevnetManager(DataDir(data)).profile()
        client = ChainClient(profile)
        receipt = client.receipt(out["tx_hash"], "read the payment")
        assert receipt is not None and receipt.ok
        [transfer] = token_transfers(profile.contract("AIToken"), receipt.entries)
        assert (transfer.sender, transfer.recipient, transfer.value) == (address, out["pay_to"], quote)
        assert AIToken(client, profile.contract("AIToken")).balance_of(address) == 5 * 10**18 - quote
        assert client.eth_balance(address) == 0
    finally:
        assert run_cli(data, "devnet", "down", env=env, timeout=120).code == 0
