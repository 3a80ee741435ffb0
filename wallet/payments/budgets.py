"""Spending budgets: at most this much per task, at most this much per day (local calendar day).

Budgets live in the wallet's database rather than settings.json, so that the transaction that reserves a payment
reads the budget another wallet process just set, and the check and the reservation are one atomic step.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, time

from wallet.errors import InvalidInput
from wallet.storage.db import amount_to_db
from wallet.units import ONE, format_amount

PER_TASK_KEY = "payments.budget.per_task"
DAILY_KEY = "payments.budget.daily"
NO_LIMIT = "none"


@dataclass(frozen=True)
class Budgets:
    per_task: int | None  # base units; None = no limit
    daily: int | None

    def to_json(self) -> dict[str, str | None]:
        return {"per_task_base_units": _text(self.per_task), "daily_base_units": _text(self.daily),
                "per_task_ait": _ait(self.per_task), "daily_ait": _ait(self.daily), "note": self.note() or None}

    def note(self) -> str:
        """What a person should know of these limits together ("" when nothing): a per-task limit above the
        daily one is never reached, since a task is held to the daily limit too."""
        if self.per_task is not None and self.daily is not None and self.per_task > self.daily:
            return (f"The per-task limit ({format_amount(self.per_task)} AIT) is above the daily limit "
                    f"({format_amount(self.daily)} AIT), so a task can spend at most the daily limit.")
        return ""


DEFAULT_BUDGETS = Budgets(per_task=1 * ONE, daily=10 * ONE)


def day_start(now: float) -> int:
    """The Unix time of the local midnight that began the day containing ``now``."""
    return int(datetime.combine(datetime.fromtimestamp(now).date(), time()).timestamp())


def read_budgets(conn: sqlite3.Connection) -> Budgets:
    rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", (PER_TASK_KEY, DAILY_KEY)))
    return Budgets(_parse(rows.get(PER_TASK_KEY), DEFAULT_BUDGETS.per_task),
                   _parse(rows.get(DAILY_KEY), DEFAULT_BUDGETS.daily))


def write_budgets(conn: sqlite3.Connection, budgets: Budgets) -> None:
    for key, value in ((PER_TASK_KEY, budgets.per_task), (DAILY_KEY, budgets.daily)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise InvalidInput("A budget is a whole number of base units, zero or more (or no limit).")
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (key, NO_LIMIT if value is None else amount_to_db(value)))


def over_budget(amount: int, budgets: Budgets, spent_today: int) -> list[tuple[str, str]]:
    """(code, plain words) for each budget that ``amount`` would break."""
    out = []
    if budgets.per_task is not None and amount > budgets.per_task:
        out.append(("per_task_budget",
                    f"The payment of {_ait(amount)} AIT is over the per-task budget of "
                    f"{_ait(budgets.per_task)} AIT."))
    if budgets.daily is not None and spent_today + amount > budgets.daily:
        left = max(budgets.daily - spent_today, 0)
        out.append(("daily_budget",
                    f"The payment of {_ait(amount)} AIT is over what is left of today's budget: "
                    f"{_ait(left)} of {_ait(budgets.daily)} AIT."))
    return out


def _parse(text: str | None, default: int | None) -> int | None:
    if text is None:
        return default
    if text == NO_LIMIT:
        return None
    return int(text) if text.isascii() and text.isdigit() else default


def _text(v: int | None) -> str | None:
    return None if v is None else str(v)


def _ait(v: int | None) -> str | None:
    return None if v is None else format_amount(v)
