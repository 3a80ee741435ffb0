"""Reading the history: pages for a table, every row for an export, and spending summaries for a chart.

Rows come newest first (block time, block, then insertion order). Every query is one indexed SELECT on the
materialized ``history`` table; sums are taken in Python on exact integers (SQLite's SUM of decimal text
would go through floating point).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from wallet.errors import InvalidInput
from wallet.history.model import (
    HistoryFilter,
    HistoryPage,
    HistoryRow,
    Kind,
    SpendBucket,
    SpendPoint,
    Status,
    details_from_db,
)
from wallet.history.sources import placeholders

MAX_PAGE = 1_000
COLUMNS = ("id, chain_id, account, kind, status, direction, asset, amount, fee, counterparty, tx_hash, block_number, "
           "timestamp, provider, model, details")
SPENT = (Status.CONFIRMED, Status.DISPUTED)  # a disputed payment was still charged
SPEND_GROUPS = ("provider", "model", "day", "week")
NEWEST_FIRST = "ORDER BY timestamp DESC, block_number DESC, id DESC"


def _where(chain_id: int, f: HistoryFilter) -> tuple[str, list[Any]]:
    clauses = ["chain_id = ?"]
    params: list[Any] = [chain_id]
    for column, values in (("account", f.accounts), ("kind", f.kinds), ("status", f.statuses),
                           ("provider", f.providers), ("model", f.models), ("asset", f.assets)):
        if values:
            clauses.append(f"{column} IN ({placeholders(len(values))})")
            params.extend(values)
    if f.direction:
        clauses.append("direction = ?")
        params.append(f.direction)
    if f.since is not None:
        clauses.append("timestamp >= ?")
        params.append(f.since)
    if f.until is not None:
        clauses.append("timestamp < ?")
        params.append(f.until)
    if f.text:
        text = f.text.lower()
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append("search LIKE ? ESCAPE '\\'")
        params.append(like)
    return " AND ".join(clauses), params


def row_from_db(r: sqlite3.Row | tuple) -> HistoryRow:
    return HistoryRow(
        id=r[0], chain_id=r[1], account=r[2], kind=r[3], status=r[4], direction=r[5], asset=r[6], amount=int(r[7]),
        fee=None if r[8] is None else int(r[8]), counterparty=r[9], tx_hash=r[10], block_number=r[11],
        timestamp=r[12], provider=r[13], model=r[14], details=details_from_db(r[15]),
    )


def page(conn: sqlite3.Connection, chain_id: int, f: HistoryFilter, offset: int, limit: int) -> HistoryPage:
    if offset < 0 or not 0 < limit <= MAX_PAGE:
        raise InvalidInput(f"A history page starts at 0 or later and holds 1 to {MAX_PAGE} rows.")
    where, params = _where(chain_id, f)
    rows = conn.execute(f"SELECT {COLUMNS} FROM history WHERE {where} {NEWEST_FIRST} LIMIT ? OFFSET ?",
                        (*params, limit, offset)).fetchall()
    total = conn.execute(f"SELECT COUNT(*) FROM history WHERE {where}", params).fetchone()[0]
    return HistoryPage([row_from_db(r) for r in rows], int(total), offset)


def count(conn: sqlite3.Connection, chain_id: int, f: HistoryFilter) -> int:
    where, params = _where(chain_id, f)
    return int(conn.execute(f"SELECT COUNT(*) FROM history WHERE {where}", params).fetchone()[0])


def iter_rows(conn: sqlite3.Connection, chain_id: int, f: HistoryFilter) -> Iterator[HistoryRow]:
    where, params = _where(chain_id, f)
    cur = conn.execute(f"SELECT {COLUMNS} FROM history WHERE {where} {NEWEST_FIRST}", params)
    while batch := cur.fetchmany(2_000):
        yield from (row_from_db(r) for r in batch)


def row_by_id(conn: sqlite3.Connection, row_id: int) -> HistoryRow | None:
    r = conn.execute(f"SELECT {COLUMNS} FROM history WHERE id = ?", (row_id,)).fetchone()
    return None if r is None else row_from_db(r)


# Exact sums of decimal-text amounts in SQL: three integer parts (9, 9 and the rest of the digits) summed apart
# never overflow SQLite's 64-bit integers or touch floating point; Python joins them.
_PARTS = ("SUM(CAST(substr(amount, -9) AS INTEGER)), SUM(CAST(substr(amount, -18, 9) AS INTEGER)), "
          "SUM(CAST(CASE WHEN length(amount) > 18 THEN substr(amount, 1, length(amount) - 18) ELSE '0' END "
          "AS INTEGER)), COUNT(*)")
_GROUP = {
    "provider": "COALESCE(provider, '(unknown provider)')",
    "model": "COALESCE(model, '(unknown model)')",
    "day": "date(timestamp, 'unixepoch')",
    "week": "date(timestamp, 'unixepoch', '-6 days', 'weekday 1')",  # the week's Monday
}


def _payment_sums(conn: sqlite3.Connection, chain_id: int, f: HistoryFilter,
                  keys: list[str]) -> list[tuple[tuple[str, ...], int, int]]:
    spend_filter = HistoryFilter(accounts=f.accounts, providers=f.providers, models=f.models, since=f.since,
                                 until=f.until, kinds=(Kind.PAYMENT,), statuses=f.statuses or SPENT)
    where, params = _where(chain_id, spend_filter)
    columns = ", ".join(_GROUP[k] for k in keys)
    out = []
    for r in conn.execute(f"SELECT {columns}, {_PARTS} FROM history WHERE {where} GROUP BY {columns}", params):
        n = len(keys)
        lo, mid, hi, count = (int(v or 0) for v in r[n:])
        out.append((tuple(str(v) for v in r[:n]), hi * 10**18 + mid * 10**9 + lo, count))
    return out


def spend(conn: sqlite3.Connection, chain_id: int, by: str, f: HistoryFilter) -> list[SpendBucket]:
    """AIT charged by payments, per provider, model, day or week; largest first (periods: oldest first)."""
    if by not in SPEND_GROUPS:
        raise InvalidInput(f"Spending is summed by one of: {', '.join(SPEND_GROUPS)}.")
    buckets = [SpendBucket(key[0], amount, count) for key, amount, count in _payment_sums(conn, chain_id, f, [by])]
    if by in ("day", "week"):
        return sorted(buckets, key=lambda b: b.key)
    return sorted(buckets, key=lambda b: (-b.amount, b.key))


def spend_series(conn: sqlite3.Connection, chain_id: int, period: str, f: HistoryFilter) -> list[SpendPoint]:
    """What each provider was paid per day or week: the bars of a stacked chart, oldest period first."""
    if period not in ("day", "week"):
        raise InvalidInput("The spending chart groups by day or week.")
    points = _payment_sums(conn, chain_id, f, [period, "provider"])
    return [SpendPoint(k[0], k[1], amount, count) for k, amount, count in sorted(points)]


def parse_since(text: str) -> int:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO date-time, as a Unix timestamp."""
    s = text.strip()
    try:
        if len(s) == 10:
            d = date.fromisoformat(s)
            return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise InvalidInput(f"{s[:40]!r} is not a date: write it as YYYY-MM-DD (or an ISO date and time).") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp())
