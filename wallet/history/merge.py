"""Chain facts + the wallet's records → history rows.

Rows are derived, never edited: ``refresh`` deletes the rows of the given transactions and records and
computes them again from ``chain_fact`` and the record sources, so running it twice changes nothing and a
fact or record is never shown twice. Per transaction and account:

* a TokenSale purchase is one top-up row (the minted Transfer and the ETH paid are part of it);
* an outgoing Transfer with the account's AuthorizationUsed in the same transaction is a payment;
* other Transfers are sends and receives; a minted Transfer on the devnet is a faucet grant;
* a transaction the account sent carries its fee; alone it is an ETH send, a cancellation or a call;
* a record joins the row of its account, asset and direction in its transaction (found by hash, or for a
  payment by its authorization nonce) and gives it its kind, task details and, when disputed, its status;
  a record with no such row yet (pending, failed before sending, replaced, expired) is a row of its own.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from wallet.history.model import (
    ChainFact,
    Direction,
    Kind,
    Status,
    WalletRecord,
    details_from_db,
    details_to_db,
)
from wallet.history.sources import RecordSelector, RecordSource, chunks, placeholders
from wallet.storage.db import amount_from_db, amount_to_db

FACT_COLUMNS = ("chain_id, tx_hash, log_index, account, kind, block_number, block_hash, timestamp, asset, amount, "
                "counterparty, extra")


@dataclass(frozen=True)
class MergeContext:
    devnet: bool = False
    faucet_senders: frozenset[str] = frozenset()  # on the devnet: who sends faucet ETH
    payees: dict[str, str] = field(default_factory=dict)  # payTo address → provider name, for payments


@dataclass
class _Row:
    account: str
    kind: str
    status: str
    direction: str
    asset: str
    amount: int
    timestamp: int
    tx_hash: str | None
    block_number: int | None = None
    counterparty: str | None = None
    fee: int | None = None
    provider: str | None = None
    model: str | None = None
    record_key: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def fact_from_db(r: sqlite3.Row) -> ChainFact:
    return ChainFact(
        chain_id=r["chain_id"], tx_hash=r["tx_hash"], log_index=r["log_index"], account=r["account"], kind=r["kind"],
        block_number=r["block_number"], block_hash=r["block_hash"], timestamp=r["timestamp"], asset=r["asset"],
        amount=amount_from_db(r["amount"]) or 0, counterparty=r["counterparty"], extra=details_from_db(r["extra"]),
    )


def facts_for(conn: sqlite3.Connection, chain_id: int, tx_hashes: Collection[str]) -> list[ChainFact]:
    out: list[ChainFact] = []
    for part in chunks(tx_hashes):
        rows = conn.execute(f"SELECT {FACT_COLUMNS} FROM chain_fact WHERE chain_id = ? AND tx_hash IN "
                            f"({placeholders(len(part))})", (chain_id, *part)).fetchall()
        out.extend(fact_from_db(r) for r in rows)
    return out


def refresh(conn: sqlite3.Connection, chain_id: int, sources: Sequence[RecordSource], ctx: MergeContext, *,
            tx_hashes: Collection[str] = (), record_keys: Collection[str] = ()) -> int:
    """Recompute the rows of these transactions and records; returns how many rows now stand for them."""
    hashes = {h.lower() for h in tx_hashes}
    facts = facts_for(conn, chain_id, hashes)
    nonces = {f.extra["nonce"] for f in facts if f.kind == "auth_used"}
    records = _collect(conn, chain_id, sources, RecordSelector(hashes, tuple(record_keys), nonces))
    # Records may name transactions (or nonces) not asked about: their facts belong to the same rows.
    more = {r.tx_hash for r in records if r.tx_hash and r.tx_hash not in hashes}
    nonce_hashes = _hashes_of_nonces(conn, chain_id, {r.auth_nonce for r in records if r.auth_nonce} - nonces)
    extra_hashes = (more | nonce_hashes) - hashes
    if extra_hashes:
        hashes |= extra_hashes
        facts += facts_for(conn, chain_id, extra_hashes)
    _delete_rows(conn, chain_id, hashes, {r.key for r in records} | set(record_keys))
    return _insert(conn, chain_id, derive(facts, records, ctx))


def rebuild_all(conn: sqlite3.Connection, chain_id: int, sources: Sequence[RecordSource], ctx: MergeContext) -> int:
    facts = [fact_from_db(r) for r in conn.execute(
        f"SELECT {FACT_COLUMNS} FROM chain_fact WHERE chain_id = ?", (chain_id,))]
    records = _collect(conn, chain_id, sources, None)
    conn.execute("DELETE FROM history WHERE chain_id = ?", (chain_id,))
    return _insert(conn, chain_id, derive(facts, records, ctx))


def _collect(conn: sqlite3.Connection, chain_id: int, sources: Sequence[RecordSource],
             selector: RecordSelector | None) -> list[WalletRecord]:
    seen: dict[str, WalletRecord] = {}
    for source in sources:
        for rec in source.records(conn, chain_id, selector):
            seen[rec.key] = rec
    return list(seen.values())


def _hashes_of_nonces(conn: sqlite3.Connection, chain_id: int, nonces: Collection[str]) -> set[str]:
    out: set[str] = set()
    for part in chunks([n for n in nonces if n]):
        rows = conn.execute(
            f"SELECT tx_hash FROM chain_fact WHERE chain_id = ? AND kind = 'auth_used' AND "
            f"json_extract(extra, '$.nonce') IN ({placeholders(len(part))})", (chain_id, *part)).fetchall()
        out.update(r[0] for r in rows)
    return out


def _delete_rows(conn: sqlite3.Connection, chain_id: int, hashes: Collection[str], keys: Collection[str]) -> None:
    for part in chunks(hashes):
        conn.execute(f"DELETE FROM history WHERE chain_id = ? AND tx_hash IN ({placeholders(len(part))})",
                     (chain_id, *part))
    for part in chunks(keys):
        conn.execute(f"DELETE FROM history WHERE record_key IN ({placeholders(len(part))})", part)


def derive(facts: Sequence[ChainFact], records: Sequence[WalletRecord], ctx: MergeContext) -> list[_Row]:
    by_group: dict[tuple[str, str], list[ChainFact]] = defaultdict(list)
    nonce_tx: dict[str, str] = {}
    for f in facts:
        by_group[(f.tx_hash, f.account)].append(f)
        if f.kind == "auth_used":
            nonce_tx[f.extra["nonce"]] = f.tx_hash
    recs_by_group: dict[tuple[str, str], list[WalletRecord]] = defaultdict(list)
    loose: list[WalletRecord] = []
    for rec in records:
        tx = rec.tx_hash or (nonce_tx.get(rec.auth_nonce) if rec.auth_nonce else None)
        if tx and (tx, rec.account) in by_group:
            recs_by_group[(tx, rec.account)].append(rec)
        else:
            loose.append(rec)
    rows: list[_Row] = []
    for group, group_facts in by_group.items():
        group_rows = _rows_of_group(sorted(group_facts, key=lambda f: f.log_index), ctx)
        unmatched = _attach(group_rows, recs_by_group.get(group, []))
        loose.extend(unmatched)
        rows.extend(group_rows)
    rows.extend(_record_row(rec) for rec in loose)
    return rows


def _rows_of_group(facts: list[ChainFact], ctx: MergeContext) -> list[_Row]:
    tx_fact = next((f for f in facts if f.kind == "tx"), None)
    purchase = next((f for f in facts if f.kind == "purchase"), None)
    authorized = any(f.kind == "auth_used" for f in facts)
    rows: list[_Row] = []

    def row(f: ChainFact, kind: Kind, direction: Direction, **kw: Any) -> _Row:
        return _Row(account=f.account, kind=kind, status=Status.CONFIRMED, direction=direction, asset=f.asset,
                    amount=f.amount, timestamp=f.timestamp, tx_hash=f.tx_hash, block_number=f.block_number,
                    counterparty=f.counterparty, **kw)

    if purchase is not None:
        rows.append(row(purchase, Kind.TOPUP, Direction.IN,
                        details={"paid_wei": purchase.extra.get("paid_wei")}))
    for f in facts:
        if f.kind == "ait_in" and purchase is None:
            minted = bool(f.extra.get("minted"))
            rows.append(row(f, Kind.FAUCET if minted and ctx.devnet else Kind.RECEIVE, Direction.IN,
                            details={"minted": True} if minted else {}))
        elif f.kind == "ait_out":
            if authorized:
                rows.append(row(f, Kind.PAYMENT, Direction.OUT, provider=ctx.payees.get(f.counterparty or "")))
            else:
                rows.append(row(f, Kind.SEND, Direction.OUT))
        elif f.kind == "eth_in":
            faucet = ctx.devnet and f.counterparty in ctx.faucet_senders
            rows.append(row(f, Kind.FAUCET if faucet else Kind.RECEIVE, Direction.IN))
    if tx_fact is not None:
        ok = bool(tx_fact.extra.get("ok", True))
        fee = int(tx_fact.extra.get("fee_wei", 0))
        value = int(tx_fact.extra.get("value_wei", tx_fact.amount))
        if not ok:
            rows.insert(0, row(tx_fact, Kind.SEND if value else Kind.CALL, Direction.OUT, fee=fee,
                               details={"reverted": True, "value_wei": value}))
            rows[0].status = Status.FAILED
            rows[0].amount = value
        elif value > 0 and purchase is None:
            rows.insert(0, row(tx_fact, Kind.SEND, Direction.OUT, fee=fee))
        elif rows:
            first_out = next((r for r in rows if r.direction == Direction.OUT or r.kind == Kind.TOPUP), rows[0])
            first_out.fee = fee
        else:
            rows.append(row(tx_fact, Kind.CALL, Direction.OUT, fee=fee))
    return rows


def _attach(rows: list[_Row], records: list[WalletRecord]) -> list[WalletRecord]:
    """Give each record the row it describes; returns the records that found none."""
    unmatched: list[WalletRecord] = []
    taken: set[int] = set()
    for rec in records:
        idx = next((i for i, r in enumerate(rows) if i not in taken and _describes(rec, r)), None)
        if idx is None:
            unmatched.append(rec)
            continue
        taken.add(idx)
        r = rows[idx]
        r.kind = rec.kind
        r.record_key = rec.key
        r.provider = rec.provider or r.provider
        r.model = rec.model
        r.details = {**r.details, **rec.details}
        if rec.status == Status.DISPUTED:
            r.status = Status.DISPUTED
        if r.status == Status.FAILED:  # a reverted transaction moved nothing: show what it was meant to move
            r.amount, r.asset, r.counterparty = rec.amount, rec.asset, rec.counterparty or r.counterparty
    return unmatched


def _describes(rec: WalletRecord, row: _Row) -> bool:
    if rec.kind == Kind.CANCEL:
        return row.kind in (Kind.CALL, Kind.SEND) and row.direction == Direction.OUT
    if row.status == Status.FAILED:
        return rec.direction == Direction.OUT
    return rec.direction == row.direction and rec.asset == row.asset


def _record_row(rec: WalletRecord) -> _Row:
    return _Row(account=rec.account, kind=rec.kind, status=rec.status, direction=rec.direction, asset=rec.asset,
                amount=rec.amount, timestamp=rec.created_at, tx_hash=rec.tx_hash, counterparty=rec.counterparty,
                fee=rec.fee, provider=rec.provider, model=rec.model, record_key=rec.key, details=dict(rec.details))


def _insert(conn: sqlite3.Connection, chain_id: int, rows: Sequence[_Row]) -> int:
    conn.executemany(
        "INSERT INTO history (chain_id, account, kind, status, direction, asset, amount, fee, counterparty, tx_hash, "
        "block_number, timestamp, provider, model, record_key, details, search) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(chain_id, r.account, str(r.kind), str(r.status), str(r.direction), r.asset, amount_to_db(r.amount),
          None if r.fee is None else amount_to_db(r.fee), r.counterparty, r.tx_hash, r.block_number, r.timestamp,
          r.provider, r.model, r.record_key, details_to_db(r.details),
          search_text(r.account, r.counterparty, r.tx_hash, r.provider, r.model)) for r in rows],
    )
    return len(rows)


def search_text(*fields: str | None) -> str:
    """What a history search looks in, lower-cased in one column: one LIKE per row instead of five."""
    return " ".join(f for f in fields if f).lower()

