"""`ai-wallet` with no command: the desktop app on the selected network (devnet by default)."""

from __future__ import annotations

from wallet.cli.context import CliContext


def launch_app(ctx: CliContext) -> int:
    try:
        from ui.app import run_app
    except ModuleNotFoundError as e:
        if e.name not in ("ui.app",):
            raise
        return _print_devnet_overview(ctx)
    return run_app(ctx.data_dir, ctx.network)


def _print_devnet_overview(ctx: CliContext) -> int:
    """Without the desktop app installed: start the devnet and show a funded demo account."""
    from eth_account import Account

    from wallet.devnet.demo import DEMO_ACCOUNT_KEY
    from wallet.errors import WalletError
    from wallet.units import format_amount

    try:
        status, _ = ctx.service.devnet_up()
        demo = Account.from_key(DEMO_ACCOUNT_KEY).address
        b = ctx.service.balances(demo)
    except WalletError as e:
        print(f"error: {e.user_message}")
        return 2
    print(f"devnet running at {status.rpc_url} (chain id {status.chain_id}, block {status.block})")
    for name, addr in status.contracts.items():
        print(f"  {name:<17}{addr}")
    print(f"demo account {b.address}: {format_amount(b.eth)} ETH, {format_amount(b.ait)} AIT")
    return 0
