"""`ai-wallet payments`: the payment records — list, show one with its evidence, reconcile pending ones with the
chain, cancel an open authorization on chain, and the disputes held against providers."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from wallet.cli.context import CliContext, read_secret
from wallet.errors import InvalidInput
from wallet.units import format_amount

if TYPE_CHECKING:
    from wallet.payments.intents import Intent

ACTIONS = ["list", "show", "reconcile", "cancel", "disputes"]


def register(sub: argparse._SubParsersAction) -> None:
    from wallet.cli.main import global_parent

    p = sub.add_parser("payments", parents=[global_parent()],
                       help="payment records; reconcile them with the chain, cancel one, see disputes")
    p.add_argument("action", nargs="?", choices=ACTIONS, default="list",
                   help="list (default); show ID; reconcile pending payments with the chain; cancel ID: cancel a "
                        "pending payment's authorization on chain (the account pays the gas); disputes: charges "
                        "that do not match the wallet's own count, by provider")
    p.add_argument("id", nargs="?", type=int, help="the payment to show or cancel")
    p.add_argument("--pending", action="store_true", help="only payments that may still settle")
    p.add_argument("--provider", type=int, metavar="ID", help="disputes: only this provider's")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N payments (default 50)")
    p.add_argument("--password-file", metavar="F", help="cancel: read the wallet password from file F")
    p.set_defaults(func=cmd_payments)


def cmd_payments(args: argparse.Namespace, ctx: CliContext) -> int:
    service = ctx.service
    if args.action in ("show", "cancel") and args.id is None:
        raise InvalidInput(f"Which payment? Give its number: ai-wallet payments {args.action} ID.")
    if args.action not in ("show", "cancel") and args.id is not None:
        raise InvalidInput("A payment number goes with `show` or `cancel`: ai-wallet payments show ID.")
    if args.action == "reconcile":
        report = service.reconcile_payments()
        if args.json:
            ctx.print_json(report.to_json())
        else:
            print(f"Reconciled: {report.summary}.")
            for i in report.settled + report.disputed + report.expired + report.cancelled + report.pending:
                print(payment_line(i))
        return 0
    if args.action == "show":
        intent = service.payment(args.id)
        if args.json:
            ctx.print_json(intent.to_json())
        else:
            print(payment_details(intent))
        return 0
    if args.action == "cancel":
        service.payment(args.id)  # an unknown number is a usage error before any password is asked
        service.unlock(read_secret(args.password_file, "Wallet password: "))
        intent = service.cancel_payment(args.id)
        if args.json:
            ctx.print_json(intent.to_json(evidence=False))
        else:
            print(f"Cancelled on chain: payment {intent.id} can no longer be charged (tx {intent.tx_hash}).")
        return 0
    if args.action == "disputes":
        return _disputes(args, ctx)
    intents = service.payments(pending_only=args.pending, limit=args.limit)
    if args.json:
        ctx.print_json([i.to_json(evidence=False) for i in intents])
    elif not intents:
        print("No pending payments." if args.pending else "No payments yet.")
    else:
        print(HEADER)
        print("\n".join(payment_line(i) for i in intents))
    return 0


def _disputes(args: argparse.Namespace, ctx: CliContext) -> int:
    service = ctx.service
    counts = service.disputes_by_provider()
    disputes = service.disputes(provider_id=args.provider, limit=args.limit)
    if args.json:
        ctx.print_json({"by_provider": {str(k): v for k, v in sorted(counts.items())},
                        "disputes": [i.to_json() for i in disputes]})
        return 0
    if not disputes:
        print("No disputed payments.")
        return 0
    for pid, n in sorted(counts.items()):
        if args.provider is None or pid == args.provider:
            print(f"Provider {pid}: {n} disputed payment{'s' if n != 1 else ''}")
    for i in disputes:
        print(payment_line(i))
        print(f"       {i.reason or ''}")
    return 0


HEADER = (f"{'id':>5}  {'when':<19}  {'status':<9}  {'charged AIT':>18}  {'max AIT':>18}  "
          f"{'tokens in/out/budget':>21}  provider · model")


def _tokens(i: Intent) -> str:
    if i.input_tokens is None:
        return "-"
    out = "?" if i.output_tokens is None else f"{i.output_tokens:,}"
    return f"{i.input_tokens:,}/{out}/{i.max_output_tokens or 0:,}"


def payment_line(i: Intent) -> str:
    when = datetime.fromtimestamp(i.created_at).strftime("%Y-%m-%d %H:%M:%S")
    charged = "-" if i.charged is None else format_amount(i.charged)
    scheme = " (metered)" if i.scheme == "upto" else ""
    tx = f"  tx {i.tx_hash}" if i.tx_hash else ""
    return (f"{i.id:>5}  {when}  {i.status:<9}  {charged:>18}  {format_amount(i.authorized):>18}  "
            f"{_tokens(i):>21}  {i.provider_name} · {i.model}{scheme}{tx}")


def payment_details(i: Intent) -> str:
    receipt = (i.evidence.get("payment_response") or {}).get("extra", {}) or {}
    dispute = i.evidence.get("dispute") or {}
    rows = [("payment", str(i.id)), ("status", i.status + ("" if i.delivered or i.status not in ("settled", "disputed")
                                                           else " (no answer received)")),
            ("provider", f"{i.provider_name} (provider {i.provider_id}) · {i.endpoint}"), ("model", i.model),
            ("scheme", "upto (metered)" if i.scheme == "upto" else i.scheme),
            ("account", i.account), ("payee", i.pay_to), ("quote", f"{format_amount(i.quote)} AIT"),
            ("max authorized", f"{format_amount(i.authorized)} AIT"),
            ("charged", "-" if i.charged is None else f"{format_amount(i.charged)} AIT"),
            ("tokens", f"{_tokens(i)} (input / output received / output budget)"),
            ("nonce", i.nonce or "-"), ("valid before", "-" if i.valid_before is None else
                                         datetime.fromtimestamp(i.valid_before).isoformat(sep=" ")),
            ("tx", i.tx_hash or "-"), ("receipt", "yes" if receipt.get("receipt") else "-"),
            ("reason", i.reason or "-")]
    if dispute:
        rows.append(("expected", f"{format_amount(int(dispute.get('expected_base_units', 0)))} AIT (the metering "
                                 "rule on the wallet's own count)"))
        rows += [("problem", p) for p in dispute.get("problems", [])]
    return "\n".join(f"{k:>14}  {v}" for k, v in rows)
