"""Helpers for the payment tests (on top of tests/gatewaykit.py): a payment flow wired by hand, a CLI wallet
holding a payer's key, providers served by real gateways (honest or not), and the chain's clock."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from wallet.chain.contracts import AIToken
from wallet.networks import NetworkProfile
from wallet.registry import ModelPrice

PLAIN_MODEL = ModelPrice("plain-4o", "o200k_base", 150 * 10**15, 600 * 10**15, 128_000, 4_096)


def token_of(chain: Any) -> AIToken:  # a provider.network.GatewayChain
    return AIToken(chain.client, chain.token_address)


def flow_for(profile: NetworkProfile, db_path: Path, account: LocalAccount, answer_timeout: float = 30.0,
             events: list[object] | None = None) -> Any:
    """A PaymentFlow wired by hand (the service wires the same parts with the wallet's own keys)."""
    from x402.mechanisms.evm.signers import EthAccountSigner

    from wallet.chain.client import ChainClient
    from wallet.chain.contracts import ProviderRegistry
    from wallet.payments.flow import PaymentFlow
    from wallet.payments.intents import IntentStore
    from wallet.payments.ledger import Ledger
    from wallet.payments.provider_http import ProviderHttp
    from wallet.quote import QuoteEngine
    from wallet.storage import Database

    client = ChainClient(profile)
    engine = QuoteEngine(ProviderRegistry(client, profile.contract("ProviderRegistry")).list_providers)

    def quote(task: Any, _account: str) -> Any:
        provider, _ = engine.find(task.provider_id, task.model)
        return provider, engine.quote(task.provider_id, task.model, task.prompt, task.max_output)

    def signer(address: str) -> EthAccountSigner:
        assert address == account.address
        return EthAccountSigner(account)

    return PaymentFlow(chain_id=profile.chain_id, ledger=Ledger(client, profile.contract("AIToken")),
                       store=IntentStore(Database(db_path)), http=ProviderHttp(answer_timeout), quote=quote,
                       signer=signer, publish=events.append if events is not None else (lambda _e: None))


def cli_wallet(tmp_path: Path, profile: NetworkProfile, account: LocalAccount) -> tuple[Path, Path, dict[str, str]]:
    """A fresh data dir whose network "chain" is ``profile``, holding ``account``'s key (file vault); returns
    (data dir, the --password-file path, environment)."""
    from clirun import run_cli

    from wallet.config import DataDir
    from wallet.networks import save_custom_profile

    data = tmp_path / "wallet-data"
    save_custom_profile(DataDir(data), NetworkProfile("chain", profile.chain_id, profile.rpc_url,
                                                      dict(profile.contracts)))
    pw = tmp_path / "pw"
    pw.write_text("correct horse battery staple\n")
    key = tmp_path / "key"
    key.write_text(account.key.hex() + "\n")
    env = {**os.environ, "AI_WALLET_KEYRING": "file"}
    r = run_cli(data, "account", "import", "--private-key-file", str(key), "--password-file", str(pw),
                "--network", "chain", env=env)
    key.unlink()
    assert r.code == 0, r.err
    return data, pw, env


@dataclass
class Served:
    provider_id: int
    pay_to: str
    gateway: Any  # gatewaykit.RunningGateway
    pay_to_key: LocalAccount | None = None


def serve_provider(chain: Any, start_gateway: Callable[..., Any], misbehaviour: Any = None, *,
                   settles_itself: bool = False) -> Served:
    """A provider of this test's own on ``chain``, served by a real gateway (made to misbehave if asked), its
    registry endpoint pointing at that gateway. ``settles_itself``: the gateway holds its payTo's key and settles
    metered payments on chain itself, bypassing its facilitator (``Misbehaviour.payee_key``)."""
    from dataclasses import replace

    from gatewaykit import TEST_MODELS, register_provider

    from provider.misbehaviour import Misbehaviour
    from provider.register import register

    provider_id, owner, pay_to = register_provider(chain)
    if settles_itself:
        misbehaviour = replace(misbehaviour or Misbehaviour(), payee_key=pay_to)
    gateway = start_gateway(provider_id, chain=chain, misbehaviour=misbehaviour, payees=(pay_to,))
    register(chain, owner, name="Test AI", endpoint=gateway.url, pay_to=pay_to.address, models=list(TEST_MODELS),
             provider_id=provider_id)
    return Served(provider_id, pay_to.address, gateway, pay_to)


def anvil_mine(chain: Any, until: Callable[[int], bool], timeout: float = 60.0) -> None:
    """Mine empty blocks (no time travel) until ``until(latest block timestamp)``: the chain's clock only moves
    when a block is made."""
    deadline = time.monotonic() + timeout
    while True:
        chain.client.w3.provider.make_request("evm_mine", [])
        if until(chain.client.latest_timestamp()):
            return
        assert time.monotonic() < deadline, "the chain's clock did not get there"
        time.sleep(0.2)
