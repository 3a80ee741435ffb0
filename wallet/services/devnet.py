"""The embedded local chain: start, stop, reset, status and the faucet.

Starting, stopping or resetting may move the devnet (another port, a fresh chain), so each re-reads the
network profile afterwards: when the devnet is the network in use, that is announced as a switch. The faucet
signs with the devnet's own well-known key, inside the core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wallet.config import DataDir

# Told of each faucet grant: (recipient, {asset: (tx hash, amount)}), so the history shows it.
GrantRecorder = Callable[[str, dict[str, tuple[str, int]]], None]

if TYPE_CHECKING:
    from wallet.devnet.manager import DevnetManager, DevnetStatus
    from wallet.services.network import NetworkService


class DevnetService:
    def __init__(self, data_dir: DataDir, network: NetworkService, on_grant: GrantRecorder | None = None) -> None:
        self._data_dir = data_dir
        self._network = network
        self._on_grant = on_grant

    def _manager(self) -> DevnetManager:
        from wallet.devnet.manager import DevnetManager

        return DevnetManager(self._data_dir)

    def status(self) -> DevnetStatus:
        return self._manager().status()

    def up(self, port: int | None = None, *, wait_for_services: bool = True) -> tuple[DevnetStatus, bool]:
        status, started = self._manager().up(port, wait_for_services=wait_for_services)
        self._network.reload()
        return status, started

    def down(self) -> bool:
        stopped = self._manager().down()
        self._network.reload()
        return stopped

    def reset(self) -> None:
        self._manager().reset()
        self._network.reload()

    @staticmethod
    def faucet_amounts() -> tuple[int, int]:
        """What one press of the faucet gives: (wei, AIT base units)."""
        from wallet.devnet.demo import FAUCET_AIT, FAUCET_ETH

        return FAUCET_ETH, FAUCET_AIT

    def faucet(self, address: str, eth: int | None = None, ait: int | None = None) -> dict[str, str]:
        """Send ``eth`` wei and mint ``ait`` base units to ``address`` (default: one press); the tx hashes."""
        from wallet.addresses import parse_address
        from wallet.devnet.faucet import faucet

        default_eth, default_ait = self.faucet_amounts()
        eth = default_eth if eth is None else eth
        ait = default_ait if ait is None else ait
        to = parse_address(address)
        out = faucet(self._network.profile(), to, eth, ait)
        if self._on_grant is not None:
            self._on_grant(to, {asset: (out[key], amount) for asset, key, amount in
                                (("ETH", "eth_tx", eth), ("AIT", "ait_tx", ait)) if key in out})
        return out
