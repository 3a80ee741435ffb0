"""What the CLI writes to a terminal shows every character it was given, and controls the terminal with none.

Provider names, models and endpoints come from a permissionless registry and from providers' answers: a name
holding escape sequences or a carriage return could rewrite the lines above it (a fake "verified", another
payee) and bidirectional overrides could reorder them. Every text the CLI prints goes through this filter, which
writes such characters as visible escapes (``\\x1b``, ``\\u202e``). Line breaks and tabs pass; JSON output is
escaped by the JSON encoder already.
"""

from __future__ import annotations

from typing import Any, TextIO

_VISIBLE_AS_ESCAPES = {
    **{c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(c) not in "\n\t"},
    **{c: f"\\u{c:04x}" for c in (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F),
                                  *range(0x2066, 0x206A))},
}


def printable(text: str) -> str:
    return text.translate(_VISIBLE_AS_ESCAPES)


class PrintableStream:
    """A text stream that writes through ``printable``; everything else is the wrapped stream's."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        return self._inner.write(printable(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
