"""`ai-wallet topup | receive | send | tx`: moving AIT and ETH.

Each command shows what it will sign (amounts, rate, the network fee, warnings) and asks before signing,
unless ``--yes``. The password comes from ``--password-file`` or a prompt, after the confirmation.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wallet.cli import exits
from wallet.cli.context import CliContext, confirm_or_cancel, read_secret, say
from wallet.errors import InvalidInput, WalletError
from wallet.units import format_amount

NOTHING_SIGNED = "Nothing was signed."

if TYPE_CHECKING:
    from wallet.transfers.plans import Fees
    from wallet.transfers.records import TxRecord


def register(sub: argparse._SubParsersAction) -> None:
    from wallet.cli.main import global_parent, nonempty

    def add(parent: Any, name: str, help_text: str, func: Any, *, signs: bool = True) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_text, description=help_text, parents=[global_parent()])
        if signs:
            p.add_argument("--account", metavar="A", type=nonempty,
                           help="the wallet account to use (default: the current one)")
            p.add_argument("--yes", action="store_true", help="do not ask before signing")
            p.add_argument("--password-file", metavar="F", type=nonempty, help="read the wallet password from file F")
            p.add_argument("--no-wait", action="store_true", help="return once sent, without waiting for a block")
        p.set_defaults(func=func)
        return p

    t = add(sub, "topup", "buy AIT with ETH through the network's token sale", cmd_topup)
    amount = t.add_mutually_exclusive_group(required=True)
    amount.add_argument("--ait", metavar="N", type=nonempty, help="buy N AIT (the ETH cost is computed)")
    amount.add_argument("--eth", metavar="N", type=nonempty, help="spend N ETH")

    r = add(sub, "receive", "show an address and an EIP-681 payment request for it", cmd_receive, signs=False)
    r.add_argument("--account", metavar="A", type=nonempty, help="the wallet account (default: the current one)")
    r.add_argument("--amount", metavar="N", type=nonempty, help="ask for N (AIT unless --asset ETH)")
    r.add_argument("--asset", choices=("AIT", "ETH"), default="AIT")
    r.add_argument("--qr", metavar="FILE.png", type=nonempty, help="also write the request as a QR code image")

    s = add(sub, "send", "send AIT or ETH to an address or an EIP-681 payment request", cmd_send)
    s.add_argument("to", metavar="TO", type=nonempty, help="0x address (EIP-55 checksum checked) or ethereum: URI")
    s.add_argument("amount", metavar="AMOUNT", nargs="?", type=nonempty,
                   help="decimal amount, or max (a URI may give it)")
    s.add_argument("--asset", choices=("AIT", "ETH"), help="default AIT (a URI decides it)")

    tx = sub.add_parser("tx", help="the wallet's transactions: list, speed up, cancel", parents=[global_parent()])
    tsub = tx.add_subparsers(dest="tx_command", metavar="ACTION", required=True)
    ls = add(tsub, "list", "transactions the wallet sent, with their status", cmd_tx_list, signs=False)
    ls.add_argument("--pending", action="store_true", help="only those not yet in a block")
    for name, help_text in (("speedup", "send a stuck transaction again with higher fees"),
                            ("cancel", "replace a stuck transaction with a 0-ETH transfer to yourself")):
        p = add(tsub, name, help_text, cmd_tx_replace)
        p.add_argument("tx_hash", metavar="HASH", type=nonempty)


def _account(args: argparse.Namespace, ctx: CliContext) -> str:
    account = getattr(args, "account", None) or ctx.service.current_account()
    if not account:
        raise InvalidInput("The wallet has no account yet: create one with `ai-wallet account create`.")
    return account


def _unlock(args: argparse.Namespace, ctx: CliContext) -> None:
    ctx.service.unlock(read_secret(args.password_file, "Wallet password: "))


def _fee_line(fees: Fees) -> str:
    return (f"network fee: about {format_amount(fees.likely_cost, max_decimals=8)} ETH, at most "
            f"{format_amount(fees.max_cost)} ETH ({fees.gas:,} gas)")


def _finish(args: argparse.Namespace, ctx: CliContext, record: TxRecord, extra: dict[str, Any]) -> int:
    if not args.no_wait:
        record = ctx.service.wait_for_transaction(record.tx_hash)
    out = {**record.to_json(), **extra}
    if args.json:
        ctx.print_json(out)
    else:
        print(f"{record.kind} {record.tx_hash}: {record.status}"
              + (f", fee {format_amount(record.fee_paid)} ETH" if record.fee_paid is not None else ""))
    if str(record.status) in ("confirmed", "pending"):
        return exits.OK
    return exits.FAILURE  # included but reverted (the JSON above says so): only the fee was spent


def cmd_topup(args: argparse.Namespace, ctx: CliContext) -> int:
    account = _account(args, ctx)
    plan = ctx.service.prepare_topup(account, ait=args.ait, eth=args.eth)
    say(args, f"Top up {account}: buy {format_amount(plan.tokens)} AIT for {format_amount(plan.eth_cost)} ETH "
              f"({plan.rate_text}); {_fee_line(plan.fees)}.")
    if not args.yes:
        confirm_or_cancel("Buy?", nothing_done=NOTHING_SIGNED)
    _unlock(args, ctx)
    record = ctx.service.topup(plan)
    return _finish(args, ctx, record, {"plan": plan.to_json()})


def cmd_receive(args: argparse.Namespace, ctx: CliContext) -> int:
    request = ctx.service.payment_request(_account(args, ctx), args.amount, args.asset,
                                          qr=Path(args.qr) if args.qr else None)
    if args.json:
        ctx.print_json({**request, **({"qr": args.qr} if args.qr else {})})
    else:
        print(f"{request['address']}\n{request['uri']}" + (f"\nQR code written to {args.qr}" if args.qr else ""))
    return 0


def cmd_send(args: argparse.Namespace, ctx: CliContext) -> int:
    account = _account(args, ctx)
    plan = ctx.service.prepare_send(account, args.to, args.amount, args.asset)
    say(args, f"Send {format_amount(plan.amount)} {plan.asset} from {plan.account} to {plan.to}; "
              f"{_fee_line(plan.fees)}.")
    for w in plan.warnings:
        say(args, f"warning: {w.message}")
    if not args.yes:
        confirm_or_cancel("Send despite the warning above?" if plan.warnings else "Send?", nothing_done=NOTHING_SIGNED)
    _unlock(args, ctx)
    record = ctx.service.send(plan, accept_warnings=True)
    return _finish(args, ctx, record, {"plan": plan.to_json()})


def cmd_tx_list(args: argparse.Namespace, ctx: CliContext) -> int:
    status = "pending" if args.pending else None
    try:
        records = ctx.service.transactions(status, refresh=True)
    except WalletError as e:  # offline: list what is stored, and say so
        say(args, f"note: could not check the network ({e.user_message}); statuses as last known.")
        records = ctx.service.transactions(status)
    if args.json:
        ctx.print_json([r.to_json() for r in records])
    else:
        for r in records:
            print(f"{r.tx_hash}  {r.kind:<7} {r.status:<9} nonce {r.nonce:<4} {format_amount(r.amount)} {r.asset}")
    return 0


def cmd_tx_replace(args: argparse.Namespace, ctx: CliContext) -> int:
    service = ctx.service
    original, fees = service.prepare_replacement(args.tx_hash)
    verb = "Speed up" if args.tx_command == "speedup" else "Cancel"
    say(args, f"{verb} {original.tx_hash} (nonce {original.nonce}): the replacement pays up to "
              f"{format_amount(fees.max_fee_per_gas, 9)} gwei per gas; "
              f"{_fee_line(fees) if verb == 'Speed up' else 'a 21,000-gas transfer to yourself'}.")
    if not args.yes:
        confirm_or_cancel(f"{verb}?", nothing_done=NOTHING_SIGNED)
    _unlock(args, ctx)
    new = service.speed_up(original.tx_hash) if verb == "Speed up" else service.cancel_transaction(original.tx_hash)
    return _finish(args, ctx, new, {"replaces": original.tx_hash})
