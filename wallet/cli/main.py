"""`ai-wallet`: with no arguments the desktop app; with a subcommand, the CLI.

Start-up stays light: only argparse and the core's light modules are imported here; each command imports
what it needs (web3 costs ~1 s) inside its handler.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# Each module registers its subcommands with `register(subparsers)`.
COMMAND_MODULES = (
    "wallet.cli.devnet_cmd",
    "wallet.cli.chain_cmd",
    "wallet.cli.account_cmd",
    "wallet.cli.quote_cmd",
    "wallet.cli.money_cmd",
    "wallet.cli.history_cmd",
    "wallet.cli.network_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
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
    parser.add_argument("--data-dir", metavar="DIR", default=default,
                        help="wallet data directory (default: the platform's user data dir)")
    parser.add_argument("--network", metavar="NAME", default=default,
                        help="network profile: devnet (default), sepolia, base-sepolia or a custom one")


def global_parent() -> argparse.ArgumentParser:
    """Lets the global options also be given after the subcommand (`ai-wallet balance X --network devnet`)."""
    parent = argparse.ArgumentParser(add_help=False)
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
    return known if not rest else None


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    app_args = _app_launch_args(args_list)
    if app_args is not None:
        from wallet.cli.app_launch import launch_app

        return launch_app(app_args.data_dir, app_args.network)
    return _run_command(args_list)


def _run_command(args_list: list[str]) -> int:
    import json
    import logging

    from wallet.cli.context import CliContext
    from wallet.errors import UserCancelled, WalletError
    from wallet.logs import log_failure, setup_logging

    parser = build_parser()
    args = parser.parse_args(args_list)
    if not getattr(args, "command", None):
        from wallet.cli.app_launch import launch_app

        return launch_app(args.data_dir, args.network)
    ctx: CliContext | None = None
    log_file = None
    try:
        ctx = CliContext.from_args(args)
        log_file = setup_logging(ctx.data_dir, "cli", console_level=logging.WARNING)
        return int(args.func(args, ctx) or 0)
    except UserCancelled as e:
        print(e.user_message, file=sys.stderr)
        return 1
    except WalletError as e:
        if getattr(args, "json", False):
            print(json.dumps({"error": e.user_message, "kind": type(e).__name__}))
        print(f"error: {e.user_message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as e:  # a bug: its traceback goes to the console and the log, once
        log_failure(e, f"ai-wallet {args.command}")
        where = f" The details are in {log_file}." if log_file else ""
        if getattr(args, "json", False):
            print(json.dumps({"error": "Something unexpected went wrong." + where, "kind": "unexpected"}))
        print(f"error: something unexpected went wrong.{where}", file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":
    sys.exit(main())
