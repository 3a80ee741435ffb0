"""First-time deployment of the three contracts on the devnet, and the demo providers' registry entries."""

from __future__ import annotations

from eth_account import Account

from wallet.chain.client import ChainClient
from wallet.chain.contracts import AIToken, ProviderRegistry, load_artifact
from wallet.deployment import deploy_contracts
from wallet.devnet.demo import (
    DEMO_ACCOUNT_AIT,
    DEMO_ACCOUNT_KEY,
    DEMO_PROVIDERS,
    DEPLOYER_KEY,
    SALE_RATE,
)


def artifact_fingerprint() -> dict[str, str]:
    """Which compiled sources a deployment came from, so a stale deployment can be recognised."""
    return {n: str(load_artifact(n).get("sourceHash", "")) for n in ("AIToken", "ProviderRegistry", "TokenSale")}


def deploy_all(client: ChainClient) -> dict[str, str]:
    """Deploy AIToken, ProviderRegistry and TokenSale, wire roles, register and price the demo providers."""
    admin = Account.from_key(DEPLOYER_KEY)
    contracts, _ = deploy_contracts(client, admin, SALE_RATE)
    token_addr, registry_addr = contracts["AIToken"], contracts["ProviderRegistry"]

    token = AIToken(client, token_addr)
    token.grant_role(admin, "MINTER_ROLE", admin.address)  # the devnet faucet mints as admin
    token.mint(admin, Account.from_key(DEMO_ACCOUNT_KEY).address, DEMO_ACCOUNT_AIT)

    registry = ProviderRegistry(client, registry_addr)
    for demo in DEMO_PROVIDERS:
        owner = Account.from_key(demo.owner_key)
        pid = registry.register_provider(owner, demo.name, demo.endpoint, Account.from_key(demo.pay_to_key).address)
        for model in demo.models:
            registry.set_model_price(owner, pid, model)
        if demo.verified:
            registry.set_verified(admin, pid, True)
    return contracts
