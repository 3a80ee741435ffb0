"""What every CLI command gets: the data dir, the network name, a lazily built service and output helpers."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wallet.config import DataDir, Settings, default_data_dir
from wallet.errors import InvalidInput, UserCancelled
from wallet.safe_io import KIB, read_text

if TYPE_CHECKING:
    from wallet.service import WalletService


MAX_SECRET_FILE_BYTES = 64 * KIB  # a password, a phrase or a key; far more is not a secret file


@dataclass
class CliContext:
    data_dir: DataDir
    network: str
    _service: WalletService | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CliContext:
        root = Path(args.data_dir).expanduser() if args.data_dir is not None else default_data_dir()
        if root.exists() and not root.is_dir():
            raise InvalidInput(f"The data dir {root} is not a folder (Not a directory).")
        data_dir = DataDir(root)
        if args.network is not None:
            from wallet.networks import load_profiles

            known = load_profiles(data_dir)
            if args.network not in known:
                raise InvalidInput(f"Unknown network {args.network!r}. Known networks: {', '.join(sorted(known))}.")
        network = args.network or Settings.load(data_dir).network
        return cls(data_dir, network)

    @property
    def service(self) -> WalletService:
        if self._service is None:
            from wallet.service import WalletService

            # No idle timer in a process that lives for one command: its keys go when it exits.
            self._service = WalletService(self.data_dir, network=self.network, auto_lock=False)
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.close()
            self._service = None

    @staticmethod
    def print_json(obj: Any) -> None:
        print(json.dumps(obj, indent=None, sort_keys=False))


def read_secret(path: str | None, prompt: str, *, what: str = "the secret file", confirm: bool = False,
                multiline: bool = False) -> str:
    """A secret from a file or from a terminal prompt — never argv.

    A file holds the secret as written: only one final line break (``\\n`` or ``\\r\\n``) is dropped, so a
    password keeps every other character it has (U+2028, \\f…). A password file of several lines is refused
    rather than cut, unless ``multiline`` (a recovery phrase may be written one word per line). The file may
    be a pipe (``--password-file <(pass show wallet)``); its read is bounded all the same.
    """
    if path is not None:
        text = read_text(path, max_bytes=MAX_SECRET_FILE_BYTES, what=what, streams=True)
        text = text.removesuffix("\n").removesuffix("\r") if text.endswith("\n") else text
        if not multiline and ("\n" in text or "\r" in text):
            raise InvalidInput(f"{path} holds more than one line; put the secret alone on the first line.")
        return text
    if not sys.stdin.isatty():
        raise InvalidInput(f"{prompt.rstrip(': ')} is needed: give it with a file option, or run in a terminal.")
    try:
        value = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat: ") != value:
            raise InvalidInput("The two entries differ.")
    except (EOFError, KeyboardInterrupt):
        raise UserCancelled() from None
    return value


def confirm_or_cancel(question: str, *, flag: str = "--yes", nothing_done: str = "Nothing was changed.") -> None:
    """Ask a yes/no question on the terminal; anything but "yes" (Ctrl+D and Ctrl+C included) cancels.

    Without a terminal the command must carry ``flag`` instead: a script never waits on a question."""
    if not sys.stdin.isatty():
        raise InvalidInput(f"{question.rstrip('? ')}: confirm with {flag}.")
    try:
        answer = input(f"{question} Type 'yes': ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        raise UserCancelled(nothing_done) from None
    if answer.strip().lower() != "yes":
        raise UserCancelled(nothing_done)


def say(args: argparse.Namespace, text: str) -> None:
    """Human-readable lines: to stdout, or to stderr when stdout carries one JSON object."""
    print(text, file=sys.stderr if getattr(args, "json", False) else sys.stdout)
