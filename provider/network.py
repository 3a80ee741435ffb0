"""Which chain the gateway and its facilitator work on: the network profile, its contracts, its x402 name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wallet.chain.client import ChainClient
from wallet.chain.contracts import ProviderRegistry
from wallet.config import DataDir, Settings, default_data_dir
from wallet.networks import NetworkProfile

TOKEN_NAME = "AI Token"   # AIToken's EIP-712 domain: what a payer signs under
TOKEN_VERSION = "1"


def caip2(chain_id: int) -> str:
    """The x402 v2 network name of an EVM chain (CAIP-2)."""
    return f"eip155:{chain_id}"


def load_profile(data_dir: DataDir, network: str | None = None) -> NetworkProfile:
    """The profile ``network`` (default: the data dir's selected network), as the wallet of that data dir sees it."""
    from wallet.devnet.manager import network_profile

    return network_profile(data_dir, network or Settings.load(data_dir).network)


@dataclass(frozen=True)
class GatewayChain:
    """A connected chain with AIT and the registry, as the gateway and the facilitator see it."""

    profile: NetworkProfile
    client: ChainClient

    @classmethod
    def connect(cls, profile: NetworkProfile) -> GatewayChain:
        client = ChainClient(profile)
        client.connect()
        chain = cls(profile, client)
        chain.token_address  # noqa: B018 - refuse a profile without AIT before anything listens
        chain.registry_address  # noqa: B018
        return chain

    @classmethod
    def from_data_dir(cls, data_dir: str | Path | None, network: str | None) -> GatewayChain:
        root = Path(data_dir) if data_dir else default_data_dir()
        return cls.connect(load_profile(DataDir(root), network))

    @property
    def network(self) -> str:
        return caip2(self.profile.chain_id)

    @property
    def rpc_url(self) -> str:
        return self.profile.rpc_url

    @property
    def token_address(self) -> str:
        return self.profile.contract("AIToken")

    @property
    def registry_address(self) -> str:
        return self.profile.contract("ProviderRegistry")

    def registry(self) -> ProviderRegistry:
        return ProviderRegistry(self.client, self.registry_address)
