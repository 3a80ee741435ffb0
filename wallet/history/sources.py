"""Where the wallet's own records come from: a small interface each record-keeping part implements.

The history joins chain facts with ``WalletRecord``s. A part that keeps records (transactions the wallet
sent, payment intents, faucet grants) provides a ``RecordSource``; when it changes a record, the affected rows
are recomputed — either it calls ``HistoryService.records_changed(keys)`` itself, or its source says which
records an event it publishes concerns (``keys_for(event)``, optional). A source whose records carry a change
time may also offer ``changed_since(conn, chain_id, since)``: each sync then recomputes what changed since the
last one, so a change whose announcement was lost (a crash between the two) is never missed. That is the whole
contract: the history never reads another part's tables except through its source.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from wallet.history.model import WalletRecord


@dataclass(frozen=True)
class RecordSelector:
    """Which records to return; a record matching any of the three is included."""

    tx_hashes: Collection[str] = field(default_factory=tuple)  # lower-case 0x hashes
    keys: Collection[str] = field(default_factory=tuple)
    auth_nonces: Collection[str] = field(default_factory=tuple)  # lower-case 0x bytes32


class RecordSource(Protocol):
    """``selector`` None means every record of the chain (a full rebuild)."""

    def records(self, conn: sqlite3.Connection, chain_id: int,
                selector: RecordSelector | None) -> Iterable[WalletRecord]: ...


def chunks(values: Collection[str], size: int = 500) -> Iterator[list[str]]:
    """SQL ``IN (…)`` lists stay under SQLite's parameter limit."""
    items = list(values)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def placeholders(n: int) -> str:
    return ",".join("?" * n)
