"""How numbers, addresses and times look: locale separators, 6 significant decimals in lists, the unit always.

Short amounts are cut at the 6th significant decimal, in the direction that never misleads: a balance is
truncated (never more than you hold), a price is rounded up (never less than you will be charged).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QLocale

from wallet.units import DECIMALS, format_amount, format_significant

SIGNIFICANT = 6
_INT64_MAX = 2**63 - 1


def _latin_digits(text: str, zero: str) -> str:
    """Qt writes a locale's own digits (Arabic-Indic, Bengali…); the decimals after the point are Latin, so
    the whole number stays in one script."""
    if zero == "0" or len(zero) != 1:
        return text
    return text.translate({ord(zero) + i: str(i) for i in range(10)})


def _group(integer_part: str) -> str:
    """Digits grouped as the locale groups them (1,234,567 · 12,34,567 · 1.234.567)."""
    locale = QLocale()
    value = int(integer_part)
    if value <= _INT64_MAX:  # what QLocale formats exactly: it knows each locale's group sizes
        # The C locale (LANG=C) omits group separators by default; amounts are always grouped.
        locale.setNumberOptions(locale.numberOptions() & ~QLocale.NumberOption.OmitGroupSeparator)
        return _latin_digits(locale.toString(value), locale.zeroDigit())
    sep = locale.groupSeparator() or ","
    out = []
    for i, ch in enumerate(reversed(integer_part)):
        if i and i % 3 == 0:
            out.append(sep)
        out.append(ch)
    return "".join(reversed(out))


def whole_number(n: int) -> str:
    """A count (tokens, characters) with the locale's grouping."""
    return ("-" if n < 0 else "") + _group(str(abs(n)))


def _localise(plain: str) -> str:
    sign = "-" if plain.startswith("-") else ""
    plain = plain.lstrip("-")
    whole, _, frac = plain.partition(".")
    dec = QLocale().decimalPoint() or "."
    return sign + _group(whole) + (dec + frac if frac else "")


def round_up_significant(base_units: int, decimals: int = DECIMALS, significant: int = SIGNIFICANT) -> int:
    """``base_units`` rounded away from zero at the last decimal ``format_significant`` keeps, in integers,
    so that the short form of a price is never below the price."""
    magnitude = abs(base_units)
    whole, frac = divmod(magnitude, 10**decimals)
    if frac == 0:
        return base_units
    leading_zeros = 0 if whole else decimals - len(str(frac))
    dropped = decimals - leading_zeros - significant
    if dropped <= 0:
        return base_units
    step = 10**dropped
    rounded = -(-magnitude // step) * step
    return rounded if base_units >= 0 else -rounded


def amount_short(base_units: int, unit: str = "AIT") -> str:
    """For balances in lists and headlines: at most 6 significant decimals, truncated (never rounded up)."""
    return f"{_localise(format_significant(base_units))} {unit}"


def amount_short_price(base_units: int, unit: str = "AIT") -> str:
    """For what the user will pay: at most 6 significant decimals, rounded up (never shown below the price)."""
    return amount_short(round_up_significant(base_units), unit)


def aligned_prices(prices: Sequence[int], unit: str = "AIT") -> list[str]:
    """Prices for one column: each rounded up as ``amount_short_price`` rounds it, then all written with the
    same number of decimals, so that right-aligned their decimal points line up (zeros added, never cut)."""
    plains = [format_significant(round_up_significant(p)) for p in prices]
    decimals = max((len(p.partition(".")[2]) for p in plains), default=0)
    out = []
    for plain in plains:
        whole, _, frac = plain.partition(".")
        padded = f"{whole}.{frac.ljust(decimals, '0')}" if decimals else whole
        out.append(f"{_localise(padded)} {unit}")
    return out


def amount_full(base_units: int, unit: str = "AIT") -> str:
    """For details and tooltips: every one of the 18 decimals that is not zero."""
    return f"{_localise(format_amount(base_units))} {unit}"


def price_per_million(base_units: int) -> str:
    return f"{_localise(format_significant(round_up_significant(base_units)))} AIT / 1M"


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
