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

if TYPE_CHECKING:
    from wallet.service import WalletService


@dataclass
class CliContext:
    data_dir: DataDir
    network: str
    _service: WalletService | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CliContext:
        root = Path(args.data_dir).expanduser() if getattr(args, "data_dir", None) else default_data_dir()
        data_dir = DataDir(root)
        network = getattr(args, "network", None) or Settings.load(data_dir).network
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


def read_secret(path: str | None, prompt: str, *, confirm: bool = False) -> str:
    """A secret from a file (first line, trailing newline dropped) or from a terminal prompt — never argv."""
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise InvalidInput(f"Cannot read {path}: {e.strerror}.") from None
        except UnicodeDecodeError:
            raise InvalidInput(f"{path} is not a text file (UTF-8 expected).") from None
        return text.splitlines()[0] if text.strip() else ""
    if not sys.stdin.isatty():
        raise InvalidInput(f"{prompt.rstrip(': ')} is needed: give it with a file option, or run in a terminal.")
    try:
        value = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat: ") != value:
            raise InvalidInput("The two entries differ.")
    except (EOFError, KeyboardInterrupt):
        raise UserCancelled() from None
    return value


def confirm(question: str, yes: bool) -> None:
    """Go on only with ``--yes`` or a "y" typed at a terminal; anything else signs nothing."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise InvalidInput(f"{question} Confirm with --yes (there is no terminal to ask).")
    try:
        answer = input(f"{question} [y/N] ")
    except (EOFError, KeyboardInterrupt):
        raise UserCancelled("Nothing was signed.") from None
    if answer.strip().lower() not in ("y", "yes"):
        raise UserCancelled("Nothing was signed.")


def say(args: argparse.Namespace, text: str) -> None:
    """Human-readable lines: to stdout, or to stderr when stdout carries one JSON object."""
    print(text, file=sys.stderr if getattr(args, "json", False) else sys.stdout)
