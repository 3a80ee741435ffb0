"""Address validation with plain-words errors (EIP-55 checksums enforced on mixed case)."""

from __future__ import annotations

import re

from wallet.errors import InvalidAddress

ZERO_ADDRESS = "0x" + "0" * 40
_HEX40 = re.compile(r"^0[xX][0-9a-fA-F]{40}$")


def parse_address(text: str, *, allow_zero: bool = False) -> str:
    """Return the EIP-55 form of ``text`` or raise ``InvalidAddress`` saying what is wrong."""
    s = (text or "").strip()
    shown = repr(s) if len(s) <= 60 else repr(s[:50] + "…")  # never echo a hostile input whole
    if not s:
        raise InvalidAddress("Enter an address (0x followed by 40 hexadecimal characters).")
    if not s.startswith(("0x", "0X")):
        raise InvalidAddress(f"{shown} is not an address: it must start with 0x.")
    if len(s) != 42:
        raise InvalidAddress(
            f"{shown} is not an address: it has {len(s) - 2} characters after 0x instead of 40."
        )
    if not _HEX40.match(s):
        raise InvalidAddress(f"{shown} is not an address: it contains characters that are not hexadecimal.")
    # eth_utils costs ~0.15 s to import; commands that only parse arguments should not pay it.
    from eth_utils import is_checksum_address, to_checksum_address

    body = s[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(s):
        raise InvalidAddress(
            f"The address {s} has a checksum error (its upper/lower case letters do not match). "
            "Check it for a typo; copy it again from its source."
        )
    checksummed = to_checksum_address(s)
    if not allow_zero and checksummed == ZERO_ADDRESS:
        raise InvalidAddress("The zero address cannot be used: anything sent there is lost.")
    return checksummed


def shorten(address: str) -> str:
    """0x7099…79C8, for lists."""
    return f"{address[:6]}…{address[-4:]}"
