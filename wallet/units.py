"""Money as integers in base units; ``Decimal`` only for display and parsing. No floats.

AIT and ETH both have 18 decimals. ``parse_amount`` is strict: it accepts what a person would type
("12", "0.5", "1,000.25" is refused: separators are display-only) and refuses anything that would be
silently rounded.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from typing import NewType

from wallet.errors import InvalidAmount

BaseUnits = NewType("BaseUnits", int)

DECIMALS = 18
ONE = 10**DECIMALS
# 2**256 (the largest token amount) has 78 digits; with a point and 18 decimals, 100 characters is ample.
MAX_AMOUNT_CHARS = 100

# [0-9], not \d: \d also matches Arabic-Indic, fullwidth and other digits, which int() would accept silently.
_AMOUNT_RE = re.compile(r"^(?P<int>[0-9]+)?(?:\.(?P<frac>[0-9]*))?$")


def parse_amount(text: str, decimals: int = DECIMALS, *, allow_zero: bool = True) -> BaseUnits:
    """Parse a user-typed decimal amount into base units, refusing anything ambiguous or lossy."""
    if not isinstance(text, str):
        raise InvalidAmount("An amount must be text such as 12.5.")
    s = text.strip()
    if len(s) > MAX_AMOUNT_CHARS:
        # int() refuses more than 4,300 digits with a traceback; no amount a person means is near that.
        raise InvalidAmount(f"{s[:20]}… is {len(s):,} characters long; that is not an amount.")
    if s.startswith("-"):
        raise InvalidAmount(f"The amount {s!r} is negative; amounts must be zero or more.")
    m = _AMOUNT_RE.match(s)
    if not s or m is None or (m.group("int") is None and not m.group("frac")):
        raise InvalidAmount(f"{s!r} is not an amount. Write a number such as 12 or 0.5.")
    whole = m.group("int") or "0"
    frac = m.group("frac") or ""
    if len(frac) > decimals:
        raise InvalidAmount(
            f"{s!r} has {len(frac)} decimal places; at most {decimals} are possible."
        )
    value = int(whole) * 10**decimals + int(frac.ljust(decimals, "0") or "0")
    if value == 0 and not allow_zero:
        raise InvalidAmount("The amount must be more than zero.")
    return BaseUnits(value)


def to_decimal(base_units: int, decimals: int = DECIMALS) -> Decimal:
    """Exact ``Decimal`` value of an amount in base units."""
    if isinstance(base_units, bool) or not isinstance(base_units, int):
        raise TypeError("amounts in base units are ints")
    with localcontext() as ctx:
        ctx.prec = 100
        return Decimal(base_units).scaleb(-decimals)


def format_amount(base_units: int, decimals: int = DECIMALS, *, max_decimals: int | None = None) -> str:
    """Plain decimal string, never scientific notation, trailing zeros dropped.

    ``max_decimals`` truncates toward zero for compact display; the full value stays in base units.
    """
    sign = "-" if base_units < 0 else ""
    q, r = divmod(abs(base_units), 10**decimals)
    frac = str(r).rjust(decimals, "0")
    if max_decimals is not None:
        frac = frac[:max_decimals]
    frac = frac.rstrip("0")
    return f"{sign}{q}.{frac}" if frac else f"{sign}{q}"


def format_significant(base_units: int, decimals: int = DECIMALS, significant: int = 6) -> str:
    """Display form with at most ``significant`` significant decimals (for lists); truncates, never rounds up."""
    sign = "-" if base_units < 0 else ""
    q, r = divmod(abs(base_units), 10**decimals)
    frac = str(r).rjust(decimals, "0")
    if q > 0:
        frac = frac[:significant]
    else:
        lead = len(frac) - len(frac.lstrip("0"))
        frac = frac[: lead + significant]
    frac = frac.rstrip("0")
    return f"{sign}{q}.{frac}" if frac else f"{sign}{q}"
