"""The synced layer of the history: chain facts and the cursor of each account, in the wallet database."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable

from wallet.history.model import ChainFact, details_to_db
from wallet.history.sources import chunks, placeholders
from wallet.storage.db import amount_to_db


def cursors(conn: sqlite3.Connection, chain_id: int, accounts: Collection[str]) -> dict[str, tuple[int, str | None]]:
    """account → (next block to read, hash of the block before it); accounts never synced are absent."""
    out: dict[str, tuple[int, str | None]] = {}
    for part in chunks(accounts):
        for r in conn.execute(f"SELECT account, next_block, anchor_hash FROM sync_cursor WHERE chain_id = ? AND "
                              f"account IN ({placeholders(len(part))})", (chain_id, *part)):
            out[r[0]] = (int(r[1]), r[2])
    return out


def set_cursor(conn: sqlite3.Connection, chain_id: int, accounts: Iterable[str], next_block: int,
               anchor_hash: str | None) -> None:
    conn.executemany(
        "INSERT INTO sync_cursor (chain_id, account, next_block, anchor_hash) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chain_id, account) DO UPDATE SET next_block = excluded.next_block, "
        "anchor_hash = excluded.anchor_hash",
        [(chain_id, a, next_block, anchor_hash) for a in accounts],
    )


def insert_facts(conn: sqlite3.Connection, facts: Iterable[ChainFact]) -> list[ChainFact]:
    """Store facts not yet stored; returns the new ones (a re-read chunk adds nothing)."""
    new: list[ChainFact] = []
    for f in facts:
        cur = conn.execute(
            "INSERT OR IGNORE INTO chain_fact (chain_id, tx_hash, log_index, account, kind, block_number, block_hash, "
            "timestamp, asset, amount, counterparty, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (f.chain_id, f.tx_hash, f.log_index, f.account, f.kind, f.block_number, f.block_hash, f.timestamp,
             f.asset, amount_to_db(f.amount), f.counterparty, details_to_db(f.extra)))
        if cur.rowcount:
            new.append(f)
    return new


def drop_above(conn: sqlite3.Connection, chain_id: int, last_good: int, anchor_hash: str | None) -> set[str]:
    """Forget every fact in a block after ``last_good`` and rewind the cursors past it; returns the
    transactions whose rows must be recomputed."""
    hashes = {r[0] for r in conn.execute(
        "SELECT DISTINCT tx_hash FROM chain_fact WHERE chain_id = ? AND block_number > ?", (chain_id, last_good))}
    conn.execute("DELETE FROM chain_fact WHERE chain_id = ? AND block_number > ?", (chain_id, last_good))
    conn.execute("UPDATE sync_cursor SET next_block = ?, anchor_hash = ? WHERE chain_id = ? AND next_block > ?",
                 (last_good + 1, anchor_hash, chain_id, last_good + 1))
    return hashes


def known_blocks(conn: sqlite3.Connection, chain_id: int) -> list[tuple[int, str]]:
    """(number, hash) of every block the stored facts and cursors came from, ascending."""
    rows = conn.execute(
        "SELECT block_number, block_hash FROM chain_fact WHERE chain_id = ? "
        "UNION SELECT next_block - 1, anchor_hash FROM sync_cursor WHERE chain_id = ? AND anchor_hash IS NOT NULL "
        "ORDER BY 1", (chain_id, chain_id)).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


def sent_hashes_in(conn: sqlite3.Connection, chain_id: int, account: str, first: int, last: int) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT tx_hash FROM chain_fact WHERE chain_id = ? AND account = ? AND kind = 'tx' AND block_number "
        "BETWEEN ? AND ?", (chain_id, account, first, last))}
