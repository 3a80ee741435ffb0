"""`WalletService`: the one facade the GUI and the CLI call. Blocking and thread-safe.

It owns the data dir, the selected network profile and (lazily, since web3 is a heavy import) the chain
client. Background threads, Qt signals and progress belong to the GUI; this class only does the work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wallet.addresses import parse_address
from wallet.config import DataDir, Settings
from wallet.networks import NetworkProfile, get_profile
from wallet.registry import ProviderInfo
from wallet.units import format_amount

if TYPE_CHECKING:
    from wallet.chain.client import ChainClient
    from wallet.devnet.manager import DevnetManager, DevnetStatus


@dataclass(frozen=True)
class Balances:
    address: str
    eth: int  # wei
    ait: int  # AIT base units

    def to_json(self) -> dict[str, str]:
        return {"address": self.address, "eth": format_amount(self.eth), "ait": format_amount(self.ait)}


class WalletService:
    def __init__(self, data_dir: DataDir, *, network: str | None = None) -> None:
        self.data_dir = data_dir
        self.settings = Settings.load(data_dir)
        self.network_name = network or self.settings.network
        self._lock = threading.RLock()
        self._client: ChainClient | None = None
        self._profile: NetworkProfile | None = None

    def close(self) -> None:
        with self._lock:
            self._client = None

    # --- network ---
    @property
    def profile(self) -> NetworkProfile:
        with self._lock:
            if self._profile is None:
                profile = get_profile(self.data_dir, self.network_name)
                if profile.is_devnet:
                    dev = self.devnet.profile()
                    # networks.json may pin devnet addresses; the local deployment record wins otherwise.
                    profile = dev.with_contracts({**dev.contracts, **profile.contracts})
                self._profile = profile
            return self._profile

    def reload_profile(self) -> NetworkProfile:
        with self._lock:
            self._profile = None
            self._client = None
        return self.profile

    @property
    def chain(self) -> ChainClient:
        with self._lock:
            if self._client is None:
                from wallet.chain.client import ChainClient

                self._client = ChainClient(self.profile)
            return self._client

    def connect(self) -> int:
        return self.chain.connect()

    def block_number(self) -> int:
        return self.chain.block_number()

    # --- devnet ---
    @property
    def devnet(self) -> DevnetManager:
        from wallet.devnet.manager import DevnetManager

        return DevnetManager(self.data_dir)

    def devnet_up(self, port: int | None = None) -> tuple[DevnetStatus, bool]:
        status, started = self.devnet.up(port)
        self.reload_profile()
        return status, started

    def devnet_down(self) -> bool:
        stopped = self.devnet.down()
        self.reload_profile()
        return stopped

    def devnet_faucet(self, address: str, eth: int, ait: int) -> dict[str, str]:
        from wallet.devnet.faucet import faucet

        return faucet(self.profile, address, eth, ait)

    # --- balances and tokens ---
    def _token(self):
        from wallet.chain.contracts import AIToken

        return AIToken(self.chain, self.profile.contract("AIToken"))

    def eth_balance(self, address: str) -> int:
        return self.chain.eth_balance(address)

    def ait_balance(self, address: str) -> int:
        return self._token().balance_of(address)

    def balances(self, address: str) -> Balances:
        addr = parse_address(address, allow_zero=True)
        return Balances(addr, self.eth_balance(addr), self.ait_balance(addr))

    # --- providers ---
    def list_providers(self, *, include_inactive: bool = False) -> list[ProviderInfo]:
        from wallet.chain.contracts import ProviderRegistry

        registry = ProviderRegistry(self.chain, self.profile.contract("ProviderRegistry"))
        return registry.list_providers(include_inactive=include_inactive)
