"""The wallet's record of every transaction it sent or caused (``wallet_tx``), and its history source."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from wallet.history.model import Direction, Kind, Status, WalletRecord, details_from_db, details_to_db
from wallet.history.sources import RecordSelector, chunks, placeholders
from wallet.storage.db import amount_from_db, amount_to_db
from wallet.units import format_amount


@dataclass(frozen=True)
class TxRecord:
    id: int
    chain_id: int
    account: str  # the wallet account the movement concerns (the sender, or the faucet's recipient)
    sender: str
    nonce: int
    tx_hash: str
    kind: Kind
    asset: str
    amount: int
    recipient: str | None
    tx_to: str | None
    tx_value: int
    tx_data: str
    gas_limit: int
    max_fee: int
    priority_fee: int
    status: Status
    replaces: int | None
    replaced_by: int | None
    created_at: int
    block_number: int | None
    block_hash: str | None
    fee_paid: int | None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"tx:{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "tx_hash": self.tx_hash, "kind": str(self.kind), "status": str(self.status), "account": self.account,
            "nonce": self.nonce, "asset": self.asset, "amount": format_amount(self.amount), "to": self.recipient,
            "max_fee_per_gas_wei": str(self.max_fee), "priority_fee_per_gas_wei": str(self.priority_fee),
            "gas_limit": self.gas_limit, "block": self.block_number,
            "fee_eth": None if self.fee_paid is None else format_amount(self.fee_paid),
        }


COLUMNS = ("id, chain_id, account, sender, nonce, tx_hash, kind, asset, amount, recipient, tx_to, tx_value, tx_data, "
           "gas_limit, max_fee, priority_fee, status, replaces, replaced_by, created_at, block_number, block_hash, "
           "fee_paid, details")


def _from_db(r: sqlite3.Row | tuple) -> TxRecord:
    return TxRecord(
        id=r[0], chain_id=r[1], account=r[2], sender=r[3], nonce=r[4], tx_hash=r[5], kind=Kind(r[6]), asset=r[7],
        amount=int(r[8]), recipient=r[9], tx_to=r[10], tx_value=int(r[11]), tx_data=r[12], gas_limit=r[13],
        max_fee=int(r[14]), priority_fee=int(r[15]), status=Status(r[16]), replaces=r[17], replaced_by=r[18],
        created_at=r[19], block_number=r[20], block_hash=r[21], fee_paid=amount_from_db(r[22]),
        details=details_from_db(r[23]),
    )


def insert(conn: sqlite3.Connection, *, chain_id: int, account: str, sender: str, nonce: int, tx_hash: str,
           kind: Kind, asset: str, amount: int, recipient: str | None, tx_to: str | None, tx_value: int,
           tx_data: str, gas_limit: int, max_fee: int, priority_fee: int, replaces: int | None = None,
           status: Status = Status.PENDING, details: dict[str, Any] | None = None) -> TxRecord:
    cur = conn.execute(
        f"INSERT INTO wallet_tx ({COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, "
        "NULL, NULL, NULL, ?)",
        (chain_id, account, sender, nonce, tx_hash.lower(), str(kind), asset, amount_to_db(amount), recipient, tx_to,
         amount_to_db(tx_value), tx_data, gas_limit, amount_to_db(max_fee), amount_to_db(priority_fee), str(status),
         replaces, int(time.time()), details_to_db(details or {})))
    record = get(conn, int(cur.lastrowid or 0))
    assert record is not None
    return record


def get(conn: sqlite3.Connection, record_id: int) -> TxRecord | None:
    r = conn.execute(f"SELECT {COLUMNS} FROM wallet_tx WHERE id = ?", (record_id,)).fetchone()
    return None if r is None else _from_db(r)


def by_hash(conn: sqlite3.Connection, chain_id: int, tx_hash: str) -> TxRecord | None:
    r = conn.execute(f"SELECT {COLUMNS} FROM wallet_tx WHERE chain_id = ? AND tx_hash = ?",
                     (chain_id, tx_hash.lower())).fetchone()
    return None if r is None else _from_db(r)


def with_status(conn: sqlite3.Connection, chain_id: int, status: Status) -> list[TxRecord]:
    return [_from_db(r) for r in conn.execute(
        f"SELECT {COLUMNS} FROM wallet_tx WHERE chain_id = ? AND status = ? ORDER BY id", (chain_id, str(status)))]


def same_nonce(conn: sqlite3.Connection, chain_id: int, sender: str, nonce: int) -> list[TxRecord]:
    return [_from_db(r) for r in conn.execute(
        f"SELECT {COLUMNS} FROM wallet_tx WHERE chain_id = ? AND sender = ? AND nonce = ? ORDER BY id",
        (chain_id, sender, nonce))]


def set_status(conn: sqlite3.Connection, record_id: int, status: Status, *, block_number: int | None = None,
               block_hash: str | None = None, fee_paid: int | None = None, replaced_by: int | None = None) -> None:
    conn.execute(
        "UPDATE wallet_tx SET status = ?, block_number = ?, block_hash = ?, fee_paid = ?, "
        "replaced_by = COALESCE(?, replaced_by) WHERE id = ?",
        (str(status), block_number, block_hash, None if fee_paid is None else amount_to_db(fee_paid), replaced_by,
         record_id))


def reopen_after(conn: sqlite3.Connection, chain_id: int, last_good: int) -> list[str]:
    """Records confirmed in blocks a reorg took away are pending again until checked; returns their keys."""
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM wallet_tx WHERE chain_id = ? AND block_number > ?", (chain_id, last_good))]
    conn.execute("UPDATE wallet_tx SET status = 'pending', block_number = NULL, block_hash = NULL, fee_paid = NULL "
                 "WHERE chain_id = ? AND block_number > ?", (chain_id, last_good))
    return [f"tx:{i}" for i in ids]


# --- the history's view of these records ---
_DIRECTION = {Kind.SEND: Direction.OUT, Kind.TOPUP: Direction.IN, Kind.FAUCET: Direction.IN,
              Kind.CANCEL: Direction.OUT, Kind.CALL: Direction.OUT}


def as_wallet_record(t: TxRecord) -> WalletRecord:
    details = dict(t.details)
    if t.sender == t.account:
        details.setdefault("nonce", t.nonce)
    if t.replaces is not None:
        details["replaces_record"] = t.replaces
    return WalletRecord(
        key=t.key, chain_id=t.chain_id, account=t.account, kind=t.kind, status=t.status,
        direction=_DIRECTION.get(t.kind, Direction.OUT), asset=t.asset, amount=t.amount, created_at=t.created_at,
        counterparty=t.recipient if t.kind != Kind.FAUCET else t.sender, tx_hash=t.tx_hash,
        fee=t.fee_paid if t.sender == t.account else None, details=details,
    )


class TxRecordSource:
    """``wallet_tx`` as a history ``RecordSource``."""

    def records(self, conn: sqlite3.Connection, chain_id: int,
                selector: RecordSelector | None) -> Iterable[WalletRecord]:
        if selector is None:
            rows = conn.execute(f"SELECT {COLUMNS} FROM wallet_tx WHERE chain_id = ?", (chain_id,)).fetchall()
            return [as_wallet_record(_from_db(r)) for r in rows]
        out: dict[int, WalletRecord] = {}
        for part in chunks(selector.tx_hashes):
            for r in conn.execute(f"SELECT {COLUMNS} FROM wallet_tx WHERE chain_id = ? AND tx_hash IN "
                                  f"({placeholders(len(part))})", (chain_id, *part)):
                out[r[0]] = as_wallet_record(_from_db(r))
        ids = [int(k[3:]) for k in selector.keys if k.startswith("tx:") and k[3:].isdigit()]
        for part in chunks([str(i) for i in ids]):
            for r in conn.execute(f"SELECT {COLUMNS} FROM wallet_tx WHERE chain_id = ? AND id IN "
                                  f"({placeholders(len(part))})", (chain_id, *part)):
                out[r[0]] = as_wallet_record(_from_db(r))
        return list(out.values())
