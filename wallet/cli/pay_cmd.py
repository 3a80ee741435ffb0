"""`ai-wallet run` and `ai-wallet budget`: pay a provider for a task, set the spending budgets. (The payment
records: `ai-wallet payments`, in payments_cmd.py.)"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from wallet.cli.context import CliContext, read_secret
from wallet.cli.exits import DISPUTED
from wallet.errors import InvalidInput, PaymentRefused, UserCancelled
from wallet.units import format_amount, parse_amount

if TYPE_CHECKING:
    from wallet.events import PaymentProgress
    from wallet.payments.expected import ExpectedCharge
    from wallet.payments.flow import PaymentResult, PreparedPayment


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
    r.add_argument("--scheme", choices=["auto", "upto", "exact"],
                   help="x402 payment scheme: upto (metered: authorize the quote as a maximum, pay the metering "
                        "rule on the output generated), exact (the quote, prepaid) or auto (upto when the provider "
                        "offers it, else exact). Default: the wallet's setting, auto unless changed")
    r.add_argument("--account", metavar="ADDR", help="pay from this account (default: the selected one)")
    r.add_argument("--yes", action="store_true", help="pay without asking (the guard still checks everything)")
    r.add_argument("--pay-again", action="store_true",
                   help="pay for a task that was already paid without its answer arriving")
    r.add_argument("--timeout", type=float, metavar="S", help="seconds to wait for the answer (default 120)")
    r.add_argument("--password-file", metavar="F", help="read the wallet password from file F")
    r.set_defaults(func=cmd_run)

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
                                       repeat=args.pay_again, scheme=args.scheme, on_progress=_progress(args))
    if not prepared.verdict.ok:
        raise PaymentRefused(prepared.verdict.message)
    expected = service.expected_charge(prepared.quote) if prepared.scheme == "upto" else None
    if not args.yes:
        print(confirmation_text(prepared, expected), file=sys.stderr)
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
                        "demand_base_units": str(prepared.amount),
                        "expected": expected.to_json() if expected is not None else None})
    else:
        print(result.response_text)
        print(receipt_text(prepared, result), file=sys.stderr)
    if result.status == "disputed":
        if args.json:  # the text receipt already says so
            print(f"disputed: payment {result.intent_id}: {' '.join(result.notes)}", file=sys.stderr)
        return DISPUTED
    return 0


def _progress(args: argparse.Namespace) -> Callable[[PaymentProgress], None]:
    def show(event: PaymentProgress) -> None:
        if not args.json:
            print(f"… {event.stage}", file=sys.stderr, flush=True)

    return show


def confirmation_text(p: PreparedPayment, expected: ExpectedCharge | None = None) -> str:
    amount = p.amount or 0
    verified = " (verified)" if p.provider.verified else ""
    if p.scheme == "upto":
        head = [f"Authorize at most {format_amount(amount)} AIT ({amount} base units) to {p.provider.name}{verified}",
                "  metered   you pay the metering rule on the output actually generated; the wallet checks the "
                "charge"]
        if expected is not None:
            head.append(f"  expected  about {format_amount(expected.expected)} AIT ({expected.basis})")
    else:
        head = [f"Pay {format_amount(amount)} AIT ({amount} base units) to {p.provider.name}{verified}"]
    lines = [
        *head,
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
    of = f" of at most {format_amount(r.max_base_units)} AIT" if r.scheme == "upto" else ""
    out = (f"Paid {paid}{of} to {p.provider.name} · {p.quote.input_tokens:,} in / {r.output_tokens:,} out of "
           f"{p.quote.max_output_tokens:,} tokens · payment {r.intent_id}" if r.output_tokens is not None else
           f"Paid {paid}{of} to {p.provider.name} · payment {r.intent_id}")
    if r.tx_hash:
        out += f" · tx {r.tx_hash}"
    if r.status == "disputed":
        out += "\nDISPUTED: the charge does not match the wallet's own count; the evidence is kept " \
               f"(`ai-wallet payments show {r.intent_id}`)."
    return "\n".join([out, *r.notes])


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
        if budgets.note():
            print(f"Note: {budgets.note()}")
    return 0


def _budget(text: str, option: str) -> int | None:
    if text.strip().lower() == "none":
        return None
    try:
        return parse_amount(text)
    except InvalidInput as e:
        raise InvalidInput(f"{option}: {e.user_message}") from None
