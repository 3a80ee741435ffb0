"""`ai-wallet balance ADDRESS`."""

from __future__ import annotations

import argparse

from wallet.addresses import parse_address
from wallet.cli.context import CliContext
from wallet.units import format_amount


def register(sub: argparse._SubParsersAction) -> None:
    from wallet.cli.main import global_parent, nonempty

    p = sub.add_parser("balance", help="ETH and AIT balances of an address", parents=[global_parent()],
                       description='ETH and AIT balances of an address (--json: {"address", "eth", "ait"}).')
    p.add_argument("address", type=nonempty)
    p.set_defaults(func=cmd_balance)


def cmd_balance(args: argparse.Namespace, ctx: CliContext) -> int:
    address = parse_address(args.address, allow_zero=True)
    b = ctx.service.balances(address)
    if args.json:
        ctx.print_json(b.to_json())
    else:
        print(f"{b.address}\n  {format_amount(b.eth)} ETH\n  {format_amount(b.ait)} AIT")
    return 0
