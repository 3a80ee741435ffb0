"""`ai-wallet history` and `ai-wallet spend`: every movement of the wallet's accounts, and where AIT went.

Both bring the history up to date from the chain first (``--no-sync`` skips it; with the network down the
stored history is shown with a note).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from wallet.cli.context import CliContext, say
from wallet.errors import WalletError
from wallet.history.model import HistoryFilter, Kind, Status
from wallet.units import format_amount


def register(sub: argparse._SubParsersAction) -> None:
    from wallet.cli.main import global_parent, nonempty, positive_int

    def offset(value: str) -> int:
        return 0 if value.strip() == "0" else positive_int(value)

    def filters(p: argparse.ArgumentParser) -> None:
        p.add_argument("--account", metavar="A", action="append", type=nonempty, help="only this account (repeatable)")
        p.add_argument("--provider", metavar="P", action="append", type=nonempty,
                       help="only payments to this provider (its registered name)")
        p.add_argument("--since", metavar="DATE", type=nonempty, help="from this date (YYYY-MM-DD, UTC) on")
        p.add_argument("--no-sync", action="store_true", help="show what is stored, without reading the chain")

    h = sub.add_parser("history", help="every movement of AIT and ETH, from the chain and the wallet's records",
                       parents=[global_parent()])
    filters(h)
    h.add_argument("--kind", choices=[k.value for k in Kind], action="append", help="only this kind (repeatable)")
    h.add_argument("--status", choices=[s.value for s in Status], action="append", help="only this status")
    h.add_argument("--limit", type=positive_int, default=100, metavar="N",
                   help="rows per page (default 100, at most 1000)")
    h.add_argument("--offset", type=offset, default=0, metavar="N", help="skip the N newest rows")
    h.add_argument("--csv", metavar="FILE", type=nonempty,
                   help="write every matching row to FILE as CSV (see docs/history.md)")
    h.set_defaults(func=cmd_history)

    s = sub.add_parser("spend", help="AIT paid to providers, summed by provider, model, day or week",
                       parents=[global_parent()])
    filters(s)
    s.add_argument("--by", choices=("provider", "model", "day", "week"), default="provider")
    s.set_defaults(func=cmd_spend)


def _filter(args: argparse.Namespace, **more: Any) -> HistoryFilter:
    from wallet.addresses import parse_address
    from wallet.history.query import parse_since

    return HistoryFilter(
        accounts=tuple(parse_address(a) for a in args.account or ()),
        providers=tuple(args.provider or ()),
        since=parse_since(args.since) if args.since else None,
        **more,
    )


def _sync(args: argparse.Namespace, ctx: CliContext) -> dict[str, Any]:
    if args.no_sync:
        return {"synced": False, "notes": []}
    try:
        report = ctx.service.sync_history()
    except WalletError as e:
        note = f"The history could not be brought up to date ({e.user_message}); showing what is stored."
        say(args, f"note: {note}")
        return {"synced": False, "notes": [note]}
    for note in report.notes:
        say(args, f"note: {note}")
    return {"synced": True, "head": report.head, "notes": report.notes}


def cmd_history(args: argparse.Namespace, ctx: CliContext) -> int:
    flt = _filter(args, kinds=tuple(args.kind or ()), statuses=tuple(args.status or ()))
    sync = _sync(args, ctx)
    if args.csv:
        n = ctx.service.export_history_csv(Path(args.csv), flt)
        if args.json:
            ctx.print_json({"written": n, "file": args.csv, **sync})
        else:
            print(f"{n} rows written to {args.csv}")
        return 0
    page = ctx.service.history_page(flt, args.offset, args.limit)
    if args.json:
        ctx.print_json({"rows": [r.to_json() for r in page.rows], "total": page.total, "offset": page.offset,
                        **sync})
        return 0
    for r in page.rows:
        sign = "+" if r.direction == "in" else "-"
        what = r.provider or r.counterparty or ""
        print(f"{r.time:%Y-%m-%d %H:%M}  {r.kind:<8} {r.status:<9} {sign}{format_amount(r.amount)} {r.asset:<4} "
              f"{r.account[:10]}…  {what}{payment_facts(r.details)}")
    print(f"{len(page.rows)} of {page.total} rows")
    return 0


def payment_facts(d: dict[str, Any]) -> str:
    """A payment's maximum against its charge, and its tokens (input / output received / output budget)."""
    if "max_base_units" not in d:
        return ""
    out = f" · max {format_amount(int(d['max_base_units']))}"
    if d.get("scheme") == "upto":
        out += " (metered)"
    if d.get("input_tokens") is not None:
        received = "?" if d.get("output_tokens") is None else f"{d['output_tokens']:,}"
        budget = "" if d.get("max_output_tokens") is None else f" of {d['max_output_tokens']:,}"
        out += f" · {d['input_tokens']:,} in / {received} out{budget} tokens"
    return out


def cmd_spend(args: argparse.Namespace, ctx: CliContext) -> int:
    flt = _filter(args)
    sync = _sync(args, ctx)
    buckets = ctx.service.spend_summary(args.by, flt)
    total = sum(b.amount for b in buckets)
    if args.json:
        ctx.print_json({"by": args.by, "buckets": [b.to_json() for b in buckets], "total": format_amount(total),
                        "total_base_units": str(total), **sync})
        return 0
    for b in buckets:
        print(f"{b.key:<30} {format_amount(b.amount):>24} AIT  ({b.count} payments)")
    print(f"{'total':<30} {format_amount(total):>24} AIT")
    return 0
