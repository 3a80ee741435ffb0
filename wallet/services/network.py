"""The network the wallet works on: its profile, the chain client for it, balances, and the watcher following it.

A switch — another network, or the same one somewhere else (the devnet restarted on another port, a custom
network's RPC address edited) — drops the client and the watcher's memory of the old chain first, then is
announced with ``NetworkSwitched``; reads of the old network that finish after it are not published.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wallet.addresses import parse_address
from wallet.config import DataDir, Settings
from wallet.errors import ConfigError
from wallet.events import AccountSelected, BalancesChanged, EventBus, NetworkSwitched, SettingsChanged
from wallet.networks import NetworkProfile, get_profile, load_profiles, save_custom_profile
from wallet.units import format_amount
from wallet.watcher import BlockFollower, ChainWatcher

if TYPE_CHECKING:
    from wallet.chain.client import ChainClient
    from wallet.chain.contracts import AIToken, ProviderRegistry


@dataclass(frozen=True)
class Balances:
    address: str
    eth: int  # wei
    ait: int  # AIT base units

    def to_json(self) -> dict[str, str]:
        return {"address": self.address, "eth": format_amount(self.eth), "ait": format_amount(self.ait)}


class NetworkService:
    def __init__(self, data_dir: DataDir, settings: Settings, bus: EventBus, name: str) -> None:
        self._data_dir = data_dir
        self._settings = settings
        self._bus = bus
        self._lock = threading.RLock()
        self._name = name
        self._profile: NetworkProfile | None = None
        self._client: ChainClient | None = None
        self._generation = 0  # one per network used; a read of an older one is never published
        self._watcher = ChainWatcher(bus, self.block_number, self._balance_pair)
        bus.subscribe(self._on_event)

    def _on_event(self, event: object) -> None:
        if isinstance(event, AccountSelected):
            self._watcher.watch_address(event.address)

    # --- profiles ---
    @property
    def name(self) -> str:
        return self._name

    def profile(self) -> NetworkProfile:
        from wallet.devnet.manager import network_profile

        with self._lock:
            if self._profile is None:
                self._profile = network_profile(self._data_dir, self._name)
            return self._profile

    def reload(self) -> NetworkProfile:
        """Read the profile again (the devnet started, a custom network was edited); if it changed, that is a
        switch."""
        from wallet.devnet.manager import network_profile

        with self._lock:
            old = self._profile
            new = network_profile(self._data_dir, self._name)
            if new == old:
                return new
            self._use(new)
        self._switched(new, announce=old is not None)  # nothing was read from a profile never loaded
        return new

    def switch(self, name: str) -> NetworkProfile:
        """Make ``name`` the network of this service and of the next start."""
        from wallet.devnet.manager import network_profile

        new = network_profile(self._data_dir, name)  # refuses an unknown name before anything changes
        self._settings.network = name
        self._settings.save(self._data_dir)
        with self._lock:
            self._name = name
            self._use(new)
        self._switched(new)
        return new

    def _use(self, profile: NetworkProfile) -> None:
        """Under the lock: from now on every read goes to ``profile``'s network."""
        self._profile = profile
        self._client = None
        self._generation += 1

    def _switched(self, profile: NetworkProfile, *, announce: bool = True) -> None:
        # The announcement is made inside the watcher's reset, so the watcher's first events of the new network
        # can only follow it: a screen that clears on NetworkSwitched is never left blank after them.
        event = NetworkSwitched(profile.name, profile.chain_id, profile.is_devnet)
        self._watcher.reset(then=(lambda: self._bus.publish(event)) if announce else None)

    def names(self) -> list[str]:
        return sorted(load_profiles(self._data_dir))

    def profile_named(self, name: str) -> NetworkProfile:
        return get_profile(self._data_dir, name)

    def save(self, profile: NetworkProfile) -> None:
        if profile.name == "devnet":
            raise ConfigError("The devnet profile is managed by the wallet; add a custom network instead.")
        save_custom_profile(self._data_dir, profile)
        self._bus.publish(SettingsChanged("networks"))
        if profile.name == self._name:
            self.reload()

    def import_file(self, path: Path, name: str | None = None, *, use: bool = False) -> NetworkProfile:
        """A profile file from ``ai-wallet contracts deploy``, checked against its chain, saved (and used)."""
        from wallet.deployment import import_profile

        profile = import_profile(path, name)
        self.save(profile)
        return self.switch(profile.name) if use else profile

    # --- the chain (for the core's own use: the facade never hands these out) ---
    def chain(self) -> ChainClient:
        # web3 takes a second or two to import: do it outside the lock, so the GUI thread's quick reads
        # (profile, settings) never wait for it.
        from wallet.chain.client import ChainClient

        with self._lock:
            if self._client is None:
                self._client = ChainClient(self.profile())
            return self._client

    def token(self) -> AIToken:
        from wallet.chain.contracts import AIToken

        return AIToken(self.chain(), self.profile().contract("AIToken"))

    def registry(self) -> ProviderRegistry:
        from wallet.chain.contracts import ProviderRegistry

        return ProviderRegistry(self.chain(), self.profile().contract("ProviderRegistry"))

    def connect(self) -> int:
        return self.chain().connect()

    def block_number(self) -> int:
        return self.chain().block_number()

    # --- balances ---
    def eth_balance(self, address: str) -> int:
        return self.chain().eth_balance(address)

    def ait_balance(self, address: str) -> int:
        return self.token().balance_of(address)

    def balances(self, address: str) -> Balances:
        addr = parse_address(address, allow_zero=True)
        return Balances(addr, self.eth_balance(addr), self.ait_balance(addr))

    def _balance_pair(self, address: str) -> tuple[int, int]:
        b = self.balances(address)
        return b.eth, b.ait

    def publish_balances(self, address: str) -> Balances:
        """Read balances now and tell subscribers — unless the network changed meanwhile."""
        generation = self._generation
        b = self.balances(address)
        with self._lock:
            if generation == self._generation:
                self._bus.publish(BalancesChanged(b.address, b.eth, b.ait))
        return b

    # --- following the chain ---
    def follow_blocks(self, follower: BlockFollower) -> Callable[[], None]:
        """``follower(first, last)`` for every range of new blocks on whichever network is in use; returns the
        function that stops it."""
        return self._watcher.subscribe(follower)

    def start_watching(self, address: str | None, interval: float) -> None:
        self._watcher.interval = interval
        if not self._watcher.running:
            self._watcher.watch_address(address)
        self._watcher.start()

    def stop_watching(self) -> None:
        self._watcher.stop()

    def watch_address(self, address: str | None) -> None:
        self._watcher.watch_address(address)

    def refresh_balances(self) -> None:
        self._watcher.refresh()

    def close(self) -> None:
        self.stop_watching()
        with self._lock:
            self._client = None
