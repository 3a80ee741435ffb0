"""`ai-wallet`: with no arguments the desktop app; with a subcommand, the CLI.

Start-up stays light: only argparse and the core's light modules are imported here; each command imports
what it needs (web3 costs ~1 s) inside its handler.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

# Each module registers its subcommands with `register(subparsers)`.
COMMAND_MODULES = (
    "wallet.cli.devnet_cmd",
    "wallet.cli.chain_cmd",
    "wallet.cli.account_cmd",
    "wallet.cli.quote_cmd",
    "wallet.cli.money_cmd",
    "wallet.cli.history_cmd",
    "wallet.cli.network_cmd",
    "wallet.cli.pay_cmd",
    "wallet.cli.payments_cmd",
)


class Parser(argparse.ArgumentParser):
    """argparse, with its usage errors raised as ``UsageError`` so that they are reported like every other error
    (same exit code table, JSON with --json) instead of argparse printing and exiting by itself."""

    def error(self, message: str) -> NoReturn:
        from wallet.cli.exits import UsageError

        if len(message) > 120:  # the list of every command or choice: --help shows it, the error need not
            message = re.sub(r" \(choose from [^)]*\)", "", message)

        raise UsageError(f"{message} (see `{self.prog} --help`)", self.format_usage())


def nonempty(value: str) -> str:
    """An option's value: an empty one is refused, never replaced by a default."""
    if not value.strip():
        raise argparse.ArgumentTypeError("an empty value is not allowed")
    return value


def _clip(value: str) -> str:
    return repr(value) if len(value) <= 30 else repr(value[:20] + "…")


def port_number(value: str) -> int:
    if not re.fullmatch(r"[0-9]{1,5}", value) or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"{_clip(value)} is not a port number; choose one from 1 to 65535")
    return int(value)


def positive_int(value: str) -> int:
    """A count or an id: ASCII digits only (int() also takes "١٢" and 5,000-digit numbers), 1 or more."""
    if not re.fullmatch(r"[0-9]{1,18}", value.strip()) or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{_clip(value)} is not a whole number from 1 to 10^18")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = Parser(
        prog="ai-wallet",
        description="AI Token Wallet. Run with no command to open the desktop app.",
    )
    add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:
                continue  # a command group not present in this build
            raise
        module.register(sub)
    return parser


def add_global_options(parser: argparse.ArgumentParser, *, suppress_defaults: bool = False) -> None:
    default = argparse.SUPPRESS if suppress_defaults else None
    parser.add_argument("--data-dir", metavar="DIR", default=default, type=nonempty,
                        help="wallet data directory (default: the platform's user data dir)")
    parser.add_argument("--network", metavar="NAME", default=default, type=nonempty,
                        help="network profile: devnet (default), sepolia, base-sepolia or a custom one")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS if suppress_defaults else False,
                        help="print the result, or the error, as one JSON object on stdout")


def global_parent() -> argparse.ArgumentParser:
    """Lets the global options also be given after the subcommand (`ai-wallet balance X --network devnet`)."""
    parent = Parser(add_help=False)
    add_global_options(parent, suppress_defaults=True)
    return parent


def _app_launch_args(args_list: list[str]) -> argparse.Namespace | None:
    """The options when the command line asks for the desktop app (no command), else None.

    Checked before the full parser is built: registering every subcommand costs ~20 ms the app need not pay.
    """
    if any(a in ("-h", "--help") for a in args_list):
        return None
    quick = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    add_global_options(quick)
    try:
        known, rest = quick.parse_known_args(args_list)
    except (argparse.ArgumentError, SystemExit):
        return None  # the full parser reports the mistake
    return known if not rest and not known.json else None


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    app_args = _app_launch_args(args_list)
    if app_args is not None:
        from wallet.cli.app_launch import launch_app

        return launch_app(app_args.data_dir, app_args.network)
    return _run_command(args_list)


def _run_command(args_list: list[str]) -> int:
    import logging

    from wallet.cli import exits
    from wallet.cli.context import CliContext

    # Known before parsing, so that even a command line argparse cannot parse gets its error as JSON.
    as_json = "--json" in args_list[: args_list.index("--")] if "--" in args_list else "--json" in args_list
    ctx: CliContext | None = None
    log_file = None
    command = "ai-wallet"
    try:
        args = build_parser().parse_args(args_list)
        if not getattr(args, "command", None):
            if args.json:
                raise exits.UsageError("--json needs a command (see `ai-wallet --help`)")
            from wallet.cli.app_launch import launch_app

            return launch_app(args.data_dir, args.network)
        command = f"ai-wallet {args.command}"
        ctx = CliContext.from_args(args)
        from wallet.logs import setup_logging

        log_file = setup_logging(ctx.data_dir, "cli", console_level=logging.WARNING)
        return int(args.func(args, ctx) or 0)
    except Exception as e:
        from wallet.errors import WalletError

        if not isinstance(e, WalletError):
            # A fault of the wallet, not of the input: its traceback goes to the console and the log, once.
            from wallet.logs import log_failure

            log_failure(e, command)
            where = f" The details are in {log_file}." if log_file else ""
            return exits.report(e, as_json=as_json, message=f"internal error ({type(e).__name__}); "
                                f"please report it with the lines above.{where}")
        return exits.report(e, as_json=as_json)
    except KeyboardInterrupt as e:
        return exits.report(e, as_json=as_json, message="Interrupted.")
    finally:
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":
    sys.exit(main())
