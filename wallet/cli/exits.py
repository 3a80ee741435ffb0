"""The CLI's one table of exit codes, and how an error is reported (text on stderr; with --json, also JSON).

| code | meaning |
|---|---|
| 0 | success |
| 1 | failure: the command was understood but could not be done (wrong password, network down, damaged file…) |
| 2 | usage error: the command line or an input it names cannot be used (unknown option, empty value, malformed
|   | address or amount, unreadable input file, an account not in the wallet…); nothing was changed |
| 3 | refused or cancelled: the user declined at a prompt, or the wallet refused to pay |
| 4 | paid, but the charge is disputed: the answer arrived, and the provider's metered charge or its usage receipt
|   | does not match the wallet's own count (the evidence is kept with the payment) |
| 130 | interrupted (Ctrl+C) |
"""

from __future__ import annotations

import json
import re
import sys

from wallet.errors import InvalidInput, PaymentRefused, UserCancelled, WalletError

OK = 0
FAILURE = 1
USAGE = 2
REFUSED = 3
DISPUTED = 4
INTERRUPTED = 130


class UsageError(InvalidInput):
    """The command line itself cannot be parsed (argparse's errors, reported like every other error)."""

    def __init__(self, user_message: str, usage: str = "") -> None:
        super().__init__(user_message)
        self.usage = usage


def exit_code(error: BaseException) -> int:
    if isinstance(error, KeyboardInterrupt):
        return INTERRUPTED
    if isinstance(error, (UserCancelled, PaymentRefused)):
        return REFUSED
    if isinstance(error, InvalidInput):
        return USAGE
    return FAILURE


def error_code(error: BaseException) -> str:
    """A stable machine-readable name: the error's class in snake case ("invalid_password"), "usage" for the
    command line, "interrupted" for Ctrl+C, "internal" for a fault of the wallet itself."""
    if isinstance(error, UsageError):
        return "usage"
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    if not isinstance(error, WalletError):
        return "internal"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


def report(error: BaseException, *, as_json: bool, message: str | None = None) -> int:
    """Tell the user what went wrong (stderr; and stdout as one JSON object with ``as_json``); the exit code."""
    text = message or (error.user_message if isinstance(error, WalletError) else str(error))
    if as_json:
        print(json.dumps({"error": {"code": error_code(error), "message": text}}))
    if isinstance(error, UsageError) and error.usage:
        print(error.usage.rstrip(), file=sys.stderr)
    if isinstance(error, (UserCancelled, KeyboardInterrupt)):
        print(text, file=sys.stderr)
    else:
        print(f"error: {text}", file=sys.stderr)
    return exit_code(error)
