"""`HistoryService`: the history sub-service. Blocking and thread-safe.

What the facade forwards:

* ``sync()`` — read new blocks (and drop what a reorg took away); publishes ``HistoryChanged``,
  ``TransferReceived`` for each new incoming transfer, and ``HistorySyncProgress``;
* ``page(filter, offset, limit)`` → ``HistoryPage`` (rows newest first, and the filter's total) — the paged
  query a table model calls for the rows it shows; ``count(filter)``; ``row(id)`` for a details pane;
* ``spend(by, filter)`` → ``[SpendBucket]`` by provider, model, day or week; ``spend_series(period, filter)``
  → ``[SpendPoint]`` per provider per day or week, for a chart;
* ``export_csv(path, filter)``;
* ``records_changed(keys)`` — called by a sub-service that changed its records (a send, a payment intent);
* ``add_source(source)`` — a sub-service that keeps records joins the history (see ``wallet.history.sources``).

It reads the chain through ``network`` (anything with ``profile()`` and ``chain()``, as ``NetworkService``);
``follower()`` is the background thread the facade wakes with each range of new blocks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from wallet.config import DataDir, Settings
from wallet.errors import WalletError
from wallet.events import EventBus, HistoryChanged, HistorySyncProgress, ProvidersChanged, TransferReceived
from wallet.history import query
from wallet.history.model import HistoryFilter, HistoryPage, HistoryRow, SpendBucket, SpendPoint
from wallet.history.sources import RecordSource
from wallet.storage import Database

if TYPE_CHECKING:
    from wallet.chain.client import ChainClient
    from wallet.history.merge import MergeContext
    from wallet.history.sync import ReorgHook, SyncReport
    from wallet.networks import NetworkProfile
    from wallet.registry import ProviderInfo

log = logging.getLogger(__name__)


def database_marker(data_dir: DataDir, settings: Settings) -> Callable[[str | None], str | None]:
    """Read (None) or write the id of the database the wallet last used, kept in the settings: a database
    created while the settings remember another one means the old one was deleted."""

    def marker(value: str | None) -> str | None:
        if value is not None:
            settings.extra[DATABASE_ID_SETTING] = value
            settings.save(data_dir)
        found = settings.extra.get(DATABASE_ID_SETTING)
        return found if isinstance(found, str) else None

    return marker


class ChainAccess(Protocol):
    """What the money sub-services need of the network in use (``NetworkService`` is one)."""

    def profile(self) -> NetworkProfile: ...

    def chain(self) -> ChainClient: ...

DATABASE_ID_SETTING = "database_id"
LOG_CHUNK = 5_000
LOST_WITH_DATABASE = (
    "The wallet's database was missing, so the history was rebuilt from the chain. The chain holds every "
    "AIT transfer, top-up, payment and faucet grant and each transaction the accounts sent; what only this "
    "wallet knew is lost: the task behind each payment (provider, model, tokens, quote, maximum, response, "
    "receipt, dispute evidence), transactions that never reached a block (pending, replaced, expired, refused) "
    "and the labels of sends and faucet grants."
)


class HistoryService:
    def __init__(self, db: Database, network: ChainAccess, bus: EventBus, *, accounts: Callable[[], list[str]],
                 providers: Callable[[], list[ProviderInfo]],
                 database_marker: Callable[[str | None], str | None]) -> None:
        self._db = db
        self._network = network
        self._accounts = accounts
        self._bus = bus
        self._providers = providers
        self._payees: dict[int, dict[str, str]] = {}
        self._marker = database_marker  # settings: read (None) or write the database's id
        bus.subscribe(self._on_event)
        self._sources: list[RecordSource] = []
        self._reorg_hooks: list[ReorgHook] = []
        self._sync_lock = threading.Lock()
        self._checked_identity = False
        self.notes: list[str] = []
        self.chunk = LOG_CHUNK  # blocks per eth_getLogs; halved by itself when a node refuses a range

    def add_source(self, source: RecordSource, reorg_hook: ReorgHook | None = None) -> None:
        self._sources.append(source)
        if reorg_hook is not None:
            self._reorg_hooks.append(reorg_hook)

    @property
    def chain_id(self) -> int:
        return self._network.profile().chain_id

    def merge_context(self) -> MergeContext:
        from wallet.devnet.demo import DEPLOYER_ADDRESS
        from wallet.history.merge import MergeContext

        profile = self._network.profile()
        return MergeContext(devnet=profile.is_devnet,
                            faucet_senders=frozenset({DEPLOYER_ADDRESS}) if profile.is_devnet else frozenset(),
                            payees=self._payees_of(profile.chain_id))

    def _payees_of(self, chain_id: int) -> dict[str, str]:
        """payTo → provider name from the registry, so a payment found on the chain names its provider."""
        if chain_id not in self._payees:
            try:
                self._payees[chain_id] = {p.pay_to: p.name for p in self._providers()}
            except WalletError as e:
                log.info("provider names unavailable for the history: %s", e.user_message)
                return {}
        return self._payees[chain_id]

    def _on_event(self, event: object) -> None:
        if isinstance(event, ProvidersChanged):  # the registry changed: names are looked up again
            self._payees.clear()
            return
        keys = [k for source in self._sources if hasattr(source, "keys_for") for k in source.keys_for(event)]
        if keys:
            self.records_changed(keys)

    def _catch_up_records(self, chain_id: int) -> None:
        """Recompute the records their sources say changed since the last sync (see ``sources``)."""
        import time

        mark = f"history.records_seen.{chain_id}"
        now = int(time.time())
        with self._db.write() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (mark,)).fetchone()
            since = int(row[0]) if row else 0
            keys = [k for source in self._sources if hasattr(source, "changed_since")
                    for k in source.changed_since(conn, chain_id, since)]
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                         "excluded.value", (mark, str(now - 1)))  # a second's overlap: a change never falls between
        if keys:
            self.records_changed(keys)

    # --- syncing ---
    def sync(self, *, on_progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Bring the history of every account of the wallet up to the chain's head (one sync at a time)."""
        from wallet.chain.rpc import RawRpc
        from wallet.history.sync import HistorySync

        self._check_identity()
        profile = self._network.profile()
        self._catch_up_records(profile.chain_id)
        client = self._network.chain()
        client.connect()

        def progress(block: int, head: int) -> None:
            self._bus.publish(HistorySyncProgress(block, head))
            if on_progress is not None:
                on_progress(block, head)

        with self._sync_lock:
            syncer = HistorySync(
                self._db, RawRpc(client), profile.chain_id, token=profile.contract("AIToken"),
                sale=profile.contracts.get("TokenSale"), sources=self._sources, context=self.merge_context,
                start_block=profile.start_block, chunk=self.chunk, reorg_hooks=self._reorg_hooks)
            report = syncer.run(self._accounts(), on_progress=progress)
        report.notes = self.notes + report.notes
        if report.changed:
            self._bus.publish(HistoryChanged(profile.chain_id))
        for f in report.incoming:
            self._bus.publish(TransferReceived(f.account, f.asset, f.amount, f.counterparty, f.tx_hash))
        return report

    def _check_identity(self) -> None:
        """A database created while the settings remember another one means the old one was deleted (or
        moved): the rebuilt history lacks what only the wallet knew, and the user is told so."""
        if self._checked_identity:
            return
        import secrets

        with self._db.write() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (DATABASE_ID_SETTING,)).fetchone()
            if row is None:
                conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)",
                             (DATABASE_ID_SETTING, secrets.token_hex(8)))
                row = conn.execute("SELECT value FROM meta WHERE key = ?", (DATABASE_ID_SETTING,)).fetchone()
        current = str(row[0])
        remembered = self._marker(None)
        if remembered is not None and remembered != current:
            self.notes.append(LOST_WITH_DATABASE)
        if remembered != current:
            self._marker(current)
        self._checked_identity = True

    def records_changed(self, keys: list[str]) -> None:
        from wallet.history import merge

        if not keys:
            return
        with self._db.write() as conn:
            merge.refresh(conn, self.chain_id, self._sources, self.merge_context(), record_keys=keys)
        self._bus.publish(HistoryChanged(self.chain_id))

    def rebuild_rows(self) -> int:
        """Recompute every row from the stored facts and records (after a change of the merge rules)."""
        from wallet.history import merge

        with self._db.write() as conn:
            n = merge.rebuild_all(conn, self.chain_id, self._sources, self.merge_context())
        self._bus.publish(HistoryChanged(self.chain_id))
        return n

    # --- reading ---
    def default_filter(self, f: HistoryFilter | None = None) -> HistoryFilter:
        """Without accounts named, the wallet's own accounts (none: nothing to show)."""
        f = f or HistoryFilter()
        if f.accounts:
            return f
        from dataclasses import replace

        return replace(f, accounts=tuple(self._accounts()) or ("(no account)",))

    def page(self, f: HistoryFilter | None = None, offset: int = 0, limit: int = 100) -> HistoryPage:
        with self._db.read() as conn:
            return query.page(conn, self.chain_id, self.default_filter(f), offset, limit)

    def count(self, f: HistoryFilter | None = None) -> int:
        with self._db.read() as conn:
            return query.count(conn, self.chain_id, self.default_filter(f))

    def row(self, row_id: int) -> HistoryRow | None:
        with self._db.read() as conn:
            return query.row_by_id(conn, row_id)

    def rows(self, f: HistoryFilter | None = None) -> list[HistoryRow]:
        with self._db.read() as conn:
            return list(query.iter_rows(conn, self.chain_id, self.default_filter(f)))

    def spend(self, by: str = "provider", f: HistoryFilter | None = None) -> list[SpendBucket]:
        with self._db.read() as conn:
            return query.spend(conn, self.chain_id, by, self.default_filter(f))

    def spend_series(self, period: str = "day", f: HistoryFilter | None = None) -> list[SpendPoint]:
        with self._db.read() as conn:
            return query.spend_series(conn, self.chain_id, period, self.default_filter(f))

    def export_csv(self, path: Path, f: HistoryFilter | None = None) -> int:
        from wallet.history.export import write_csv

        with self._db.read() as conn:
            return write_csv(path, query.iter_rows(conn, self.chain_id, self.default_filter(f)))
