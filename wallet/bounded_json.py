"""JSON from outside, parsed within bounds of size and nesting depth.

Importing eth_account raises Python's recursion limit to 100,000, so ``json.loads`` on a document nested tens of
thousands of levels deep overflows the C stack and kills the process instead of raising. The depth is therefore
measured by a scan of the raw text (strings skipped) before the parser sees it.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from wallet.errors import InvalidInput

# A JSON string literal: quote, then runs of ordinary characters or escape pairs, then quote.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def nesting_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in ``data`` (brackets inside strings do not count).

    On malformed text the figure may be too high, never too low, so a bound on it is safe.
    """
    outside_strings = _STRING.sub(b"", data)
    steps = [_STEP[b[0]] for b in _BRACKETS.findall(outside_strings)]
    return max(accumulate(steps), default=0)


MAX_INT_DIGITS = 1000  # far beyond any amount or count; Python itself refuses ints past 4,300 digits


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number has more than {MAX_INT_DIGITS:,} digits")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def loads_bounded(data: bytes | str, *, max_bytes: int, max_depth: int, what: str) -> Any:
    """Parse ``data`` as strict JSON of at most ``max_bytes`` bytes nested at most ``max_depth`` levels.

    Strict: NaN, Infinity, floats that overflow and integers of more than 1,000 digits are refused too. Anything
    refused raises ``InvalidInput`` naming ``what``.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise InvalidInput(f"The {what} is larger than {max_bytes:,} bytes; it was not read.")
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise InvalidInput(f"The {what} is nested more than {max_depth} levels deep; it was not read.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"The {what} is not UTF-8 text.") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int, parse_float=_parse_float)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"The {what} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg}).") from None
    except (ValueError, RecursionError) as e:  # a number out of range, NaN or Infinity
        raise InvalidInput(f"The {what} is not valid JSON ({e}).") from None
