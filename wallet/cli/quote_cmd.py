"""`ai-wallet providers` and `ai-wallet quote`: the price sheet, and a task's exact price before it runs."""

from __future__ import annotations

import argparse
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from wallet.cli.context import CliContext
from wallet.errors import InvalidInput
from wallet.registry import ProviderInfo
from wallet.units import format_amount

if TYPE_CHECKING:  # the quote engine (and tiktoken) load only when a quote is asked for
    from wallet.payments.expected import ExpectedCharge
    from wallet.quote import PromptInput, Quote, Refusal


def register(sub: argparse._SubParsersAction) -> None:
    from wallet.cli.main import global_parent, nonempty, positive_int

    p = sub.add_parser("providers", help="providers in the registry and their model prices",
                       parents=[global_parent()],
                       description='Providers in the registry and their model prices (--json: [{"id", "name", '
                                   '"endpoint", "pay_to", "verified", "active", "models": [...]}]).')
    p.add_argument("--all", action="store_true", help="include inactive providers")
    p.set_defaults(func=cmd_providers)

    q = sub.add_parser(
        "quote", parents=[global_parent()],
        help="the exact price of a task at a provider (or at every provider, --compare)",
        description="Tokenizes the task locally with the model's metering encoding and prices it with the "
                    "provider's registered prices. Nothing is sent or paid.",
    )
    target = q.add_argument_group("where")
    target.add_argument("--provider", type=positive_int, metavar="ID", help="provider id in the registry")
    target.add_argument("--model", metavar="MODEL", type=nonempty, help="model id as the provider registered it")
    target.add_argument("--compare", action="store_true",
                        help="quote every active provider and model that can take the task, cheapest first")
    q.add_argument("--max-output", type=positive_int, required=True, metavar="N",
                   help="output budget in tokens (the request's max_tokens)")
    src = q.add_mutually_exclusive_group(required=True)
    src.add_argument("--prompt", metavar="TEXT", type=nonempty, help="the prompt text")
    src.add_argument("--file", metavar="FILE", type=nonempty, help="a UTF-8 text file used as the prompt")
    src.add_argument("--messages-file", metavar="FILE", type=nonempty,
                     help='a JSON chat: [{"role": "user", "content": "...", "name": "..."?}, ...]')
    q.add_argument("--system", metavar="TEXT", type=nonempty, help="a system prompt (with --prompt or --file)")
    q.add_argument("--address", metavar="ADDR", type=nonempty, help="also show the AIT balance of ADDR after paying")
    q.set_defaults(func=cmd_quote)


def cmd_providers(args: argparse.Namespace, ctx: CliContext) -> int:
    providers = ctx.service.list_providers(include_inactive=args.all)
    if args.json:
        ctx.print_json([p.to_json() for p in providers])
        return 0
    if not providers:
        print("No providers are registered on this network.")
        return 0
    print(providers_table(providers))
    return 0


def providers_table(providers: Sequence[ProviderInfo]) -> str:
    rows = [["ID", "PROVIDER", "MODEL", "ENCODING", "AIT / 1M IN", "AIT / 1M OUT", "CONTEXT", "MAX OUT"]]
    for p in providers:
        label = p.name + (" ✓" if p.verified else "") + ("" if p.active else " (inactive)")
        if not p.models:
            rows.append([str(p.id), label, "-", "", "", "", "", ""])
        for m in p.models:
            rows.append([str(p.id), label, m.model, m.encoding, format_amount(m.input_price),
                         format_amount(m.output_price), f"{m.context_window:,}", f"{m.max_output:,}"])
    lines = [table(rows, right={0, 4, 5, 6, 7})]
    lines += [f"  {p.id}: {p.endpoint}  pays to {p.pay_to}" for p in providers]
    return "\n".join(lines)


def table(rows: list[list[str]], right: Collection[int] = ()) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def _prompt_input(args: argparse.Namespace) -> PromptInput:
    from wallet.quote import PromptInput

    if args.messages_file:
        if args.system:
            raise InvalidInput("--system goes with --prompt or --file; "
                               "put a system message in the messages file instead.")
        return PromptInput.from_messages_file(args.messages_file)
    if args.file:
        return PromptInput.from_file(args.file, args.system)
    return PromptInput.text(args.prompt, args.system)


def cmd_quote(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.compare and (args.provider is not None or args.model):
        raise InvalidInput("--compare quotes every provider; leave out --provider and --model.")
    if not args.compare and (args.provider is None or not args.model):
        raise InvalidInput("Give --provider and --model, or --compare.")
    prompt_input = _prompt_input(args)
    balance = None
    if args.address:
        from wallet.addresses import parse_address

        balance = ctx.service.ait_balance(parse_address(args.address, allow_zero=True))
    if args.compare:
        result = ctx.service.compare(prompt_input, args.max_output, balance)
        if args.json:
            ctx.print_json({"quotes": [q.to_json() for q in result],
                            "refused": [r.to_json() for r in result.refusals]})
        else:
            print(compare_table(result, result.refusals))
        return 0 if result else 1
    q = ctx.service.quote(args.provider, args.model, prompt_input, args.max_output, balance)
    expected = ctx.service.expected_charge(q)  # the price is the maximum a metered payment may take
    if args.json:
        ctx.print_json({**q.to_json(), "expected": expected.to_json()})
    else:
        print(quote_text(q, expected))
    return 0


def quote_text(q: Quote, expected: ExpectedCharge | None = None) -> str:
    head = f"{q.provider_name} (provider {q.provider_id}{', verified' if q.verified else ''}) · {q.model}" \
           f" · metered by {q.encoding}"
    rows = [
        ["  input", f"{q.input_tokens:,} tokens", f"{q.input_cost} base units"],
        ["  output budget", f"{q.max_output_tokens:,} tokens", f"{q.output_cost} base units"],
        ["  price", f"{q.price_ait} AIT", f"{q.price_base_units} base units"],
    ]
    if expected is not None:
        rows[-1][0] = "  price (maximum)"
        rows.append(["  expected, metered", f"{format_amount(expected.expected)} AIT",
                     f"{expected.expected_output_tokens:,} output tokens"])
    if q.balance_after is not None:
        after = f"{format_amount(q.balance_after)} AIT" if q.balance_after >= 0 else "not enough AIT"
        rows.append(["  balance after", after, ""])
    note = f"\n  (expected: {expected.basis}; a metered payment is charged the output generated, at most the " \
           "price)" if expected is not None else ""
    return head + "\n" + table(rows, right={1, 2}) + note


def compare_table(quotes: Sequence[Quote], refusals: Sequence[Refusal]) -> str:
    out = []
    if quotes:
        rows = [["#", "PROVIDER", "MODEL", "INPUT TOK", "MAX OUT", "PRICE AIT"]]
        with_balance = quotes[0].balance_after is not None
        if with_balance:
            rows[0].append("AFTER")
        for i, q in enumerate(quotes, 1):
            row = [str(i), f"{q.provider_name}{' ✓' if q.verified else ''} ({q.provider_id})", q.model,
                   f"{q.input_tokens:,}", f"{q.max_output_tokens:,}", q.price_ait]
            if q.balance_after is not None:
                row.append(format_amount(q.balance_after) if q.balance_after >= 0 else "not enough")
            rows.append(row)
        out.append(table(rows, right={0, 3, 4, 5, 6}))
    else:
        out.append("No provider can take this task.")
    if refusals:
        out.append("")
        out.append("Cannot take it:")
        out += [f"  {r.provider_name} ({r.provider_id}) · {r.model}: {r.reason}" for r in refusals]
    return "\n".join(out)
