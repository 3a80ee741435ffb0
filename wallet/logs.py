"""Where failures go: one log, on the console and in a rotating file in the data dir, with secrets blotted out.

``setup_logging(data_dir, program)`` is called once by the desktop app and once by each CLI command.
``log_failure(exc, what)`` is the one call every handler makes with a failure it does not re-raise: an expected
``WalletError`` (its message is already shown to the user) is logged quietly, anything else with its
traceback. Uncaught exceptions, on any thread, end up there too.

Nothing the wallet logs should hold a secret in the first place; ``SecretRedactor`` is the net under that rule.
Before a record reaches any handler it replaces what looks like a private key (64 or more hex digits in a
row: tx hashes go too, which is the price of never writing a key) and what looks like a recovery phrase (12 or
more BIP-39 words in a row) — in the message, its arguments and the traceback alike.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import logging.handlers
import os
import re
import sys
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import TracebackType

    from wallet.config import DataDir

LOG_FILE_BYTES = 256 * 1024
LOG_BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
KEY_MARK = "[redacted: hex secret]"
PHRASE_MARK = "[redacted: recovery phrase]"
PHRASE_MIN_WORDS = 12

log = logging.getLogger("wallet")
_HEX_RUN = re.compile(r"(?<![0-9a-fA-F])(?:0[xX])?[0-9a-fA-F]{64,}(?![0-9a-fA-F])")
_WORD = re.compile(r"[A-Za-z]+")
_SEPARATOR = re.compile(r"[^A-Za-z]{1,8}")  # between phrase words: spaces, commas, quotes, "3." numbering
_MARKED = "_wallet_logged"  # set on an exception once it was logged, so a failure is written once


@cache
def _bip39_words() -> frozenset[str]:
    """The English BIP-39 list, read from eth-account's package data without importing eth-account."""
    spec = importlib.util.find_spec("eth_account")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "hdaccount" / "wordlist" / "english.txt"
        try:
            with open(path, encoding="utf-8") as f:
                words = frozenset(w.strip() for w in f.read(64 * 1024).split())
        except OSError:
            continue
        if len(words) == 2048:
            return words
    return frozenset()


def _is_phrase_word(word: str, wordlist: frozenset[str]) -> bool:
    w = word.lower()
    # Without the list, any short lower-case word counts: more is blotted out, never less.
    return w in wordlist if wordlist else 3 <= len(w) <= 8


def _phrase_spans(text: str) -> list[tuple[int, int]]:
    wordlist = _bip39_words()
    spans: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        if len(run) >= PHRASE_MIN_WORDS:
            spans.append((run[0].start(), run[-1].end()))
        run.clear()

    for m in _WORD.finditer(text):
        if not _is_phrase_word(m.group(), wordlist):
            close()
            continue
        if run and not _SEPARATOR.fullmatch(text, run[-1].end(), m.start()):
            close()
        run.append(m)
    close()
    return spans


def redact(text: str) -> str:
    """``text`` with every hex secret and recovery phrase replaced by a marker."""
    text = _HEX_RUN.sub(KEY_MARK, text)
    for start, end in reversed(_phrase_spans(text)):
        text = text[:start] + PHRASE_MARK + text[end:]
    return text


class SecretRedactor(logging.Filter):
    """Renders a record's message and traceback, redacted, so no handler ever sees the originals."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log readable by its owner only; the folder is made when the first line is written."""

    def _open(self):  # type: ignore[no-untyped-def]
        folder = os.path.dirname(self.baseFilename)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)


class _Ours:
    """Marks the handlers ``setup_logging`` installed, so a second call replaces rather than doubles them."""


def setup_logging(data_dir: DataDir | None, program: str, *, console_level: int = logging.INFO,
                  hooks: bool = True) -> Path | None:
    """Log to stderr (from ``console_level``) and to ``<data dir>/logs/<program>.log`` (from INFO), rotated at
    256 KiB with 3 old files kept, every record redacted. Returns the log file's path (None without a data dir).
    The app and the CLI write separate files, so two processes never rotate the same one."""
    root = logging.getLogger()
    for h in [h for h in root.handlers if isinstance(getattr(h, "_wallet", None), _Ours)]:
        root.removeHandler(h)
        h.close()
    formatter = logging.Formatter(FORMAT)
    handlers: list[logging.Handler] = []
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(console_level)
    handlers.append(console)
    path = None
    if data_dir is not None:
        path = data_dir.log_dir / f"{program}.log"
        file = PrivateRotatingFileHandler(path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_BACKUPS,
                                          encoding="utf-8", delay=True)
        file.setLevel(logging.INFO)
        handlers.append(file)
    for h in handlers:
        h.setFormatter(formatter)
        h.addFilter(SecretRedactor())
        h._wallet = _Ours()  # type: ignore[attr-defined]
        root.addHandler(h)
    root.setLevel(min(logging.INFO, console_level))
    if hooks:
        sys.excepthook = _excepthook
        threading.excepthook = _thread_excepthook
    return path


def log_failure(exc: BaseException, what: str, logger: logging.Logger | None = None) -> None:
    """Record a failure that is handled here rather than re-raised: quietly for a WalletError (the user has
    been told), with its traceback for anything else. Each exception is written once, however many handlers
    pass it on."""
    from wallet.errors import WalletError

    if getattr(exc, _MARKED, False):
        return
    with contextlib.suppress(AttributeError):  # a type without instance attributes may be logged twice
        setattr(exc, _MARKED, True)
    logger = logger or log
    if isinstance(exc, WalletError):
        logger.debug("%s: %s", what, exc.user_message)
    else:
        logger.error("%s failed unexpectedly", what, exc_info=(type(exc), exc, exc.__traceback__))


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    log_failure(exc, "the program")


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "a thread"
    log_failure(args.exc_value, f"thread {name}")
