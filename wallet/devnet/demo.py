"""What the embedded devnet is seeded with: well-known dev accounts, the sale rate and demo price sheets.

The dev accounts come from anvil's public development mnemonic: they exist only on a local chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.registry import ModelPrice
from wallet.units import ONE

# anvil's public development keys (index 0..5 of its well-known mnemonic).
DEV_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
)
DEPLOYER_KEY = DEV_KEYS[0]  # admin, curator, faucet minter
DEPLOYER_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # of DEPLOYER_KEY: the faucet's sender
# Funds each new facilitator key with gas money; an account of its own, so its transactions never race the
# faucet's for a nonce when the app and a CLI command use the devnet at once.
FACILITATOR_FUNDER_KEY = DEV_KEYS[5]
FACILITATOR_ETH = 10 * ONE
DEMO_ACCOUNT_KEY = DEV_KEYS[0]  # the funded account `ai-wallet` shows before a wallet exists
SALE_RATE = 1000 * ONE  # AIT base units per 1 ETH: 1 ETH buys 1000 AIT
DEMO_ACCOUNT_AIT = 1000 * ONE
FAUCET_ETH = 1 * ONE  # what one press of the devnet faucet gives
FAUCET_AIT = 100 * ONE
MICRO = ONE // 100  # 0.01 AIT, so prices below read as "15 × 0.01 = 0.15 AIT"


def per_million(hundredths: int) -> int:
    """A price per 1M tokens given in hundredths of an AIT (integers only: 15 → 0.15 AIT)."""
    return hundredths * MICRO


@dataclass(frozen=True)
class DemoProvider:
    name: str
    endpoint: str
    owner_key: str
    pay_to_key: str
    verified: bool
    models: tuple[ModelPrice, ...]


DEMO_PROVIDERS = (
    DemoProvider(
        name="Demo AI",
        endpoint="http://127.0.0.1:8402",
        owner_key=DEV_KEYS[1],
        pay_to_key=DEV_KEYS[2],
        verified=True,
        models=(
            ModelPrice("gpt-4o-mini", "o200k_base", per_million(15), per_million(60), 128_000, 16_384),
            ModelPrice("gpt-4.1", "o200k_base", per_million(200), per_million(800), 1_047_576, 32_768),
            ModelPrice("gpt-3.5-turbo", "cl100k_base", per_million(50), per_million(150), 16_385, 4_096),
        ),
    ),
    DemoProvider(
        name="Budget AI",
        endpoint="http://127.0.0.1:8403",
        owner_key=DEV_KEYS[3],
        pay_to_key=DEV_KEYS[4],
        verified=False,
        models=(
            ModelPrice("gpt-4o-mini", "o200k_base", per_million(12), per_million(70), 128_000, 16_384),
            ModelPrice("gpt-4", "cl100k_base", per_million(3000), per_million(6000), 8_192, 4_096),
        ),
    ),
)
