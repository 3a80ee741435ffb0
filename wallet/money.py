"""Composing the money parts of the service: the history, transfers and their background follower.

``WalletService`` builds one ``MoneyParts`` for its data dir and hands it the few things it needs as
callables (network profile, chain client, accounts, signer), so neither part holds the service itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wallet.events import EventBus
from wallet.history.service import HistoryService
from wallet.storage import Database

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from wallet.chain.client import ChainClient
    from wallet.history.merge import MergeContext
    from wallet.history.sync import SyncReport
    from wallet.networks import NetworkProfile
    from wallet.registry import ProviderInfo
    from wallet.transfers.service import TransferService

log = logging.getLogger(__name__)


@dataclass
class MoneyParts:
    db: Database
    chain: Callable[[], ChainClient]
    profile: Callable[[], NetworkProfile]
    accounts: Callable[[], list[str]]
    signer_for: Callable[[str], LocalAccount]
    providers: Callable[[], list[ProviderInfo]]
    bus: EventBus
    database_marker: Callable[[str | None], str | None]
    _history: HistoryService | None = field(default=None, init=False)
    _transfers: TransferService | None = field(default=None, init=False)
    _payees: dict[int, dict[str, str]] = field(default_factory=dict, init=False)

    @property
    def history(self) -> HistoryService:
        if self._history is None:
            from wallet.transfers.records import TxRecordSource, reopen_after

            history = HistoryService(self.db, chain=self.chain, profile=self.profile, accounts=self.accounts,
                                     bus=self.bus, context=self.merge_context,
                                     database_marker=self.database_marker)
            history.add_source(TxRecordSource(), reopen_after)
            self._history = history
        return self._history

    @property
    def transfers(self) -> TransferService:
        if self._transfers is None:
            from wallet.transfers.service import TransferService

            self._transfers = TransferService(self.db, self.chain, self.profile, self.signer_for, self.accounts,
                                              self.history.records_changed, self.bus)
        return self._transfers

    def merge_context(self) -> MergeContext:
        from wallet.devnet.demo import DEPLOYER_ADDRESS
        from wallet.history.merge import MergeContext

        profile = self.profile()
        return MergeContext(devnet=profile.is_devnet,
                            faucet_senders=frozenset({DEPLOYER_ADDRESS}) if profile.is_devnet else frozenset(),
                            payees=self._payees_of(profile.chain_id))

    def _payees_of(self, chain_id: int) -> dict[str, str]:
        """payTo → provider name from the registry, so a payment found on the chain names its provider."""
        if chain_id not in self._payees:
            from wallet.errors import WalletError

            try:
                self._payees[chain_id] = {p.pay_to: p.name for p in self.providers()}
            except WalletError as e:
                log.info("provider names unavailable for the history: %s", e.user_message)
                return {}
        return self._payees[chain_id]

    def forget_providers(self) -> None:
        self._payees.clear()

    def catch_up(self) -> SyncReport:
        """Pending transactions first (their rows change status), then the chain's new blocks."""
        self.transfers.refresh()
        return self.history.sync()

    def record_faucet(self, recipient: str, grants: dict[str, tuple[str, int]]) -> None:
        """``grants``: asset → (tx hash, amount) of what the devnet faucet just gave ``recipient``."""
        from wallet.transfers.faucet_records import record_grant

        keys = [record_grant(self.db, self.chain(), recipient, asset, amount, tx_hash)
                for asset, (tx_hash, amount) in grants.items()]
        self.history.records_changed(keys)
