"""How numbers, addresses and times look: locale separators, 6 significant decimals in lists, the unit always."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QLocale

from wallet.units import format_amount, format_significant


def _group(integer_part: str) -> str:
    sep = QLocale().groupSeparator() or ","
    out = []
    for i, ch in enumerate(reversed(integer_part)):
        if i and i % 3 == 0:
            out.append(sep)
        out.append(ch)
    return "".join(reversed(out))


def _localise(plain: str) -> str:
    sign = "-" if plain.startswith("-") else ""
    plain = plain.lstrip("-")
    whole, _, frac = plain.partition(".")
    dec = QLocale().decimalPoint() or "."
    return sign + _group(whole) + (dec + frac if frac else "")


def amount_short(base_units: int, unit: str = "AIT") -> str:
    """For lists and headlines: at most 6 significant decimals (truncated, never rounded up)."""
    return f"{_localise(format_significant(base_units))} {unit}"


def amount_full(base_units: int, unit: str = "AIT") -> str:
    """For details and tooltips: every one of the 18 decimals that is not zero."""
    return f"{_localise(format_amount(base_units))} {unit}"


def price_per_million(base_units: int) -> str:
    return f"{_localise(format_significant(base_units))} AIT / 1M"


def short_address(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}" if len(address) > 12 else address


def relative_time(ts: float, now: float | None = None) -> str:
    delta = int((now or time.time()) - ts)
    if delta < 45:
        return "just now"
    if delta < 3600:
        return f"{max(1, round(delta / 60))} min ago"
    if delta < 86400:
        return f"{round(delta / 3600)} h ago"
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d")


def absolute_time(ts: float) -> str:
    return QLocale().toString(datetime.fromtimestamp(ts), QLocale.FormatType.LongFormat)
