"""Reading untrusted files and JSON without letting them hang, exhaust or crash the process.

Every input is hostile until parsed. A path may name a FIFO that never gets a writer, a device that never ends
(``/dev/zero``), a symlink loop or a file that claims size 0 and streams forever, so files are read by bytes
read, never by the size they claim. JSON is bounded by size and by nesting depth, the depth checked before the
parser sees it: importing eth_account raises Python's recursion limit to 100,000, and deeply nested JSON then
overflows the C stack inside ``json.loads`` and kills the process instead of raising.

Light on purpose (no third-party imports): the CLI, the GUI and the provider gateway all use it.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

from wallet.errors import InvalidInput, WalletError

try:
    import fcntl
except ImportError:  # Windows: no FIFOs to guard against
    fcntl = None  # type: ignore[assignment]

KIB = 1024
MIB = 1024 * KIB
_CHUNK = 64 * KIB
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)

# A JSON string (escapes included), so brackets inside strings are not counted as nesting.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _sentence(what: str) -> str:
    return what[:1].upper() + what[1:]


def _size(n: int) -> str:
    if n >= MIB and n % MIB == 0:
        return f"{n // MIB} MiB"
    if n >= KIB and n % KIB == 0:
        return f"{n // KIB} KiB"
    return f"{n:,} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(
    path: str | os.PathLike[str],
    *,
    max_bytes: int,
    what: str,
    streams: bool = False,
    must_exist: bool = True,
    error: type[WalletError] = InvalidInput,
) -> bytes:
    """At most ``max_bytes`` of the file at ``path``; more is refused with ``error``, never read to the end.

    ``what`` names the file in messages ("the password file"). Only regular files are read unless
    ``streams`` is set, which also admits pipes and character devices (``--password-file <(pass show x)``,
    ``/dev/stdin``); folders, sockets and block devices are always refused. A missing file raises ``error``,
    or ``FileNotFoundError`` itself when ``must_exist`` is false (for the wallet's own optional files).
    """
    p = os.fspath(path)
    if not p:
        raise error(f"{_sentence(what)} has an empty path.")
    try:
        mode = os.stat(p).st_mode
        # A FIFO is opened blocking only when streams are wanted (it waits for its writer, as a prompt would);
        # anything else is opened non-blocking, so a FIFO swapped in after the stat cannot hang the open.
        blocking = streams and stat.S_ISFIFO(mode)
        fd = os.open(p, _OPEN_FLAGS | (0 if blocking else _NONBLOCK))
    except FileNotFoundError:
        if not must_exist:
            raise
        raise error(f"{_sentence(what)} {p} does not exist.") from None
    except OSError as e:
        raise error(f"Cannot read {what} {p}: {e.strerror or e}.") from None
    try:
        mode = os.fstat(fd).st_mode
        allowed = stat.S_ISREG(mode) or (streams and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)))
        if not allowed:
            raise error(f"{_sentence(what)} {p} is {_kind(mode)}, not a regular file; it was not read.")
        if _NONBLOCK and fcntl is not None and not stat.S_ISREG(mode):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_NONBLOCK)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise error(f"{_sentence(what)} {p} is larger than {_size(max_bytes)}; it was not read.")
        return b"".join(chunks)
    except OSError as e:
        raise error(f"Cannot read {what} {p}: {e.strerror or e}.") from None
    finally:
        os.close(fd)


def decode_text(data: bytes, *, what: str, error: type[WalletError] = InvalidInput) -> str:
    """UTF-8 (a leading byte-order mark is dropped), or ``error`` saying the input is not text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{_sentence(what)} is not UTF-8 text.") from None


def read_text(
    path: str | os.PathLike[str],
    *,
    max_bytes: int,
    what: str,
    streams: bool = False,
    must_exist: bool = True,
    error: type[WalletError] = InvalidInput,
) -> str:
    """``read_bytes`` decoded as UTF-8."""
    data = read_bytes(path, max_bytes=max_bytes, what=what, streams=streams, must_exist=must_exist, error=error)
    return decode_text(data, what=f"{what} {os.fspath(path)}", error=error)


def json_depth(text: str, limit: int | None = None) -> int:
    """How deeply arrays and objects nest in ``text`` (``[[1]]`` is 2), brackets inside strings not counted.

    Stops counting once ``limit`` is passed. Exact for valid JSON; for invalid JSON it may overcount, which
    only refuses what the parser would refuse anyway.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = peak = 0
    for c in brackets:
        if c in "[{":
            depth += 1
            if depth > peak:
                peak = depth
                if limit is not None and peak > limit:
                    break
        else:
            depth -= 1
    return peak


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


def loads_bounded(
    data: str | bytes | bytearray,
    *,
    max_bytes: int,
    max_depth: int,
    what: str,
    error: type[WalletError] = InvalidInput,
) -> Any:
    """``json.loads`` for untrusted input: over ``max_bytes`` (UTF-8 bytes), nested deeper than ``max_depth``,
    not UTF-8 or not strict JSON raise ``error`` with a message naming ``what``. Strict: NaN, Infinity, floats
    that overflow (``1e400``) and integers of more than 1,000 digits are refused too.

    The depth is checked before parsing, so deep input never reaches the C parser."""
    What = _sentence(what)
    if isinstance(data, (bytes, bytearray)):
        if len(data) > max_bytes:
            raise error(f"{What} is larger than {_size(max_bytes)}.")
        text = decode_text(bytes(data), what=what, error=error)
    else:
        text = data
        if len(text) > max_bytes or (len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) >
                                     max_bytes):
            raise error(f"{What} is larger than {_size(max_bytes)}.")
    # No more opening brackets than the limit (most documents): it cannot nest deeper, and counting is cheap.
    if text.count("[") + text.count("{") > max_depth and json_depth(text, max_depth) > max_depth:
        raise error(f"{What} is nested more than {max_depth} levels deep; it is not what was expected.")
    try:
        # A text shorter than the digit limit cannot hold a longer integer: the per-integer hook is skipped then.
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_parse_float,
                          parse_int=_parse_int if len(text) > MAX_INT_DIGITS else None)
    except json.JSONDecodeError as e:
        raise error(f"{What} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg}).") from None
    except RecursionError:  # only if the caller's max_depth is beyond what this interpreter can take
        raise error(f"{What} is nested too deeply to read.") from None
    except ValueError as e:
        # NaN, Infinity, an overflowing float or an integer of more than 1,000 digits.
        raise error(f"{What} holds a value that cannot be read ({e}).") from None


def load_json_file(
    path: str | os.PathLike[str],
    *,
    max_bytes: int,
    max_depth: int,
    what: str,
    streams: bool = False,
    must_exist: bool = True,
    error: type[WalletError] = InvalidInput,
) -> Any:
    """``read_bytes`` then ``loads_bounded``: a JSON file read with both bounds."""
    data = read_bytes(path, max_bytes=max_bytes, what=what, streams=streams, must_exist=must_exist, error=error)
    return loads_bounded(data, max_bytes=max_bytes, max_depth=max_depth, what=f"{what} {Path(path)}", error=error)
