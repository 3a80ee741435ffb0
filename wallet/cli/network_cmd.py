"""`ai-wallet contracts deploy` and `ai-wallet network import|list|use`: the wallet beyond the devnet."""

from __future__ import annotations

import argparse
from pathlib import Path

from wallet.cli.context import CliContext, read_secret, say
from wallet.errors import InvalidInput
from wallet.units import parse_amount


def register(sub: argparse._SubParsersAction) -> None:
    from wallet.cli.main import global_parent, nonempty

    c = sub.add_parser("contracts", help="deploy the AI Token contracts to a chain", parents=[global_parent()])
    csub = c.add_subparsers(dest="contracts_command", metavar="ACTION", required=True)
    d = csub.add_parser("deploy", parents=[global_parent()],
                        help="deploy AIToken, ProviderRegistry and TokenSale; write a network profile file",
                        description="Deploy AIToken, ProviderRegistry and TokenSale with the key's account as their "
                                    "admin, and write a network profile file that wallets import.")
    d.add_argument("--rpc", metavar="URL", required=True, type=nonempty,
                   help="the chain's JSON-RPC endpoint (http/https)")
    d.add_argument("--key-file", metavar="F", required=True, type=nonempty,
                   help="file whose only line is the deployer's hex key")
    d.add_argument("--name", metavar="NAME", type=nonempty, help="the network's name in wallets (default chain-<id>)")
    d.add_argument("--rate", metavar="AIT", default="1000", type=nonempty,
                   help="AIT one ETH buys at the sale (default 1000)")
    d.add_argument("--out", metavar="FILE", type=nonempty, help="profile file to write (default network-<name>.json)")
    d.add_argument("--force", action="store_true", help="replace the profile file if it exists (a regular file only)")
    d.set_defaults(func=cmd_deploy)

    n = sub.add_parser("network", help="network profiles: import, list, use", parents=[global_parent()])
    nsub = n.add_subparsers(dest="network_command", metavar="ACTION", required=True)
    i = nsub.add_parser("import", parents=[global_parent()], help="add a network from a profile file")
    i.add_argument("file", metavar="FILE", type=nonempty)
    i.add_argument("--name", metavar="NAME", type=nonempty, help="store it under this name instead of the file's")
    i.add_argument("--use", action="store_true", help="make it the network the wallet uses")
    i.set_defaults(func=cmd_import)
    ls = nsub.add_parser("list", parents=[global_parent()], help="the networks the wallet knows")
    ls.set_defaults(func=cmd_list)
    u = nsub.add_parser("use", parents=[global_parent()], help="make NAME the network the wallet uses")
    u.add_argument("name", metavar="NAME", type=nonempty)
    u.set_defaults(func=cmd_use)


def cmd_deploy(args: argparse.Namespace, ctx: CliContext) -> int:
    from eth_account import Account

    from wallet.chain.client import ChainClient
    from wallet.deployment import deploy_contracts, write_profile_file
    from wallet.files import check_new_file_target
    from wallet.keys.keystore import parse_private_key
    from wallet.networks import NetworkProfile

    if not args.rpc.startswith(("http://", "https://")):
        raise InvalidInput("The RPC address must start with http:// or https://.")
    rate = parse_amount(args.rate, allow_zero=False)
    key = parse_private_key(read_secret(args.key_file, "Deployer key: "))
    admin = Account.from_key(bytes(key))
    chain_id = ChainClient(NetworkProfile("probe", 1, args.rpc)).node_chain_id()
    name = args.name or f"chain-{chain_id}"
    out = Path(args.out or f"network-{name}.json")
    check_new_file_target(out, replace=args.force)  # before anything is deployed
    client = ChainClient(NetworkProfile(name, chain_id, args.rpc))
    client.connect()
    say(args, f"Deploying to chain {chain_id} at {args.rpc} from {admin.address}…")
    contracts, start = deploy_contracts(client, admin, rate)
    profile = NetworkProfile(name, chain_id, args.rpc, contracts, start_block=start)
    write_profile_file(out, profile, replace=args.force)
    if args.json:
        ctx.print_json({"profile": profile.to_json(), "file": str(out), "admin": admin.address})
    else:
        for cname, address in contracts.items():
            print(f"{cname:<17} {address}")
        print(f"Profile written to {out}; wallets add it with `ai-wallet network import {out}`.")
    return 0


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    profile = ctx.service.import_network(Path(args.file), args.name, use=args.use)
    if args.json:
        ctx.print_json({"imported": profile.to_json(), "in_use": bool(args.use)})
    else:
        print(f"Network {profile.name!r} (chain {profile.chain_id}) imported"
              + (" and in use." if args.use else f"; use it with --network {profile.name}."))
    return 0


def cmd_list(args: argparse.Namespace, ctx: CliContext) -> int:
    names = ctx.service.network_names()
    current = ctx.service.settings.network
    if args.json:
        ctx.print_json({"networks": [ctx.service.profile_named(n).to_json() for n in names], "current": current})
    else:
        for n in names:
            p = ctx.service.profile_named(n)
            print(f"{'*' if n == current else ' '} {n:<16} chain {p.chain_id:<10} {p.rpc_url}")
    return 0


def cmd_use(args: argparse.Namespace, ctx: CliContext) -> int:
    profile = ctx.service.switch_network(args.name)
    if args.json:
        ctx.print_json({"current": profile.name, "chain_id": profile.chain_id})
    else:
        print(f"The wallet now uses {profile.name} (chain {profile.chain_id}).")
    return 0
