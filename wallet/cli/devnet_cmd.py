"""`ai-wallet devnet up|down|status|reset|faucet`."""

from __future__ import annotations

import argparse

from wallet.cli.context import CliContext, confirm_or_cancel
from wallet.units import format_amount, parse_amount


def register(sub: argparse._SubParsersAction) -> None:
    from wallet.cli.main import global_parent, nonempty, port_number

    p = sub.add_parser("devnet", help="the embedded local chain", parents=[global_parent()])
    dsub = p.add_subparsers(dest="devnet_command", metavar="ACTION", required=True)

    up = dsub.add_parser("up", help="start it (deploys the contracts the first time)", parents=[global_parent()])
    up.add_argument("--port", type=port_number, help="loopback port (default: the last one used, else 8545)")
    up.set_defaults(func=cmd_up)

    st = dsub.add_parser("status", help="is it running, where, which contracts", parents=[global_parent()])
    st.set_defaults(func=cmd_status)

    down = dsub.add_parser("down", help="stop it (its state is kept)", parents=[global_parent()])
    down.set_defaults(func=cmd_down)

    reset = dsub.add_parser("reset", help="stop it and erase the local chain", parents=[global_parent()])
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.set_defaults(func=cmd_reset)

    fc = dsub.add_parser("faucet", help="free devnet ETH and AIT for an address", parents=[global_parent()])
    fc.add_argument("address", type=nonempty)
    fc.add_argument("--eth", default="1", type=nonempty, help="ETH to send (default 1)")
    fc.add_argument("--ait", default="100", type=nonempty, help="AIT to mint (default 100)")
    fc.set_defaults(func=cmd_faucet)


def _print_status(ctx: CliContext, status_json: dict[str, object], as_json: bool) -> None:
    if as_json:
        ctx.print_json(status_json)
        return
    state = "running" if status_json["running"] else "stopped"
    print(f"devnet: {state} at {status_json['rpc_url']} (chain id {status_json['chain_id']})")
    if status_json.get("block") is not None:
        print(f"block:  {status_json['block']}")
    contracts = status_json["contracts"]
    assert isinstance(contracts, dict)
    for name, addr in contracts.items():
        print(f"{name + ':':<18}{addr or '(not deployed)'}")
    for service in status_json.get("services") or []:  # type: ignore[union-attr]
        print(f"{service['name'] + ':':<18}{service['url']}")


def cmd_up(args: argparse.Namespace, ctx: CliContext) -> int:
    status, started = ctx.service.devnet_up(args.port)
    if not args.json:
        print("Started the devnet." if started else "The devnet was already running.")
    _print_status(ctx, status.to_json(), args.json)
    return 0


def cmd_status(args: argparse.Namespace, ctx: CliContext) -> int:
    _print_status(ctx, ctx.service.devnet_status().to_json(), args.json)
    return 0


def cmd_down(args: argparse.Namespace, ctx: CliContext) -> int:
    stopped = ctx.service.devnet_down()
    if args.json:
        ctx.print_json({"stopped": stopped})
    else:
        print("Stopped the devnet." if stopped else "The devnet was not running.")
    return 0


def cmd_reset(args: argparse.Namespace, ctx: CliContext) -> int:
    if not args.yes:
        confirm_or_cancel("Erase the local devnet chain (balances, history, deployments)?",
                          nothing_done="Nothing was erased.")
    ctx.service.devnet_reset()
    if args.json:
        ctx.print_json({"reset": True})
    else:
        print("The devnet was reset; `ai-wallet devnet up` starts a fresh chain.")
    return 0


def cmd_faucet(args: argparse.Namespace, ctx: CliContext) -> int:
    from wallet.addresses import parse_address

    address = parse_address(args.address)
    eth, ait = parse_amount(args.eth), parse_amount(args.ait)
    txs = ctx.service.devnet_faucet(address, eth, ait)
    if args.json:
        ctx.print_json({"address": address, "eth": format_amount(eth), "ait": format_amount(ait), **txs})
    else:
        print(f"Sent {format_amount(eth)} ETH and {format_amount(ait)} AIT to {address}.")
    return 0
