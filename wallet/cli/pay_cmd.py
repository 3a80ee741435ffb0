"""`ai-wallet run`, `ai-wallet payments` and `ai-wallet budget`: pay a provider for a task, see and reconcile the
payment records, set the spending budgets."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from wallet.cli.context import CliContext, read_secret
from wallet.errors import InvalidInput, PaymentRefused, UserCancelled
from wallet.units import format_amount, parse_amount

if TYPE_CHECKING:
    from wallet.events import PaymentProgress
    from wallet.payments.flow import PaymentResult, PreparedPayment
    from wallet.payments.intents import Intent


def register(sub: argparse._SubParsersAction) -> None:
    from wallet.cli.main import global_parent

    r = sub.add_parser(
        "run", parents=[global_parent()], help="pay a provider for a task and print its answer",
        description="Quotes the task locally, asks the provider for its x402 payment demand, checks it against "
                    "the quote, the registry and your budgets, and only then signs (after asking, unless --yes).")
    r.add_argument("--provider", type=int, required=True, metavar="ID", help="provider id in the registry")
    r.add_argument("--model", required=True, metavar="MODEL", help="model id as the provider registered it")
    r.add_argument("--max-output", type=int, required=True, metavar="N", help="output budget in tokens")
    src = r.add_mutually_exclusive_group(required=True)
    src.add_argument("--prompt", metavar="TEXT", help="the prompt text")
    src.add_argument("--file", metavar="FILE", help="a UTF-8 text file used as the prompt")
    src.add_argument("--messages-file", metavar="FILE",
                     help='a JSON chat: [{"role": "user", "content": "...", "name": "..."?}, ...]')
    r.add_argument("--system", metavar="TEXT", help="a system prompt (with --prompt or --file)")
    r.add_argument("--scheme", choices=["exact"], default="exact",
                   help="x402 payment scheme (exact: the quoted price, prepaid)")
    r.add_argument("--account", metavar="ADDR", help="pay from this account (default: the selected one)")
    r.add_argument("--yes", action="store_true", help="pay without asking (the guard still checks everything)")
    r.add_argument("--pay-again", action="store_true",
                   help="pay for a task that was already paid without its answer arriving")
    r.add_argument("--timeout", type=float, metavar="S", help="seconds to wait for the answer (default 120)")
    r.add_argument("--password-file", metavar="F", help="read the wallet password from file F")
    r.set_defaults(func=cmd_run)

    p = sub.add_parser("payments", parents=[global_parent()], help="payment records; reconcile them with the chain")
    p.add_argument("action", nargs="?", choices=["list", "reconcile", "show"], default="list",
                   help="list (default), reconcile pending payments with the chain, or show one")
    p.add_argument("id", nargs="?", type=int, help="the payment to show")
    p.add_argument("--pending", action="store_true", help="only payments that may still settle")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N payments (default 50)")
    p.set_defaults(func=cmd_payments)

    b = sub.add_parser("budget", parents=[global_parent()], help="show or set the per-task and daily budgets")
    b.add_argument("--per-task", metavar="AIT", help='most one payment may be, in AIT ("none": no limit)')
    b.add_argument("--daily", metavar="AIT", help='most the payments of one day may add up to ("none": no limit)')
    b.set_defaults(func=cmd_budget)


# --- run ---
def cmd_run(args: argparse.Namespace, ctx: CliContext) -> int:
    from wallet.cli.quote_cmd import _prompt_input

    service = ctx.service
    prompt_input = _prompt_input(args)
    if args.timeout is not None:
        service.set_payment_timeout(args.timeout)
    account = args.account or service.current_account()
    if account is None:
        raise InvalidInput("There is no account to pay from: create or import a wallet first.")

    prepared = service.prepare_payment(args.provider, args.model, prompt_input, args.max_output, account=account,
                                       repeat=args.pay_again, on_progress=_progress(args))
    if not prepared.verdict.ok:
        raise PaymentRefused(prepared.verdict.message)
    if not args.yes:
        print(confirmation_text(prepared), file=sys.stderr)
        print("Sign and pay? [y/N] ", end="", file=sys.stderr, flush=True)
        try:
            answer = sys.stdin.readline(16)
        except (OSError, UnicodeDecodeError):
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            raise UserCancelled("Not paid. Nothing was signed.")
    service.unlock(read_secret(args.password_file, "Wallet password: "))
    result = service.pay(prepared, _progress(args), repeat=args.pay_again)
    if args.json:
        ctx.print_json({**result.to_json(), "account": account, "pay_to": prepared.provider.pay_to,
                        "demand_base_units": str(prepared.amount)})
    else:
        print(result.response_text)
        print(receipt_text(prepared, result), file=sys.stderr)
    return 0


def _progress(args: argparse.Namespace) -> Callable[[PaymentProgress], None]:
    def show(event: PaymentProgress) -> None:
        if not args.json:
            print(f"… {event.stage}", file=sys.stderr, flush=True)

    return show


def confirmation_text(p: PreparedPayment) -> str:
    amount = p.amount or 0
    lines = [
        f"Pay {format_amount(amount)} AIT ({amount} base units) to {p.provider.name}"
        f"{' (verified)' if p.provider.verified else ''}",
        f"  payee     {p.provider.pay_to}",
        f"  endpoint  {p.url}",
        f"  task      {p.quote.model}: {p.quote.input_tokens:,} input tokens, up to {p.quote.max_output_tokens:,} "
        f"output tokens; quote {p.quote.price_ait} AIT",
        f"  valid for {p.validity_seconds} s",
        f"  guard     {p.verdict.message}",
    ]
    lines += [f"  note      {n}" for n in p.verdict.notes]
    return "\n".join(lines)


def receipt_text(p: PreparedPayment, r: PaymentResult) -> str:
    paid = "not settled yet" if r.paid_base_units is None else f"{format_amount(r.paid_base_units)} AIT"
    usage = r.usage or {}
    tokens = f" · {usage.get('prompt_tokens', '?')} in / {usage.get('completion_tokens', '?')} out" if usage else ""
    out = f"Paid {paid} to {p.provider.name} · quote {p.quote.price_ait} AIT{tokens} · payment {r.intent_id}"
    if r.tx_hash:
        out += f" · tx {r.tx_hash}"
    return "\n".join([out, *r.notes])


# --- payments ---
def cmd_payments(args: argparse.Namespace, ctx: CliContext) -> int:
    service = ctx.service
    if args.action == "reconcile":
        report = service.reconcile_payments()
        if args.json:
            ctx.print_json(report.to_json())
        else:
            print(f"Reconciled: {report.summary}.")
            for i in report.settled + report.expired + report.cancelled + report.pending:
                print(payment_line(i))
        return 0
    if args.action == "show":
        if args.id is None:
            raise InvalidInput("Which payment? Give its number: ai-wallet payments show ID.")
        intent = service.payment(args.id)
        if args.json:
            ctx.print_json(intent.to_json())
        else:
            print(payment_details(intent))
        return 0
    if args.id is not None:
        raise InvalidInput("A payment number goes with `show`: ai-wallet payments show ID.")
    intents = service.payments(pending_only=args.pending, limit=args.limit)
    if args.json:
        ctx.print_json([i.to_json(evidence=False) for i in intents])
    elif not intents:
        print("No pending payments." if args.pending else "No payments yet.")
    else:
        print("\n".join(payment_line(i) for i in intents))
    return 0


def payment_line(i: Intent) -> str:
    when = datetime.fromtimestamp(i.created_at).strftime("%Y-%m-%d %H:%M:%S")
    amount = i.charged if i.charged is not None else i.authorized
    tx = f"  tx {i.tx_hash}" if i.tx_hash else ""
    return f"{i.id:>5}  {when}  {i.status:<9}  {format_amount(amount):>12} AIT  {i.provider_name} · {i.model}{tx}"


def payment_details(i: Intent) -> str:
    rows = [("payment", str(i.id)), ("status", i.status + ("" if i.delivered or i.status != "settled"
                                                           else " (no answer received)")),
            ("provider", f"{i.provider_name} (provider {i.provider_id}) · {i.endpoint}"), ("model", i.model),
            ("account", i.account), ("payee", i.pay_to), ("quote", f"{format_amount(i.quote)} AIT"),
            ("authorized", f"{format_amount(i.authorized)} AIT"),
            ("charged", "-" if i.charged is None else f"{format_amount(i.charged)} AIT"),
            ("nonce", i.nonce or "-"), ("valid before", "-" if i.valid_before is None else
                                         datetime.fromtimestamp(i.valid_before).isoformat(sep=" ")),
            ("tx", i.tx_hash or "-"), ("reason", i.reason or "-")]
    return "\n".join(f"{k:>13}  {v}" for k, v in rows)


# --- budget ---
def cmd_budget(args: argparse.Namespace, ctx: CliContext) -> int:
    service = ctx.service
    if args.per_task is not None or args.daily is not None:
        current = service.payment_budgets()
        per_task = current.per_task if args.per_task is None else _budget(args.per_task, "--per-task")
        daily = current.daily if args.daily is None else _budget(args.daily, "--daily")
        service.set_payment_budgets(per_task, daily)
    budgets = service.payment_budgets()
    spent = service.spent_today()
    if args.json:
        ctx.print_json({**budgets.to_json(), "spent_today_base_units": str(spent),
                        "spent_today_ait": format_amount(spent)})
    else:
        show = lambda v: "no limit" if v is None else f"{format_amount(v)} AIT"  # noqa: E731
        print(f"Per task: {show(budgets.per_task)}\nPer day:  {show(budgets.daily)} "
              f"({format_amount(spent)} AIT spent today)")
    return 0


def _budget(text: str, option: str) -> int | None:
    if text.strip().lower() == "none":
        return None
    try:
        return parse_amount(text)
    except InvalidInput as e:
        raise InvalidInput(f"{option}: {e.user_message}") from None
