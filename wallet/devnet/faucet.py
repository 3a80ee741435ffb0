"""The devnet faucet: free ETH and AIT for any address, on the local chain only."""

from __future__ import annotations

from eth_account import Account

from wallet.addresses import parse_address
from wallet.chain.client import ChainClient
from wallet.chain.contracts import AIToken
from wallet.devnet.demo import DEPLOYER_KEY, FAUCET_AIT, FAUCET_ETH
from wallet.errors import ConfigError, InvalidAmount
from wallet.networks import NetworkProfile
from wallet.units import ONE

MAX_ETH = 1000 * ONE  # anvil's dev accounts hold 10,000 ETH; the cap keeps a typo from draining them
MAX_AIT = 1_000_000 * ONE


def faucet(profile: NetworkProfile, address: str, eth: int = FAUCET_ETH, ait: int = FAUCET_AIT) -> dict[str, str]:
    """Send ``eth`` wei and mint ``ait`` base units to ``address``; returns the tx hashes."""
    if not profile.is_devnet:
        raise ConfigError("The faucet exists only on the local devnet.")
    to = parse_address(address)
    if eth > MAX_ETH or ait > MAX_AIT:
        raise InvalidAmount("The faucet gives at most 1,000 ETH and 1,000,000 AIT at a time.")
    client = ChainClient(profile)
    client.connect()
    admin = Account.from_key(DEPLOYER_KEY)
    out: dict[str, str] = {}
    if eth:
        out["eth_tx"] = client.send_and_confirm(admin, {"to": to, "value": eth}, "send devnet ETH").tx_hash
    if ait:
        out["ait_tx"] = AIToken(client, profile.contract("AIToken")).mint(admin, to, ait).tx_hash
    return out
