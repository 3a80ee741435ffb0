"""The history as CSV: one line per row, amounts as exact decimals (columns in docs/history.md)."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from wallet.files import private_atomic_writer
from wallet.history.model import HistoryRow
from wallet.units import format_amount

EPOCH = date(1970, 1, 1)
CSV_COLUMNS = (
    "time", "chain_id", "account", "kind", "status", "direction", "asset", "amount", "fee_eth", "counterparty",
    "tx_hash", "block", "provider", "model", "input_tokens", "output_tokens", "quote_ait", "max_ait", "charged_ait",
    "paid_eth", "response_id", "dispute",
)


@functools.lru_cache(maxsize=4096)
def _day(days: int) -> str:
    return (EPOCH + timedelta(days=days)).isoformat()


def utc_time(ts: int) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (a hundred thousand rows: strftime per row was a fifth of an export)."""
    days, secs = divmod(ts, 86_400)
    return f"{_day(days)}T{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}Z"


def _ait(value: Any) -> str:
    """A base-unit amount from the details (int or decimal string of an int) as an exact decimal."""
    if value is None or value == "":
        return ""
    return format_amount(int(value))


def csv_line(row: HistoryRow) -> list[str]:
    d = row.details
    dispute = d.get("dispute")
    return [
        utc_time(row.timestamp), str(row.chain_id), row.account, row.kind, row.status,
        row.direction, row.asset, format_amount(row.amount), "" if row.fee is None else format_amount(row.fee),
        row.counterparty or "", row.tx_hash or "", "" if row.block_number is None else str(row.block_number),
        _text(row.provider), _text(row.model), _text(d.get("input_tokens")), _text(d.get("output_tokens")),
        _ait(d.get("quote_base_units")), _ait(d.get("max_base_units")), _ait(d.get("charged_base_units")),
        _ait(d.get("paid_wei")), _text(d.get("response_id")),
        _text(" ".join(dispute.get("problems", [])) or "yes") if isinstance(dispute, dict) else
        _text(dispute) if isinstance(dispute, str) else ("yes" if dispute else ""),
    ]


def _text(value: Any) -> str:
    """Provider and model names come from the public registry: a cell a spreadsheet would run as a formula
    (=, +, -, @ first) is prefixed with an apostrophe."""
    if value is None:
        return ""
    s = str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def write_csv(path: Path, rows: Iterable[HistoryRow]) -> int:
    """Write atomically (a failed export leaves no half file); returns the number of rows written."""
    n = 0
    with private_atomic_writer(path, newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for row in rows:
            w.writerow(csv_line(row))
            n += 1
    return n
