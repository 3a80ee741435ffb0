"""Helpers for the payment tests: fresh payers holding AIT and no ETH, providers registered on the devnet."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount

from wallet.chain.client import ChainClient
from wallet.chain.contracts import AIToken, ProviderRegistry
from wallet.devnet.demo import DEPLOYER_KEY
from wallet.devnet.faucet import faucet
from wallet.networks import NetworkProfile
from wallet.registry import ModelPrice
from wallet.units import ONE

PLAIN_MODEL = ModelPrice("plain-4o", "o200k_base", 150 * 10**15, 600 * 10**15, 128_000, 4_096)


@dataclass
class Payer:
    account: LocalAccount

    @property
    def address(self) -> str:
        return self.account.address


def fresh_payer(profile: NetworkProfile, ait: int = 5 * ONE) -> Payer:
    """A new account holding ``ait`` and no ETH at all: payments must be gasless for it."""
    account = Account.create()
    faucet(profile, account.address, eth=0, ait=ait)
    return Payer(account)


def register_provider(profile: NetworkProfile, name: str, endpoint: str, pay_to: str,
                      models: tuple[ModelPrice, ...] = (PLAIN_MODEL,)) -> int:
    """Register a provider (owned by the devnet admin); returns its id."""
    client = ChainClient(profile)
    admin = Account.from_key(DEPLOYER_KEY)
    registry = ProviderRegistry(client, profile.contract("ProviderRegistry"))
    provider_id = registry.register_provider(admin, name, endpoint, pay_to)
    for m in models:
        registry.set_model_price(admin, provider_id, m)
    return provider_id


def ait_balance(profile: NetworkProfile, address: str) -> int:
    return AIToken(ChainClient(profile), profile.contract("AIToken")).balance_of(address)


def eth_balance(profile: NetworkProfile, address: str) -> int:
    return ChainClient(profile).eth_balance(address)


def flow_for(profile: NetworkProfile, db_path, payer: Payer, answer_timeout: float = 30.0, events=None):
    """A payment flow wired by hand (the service does the same with the wallet's keys)."""
    from x402.mechanisms.evm.signers import EthAccountSigner

    from wallet.payments.flow import PaymentFlow
    from wallet.payments.intents import IntentStore
    from wallet.payments.ledger import Ledger
    from wallet.payments.provider_http import ProviderHttp
    from wallet.quote import QuoteEngine
    from wallet.storage import Database

    client = ChainClient(profile)
    engine = QuoteEngine(ProviderRegistry(client, profile.contract("ProviderRegistry")).list_providers)

    def quote(task, account):
        provider, _ = engine.find(task.provider_id, task.model)
        return provider, engine.quote(task.provider_id, task.model, task.prompt, task.max_output)

    account = getattr(payer, "account", payer)  # a Payer or a bare LocalAccount

    def signer(address):
        assert address == account.address
        return EthAccountSigner(account)

    return PaymentFlow(chain_id=profile.chain_id, ledger=Ledger(client, profile.contract("AIToken")),
        store=IntentStore(Database(db_path)),
        http=ProviderHttp(answer_timeout), quote=quote, signer=signer,
        publish=(events.append if events is not None else (lambda e: None)))


def cli_wallet(tmp_path, profile: NetworkProfile, payer: Payer):
    """A fresh data dir whose network "chain" is the devnet, holding ``payer``'s key (file vault); returns
    (data dir, the --password-file path, environment)."""
    import os

    from clirun import run_cli

    from wallet.config import DataDir
    from wallet.networks import save_custom_profile

    data = tmp_path / "wallet-data"
    save_custom_profile(DataDir(data), NetworkProfile("chain", profile.chain_id, profile.rpc_url,
                                                      dict(profile.contracts)))
    pw = tmp_path / "pw"
    pw.write_text("correct horse battery staple\n")
    key = tmp_path / "key"
    key.write_text(getattr(payer, "account", payer).key.hex() + "\n")
    env = {**os.environ, "AI_WALLET_KEYRING": "file"}
    r = run_cli(data, "account", "import", "--private-key-file", str(key), "--password-file", str(pw),
                "--network", "chain", env=env)
    key.unlink()
    assert r.code == 0, r.err
    return data, pw, env


def token_of(chain) -> AIToken:  # a provider.network.GatewayChain
    return AIToken(chain.client, chain.token_address)


@dataclass
class Served:
    provider_id: int
    pay_to: str
    gateway: object  # gatewaykit.RunningGateway


def serve_provider(chain, start_gateway, misbehaviour=None) -> Served:
    """A provider of this test's own, served by a real gateway (made to misbehave if asked), its registry
    endpoint pointing at that gateway."""
    from gatewaykit import TEST_MODELS, register_provider
    from provider.register import register

    provider_id, owner, pay_to = register_provider(chain)
    gateway = start_gateway(provider_id, misbehaviour=misbehaviour)
    register(chain, owner, name="Test AI", endpoint=gateway.url, pay_to=pay_to.address, models=list(TEST_MODELS),
             provider_id=provider_id)
    return Served(provider_id, pay_to.address, gateway)


def anvil_mine(chain, until, timeout: float = 60.0) -> None:
    """Mine empty blocks (no time travel) until ``until(latest block timestamp)`` holds: the chain's clock only
    moves when a block is made."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        chain.client.w3.provider.make_request("evm_mine", [])
        if until(chain.client.latest_timestamp()):
            return
        assert time.monotonic() < deadline, "the chain's clock did not get there"
        time.sleep(0.2)
