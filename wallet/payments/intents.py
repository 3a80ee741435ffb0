"""Payment intents: the wallet's record of every payment it refused, signed, saw settle or saw expire.

An intent is written *before* its signature exists, with the nonce and validity the signature will carry, so a
crash at any later point leaves a record that reconciliation can settle against the chain. ``reserve`` checks
the budgets, checks no earlier payment for the same task may still settle, and inserts the intent in one
``BEGIN IMMEDIATE`` transaction: two wallet processes (the app and the CLI) cannot together overspend.

Statuses: ``refused`` (nothing was signed), ``pending`` (signed or about to be; may still settle), ``settled``
(the transfer is on chain, with its tx), ``expired`` (never used and no longer usable: no charge), ``cancelled``
(cancelled on chain: no charge), ``disputed`` (on chain, but a metered settlement does not match the wallet's own
count, or its usage receipt does not hold: the evidence is kept under ``evidence["dispute"]``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from wallet.errors import PaymentRefused
from wallet.payments.budgets import Budgets, day_start, over_budget, read_budgets, write_budgets
from wallet.payments.guard import PendingTask, earlier_payment_reasons
from wallet.storage import Database
from wallet.storage.db import amount_from_db, amount_to_db

REFUSED, PENDING, SETTLED, EXPIRED, CANCELLED = "refused", "pending", "settled", "expired", "cancelled"
DISPUTED = "disputed"
MOVED = (SETTLED, DISPUTED)     # statuses in which the chain moved money
FILL_HISTORY = 20               # payments a fill ratio is computed from
MAX_EVIDENCE_TEXT = 256 * 1024  # per field: a long prompt or answer is kept whole up to this, then cut


@dataclass(frozen=True)
class IntentDraft:
    """What is known about a payment before it is reserved."""

    task_key: str
    chain_id: int
    account: str
    provider_id: int
    provider_name: str
    endpoint: str
    model: str
    scheme: str
    asset: str
    pay_to: str
    quote: int
    authorized: int                 # what the signature allows: the amount (exact) or the maximum (metered)
    nonce: str | None = None        # 0x + 64 hex digits
    valid_after: int | None = None
    valid_before: int | None = None
    from_block: int | None = None   # the chain head when reserved: settlement logs are searched from here
    evidence: dict[str, Any] = field(default_factory=dict)
    input_tokens: int | None = None         # as the wallet counted the request
    max_output_tokens: int | None = None    # the output budget asked for


@dataclass(frozen=True)
class Intent(IntentDraft):
    id: int = 0
    created_at: int = 0
    updated_at: int = 0
    status: str = PENDING
    delivered: bool = False
    charged: int | None = None
    tx_hash: str | None = None
    block_number: int | None = None
    reason: str | None = None
    output_tokens: int | None = None   # the wallet's own count of the answer it received

    def to_json(self, *, evidence: bool = True) -> dict[str, Any]:
        out = asdict(self)
        if not evidence:
            out.pop("evidence")
        for k in ("quote", "authorized", "charged"):
            v = out.pop(k)
            out[f"{k}_base_units"] = None if v is None else str(v)
        return out


class RefusedPayment(PaymentRefused):
    """A payment refused before signing; the refusal is recorded as ``intent_id``."""

    def __init__(self, user_message: str, intent_id: int, codes: tuple[str, ...]) -> None:
        super().__init__(user_message)
        self.intent_id = intent_id
        self.codes = codes


class IntentStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- writing ---
    def reserve(self, draft: IntentDraft, *, repeat: bool = False, now: float | None = None) -> Intent:
        """Check budgets and earlier payments for the task, then insert a pending intent — atomically."""
        now = time.time() if now is None else now
        with self.db.write() as conn:
            budgets = read_budgets(conn)
            spent = self._spent_since(conn, draft.chain_id, day_start(now))
            earlier = self._earlier(conn, draft.task_key)
            refusals = [*over_budget(draft.authorized, budgets, spent),
                        *((r.code, r.message) for r in earlier_payment_reasons(earlier, repeat))]
            if refusals:
                message = " ".join(text for _, text in refusals) + " Nothing was signed."
                refused = self._insert(conn, replace(draft, nonce=None), REFUSED, message, now)
            else:
                return self._insert(conn, draft, PENDING, None, now)
        raise RefusedPayment(message, refused.id, tuple(code for code, _ in refusals))

    def record_refusal(self, draft: IntentDraft, message: str) -> Intent:
        with self.db.write() as conn:
            return self._insert(conn, replace(draft, nonce=None), REFUSED, message, time.time())

    def settle(self, intent_id: int, *, tx_hash: str, block_number: int, charged: int,
               reason: str | None = None, delivered: bool = False, output_tokens: int | None = None,
               **evidence: Any) -> Intent:
        return self._update(intent_id, {PENDING, EXPIRED}, status=SETTLED, tx_hash=tx_hash,
                            block_number=block_number, charged_base_units=amount_to_db(charged), reason=reason,
                            delivered=1 if delivered else None, output_tokens=output_tokens, evidence=evidence)

    def dispute(self, intent_id: int, *, tx_hash: str, block_number: int, charged: int, reason: str,
                delivered: bool = False, output_tokens: int | None = None, **evidence: Any) -> Intent:
        """On chain, but not what the wallet's own count allows: kept with its evidence."""
        return self._update(intent_id, {PENDING, EXPIRED, SETTLED}, status=DISPUTED, tx_hash=tx_hash,
                            block_number=block_number, charged_base_units=amount_to_db(charged), reason=reason,
                            delivered=1 if delivered else None, output_tokens=output_tokens, evidence=evidence)

    def void(self, intent_id: int, reason: str) -> Intent:
        """A reserved intent whose signature was never made: it becomes a refusal."""
        return self._update(intent_id, {PENDING}, status=REFUSED, reason=reason)

    def expire(self, intent_id: int) -> Intent:
        return self._update(intent_id, {PENDING}, status=EXPIRED)

    def cancel(self, intent_id: int, tx_hash: str | None = None, block_number: int | None = None) -> Intent:
        return self._update(intent_id, {PENDING}, status=CANCELLED, tx_hash=tx_hash, block_number=block_number)

    def mark_delivered(self, intent_id: int, output_tokens: int | None = None, **evidence: Any) -> Intent:
        return self._update(intent_id, None, delivered=1, output_tokens=output_tokens, evidence=evidence)

    def keep(self, intent_id: int, **evidence: Any) -> Intent:
        """Add evidence to a record, whatever its status."""
        return self._update(intent_id, None, evidence=evidence)

    def note(self, intent_id: int, reason: str, **evidence: Any) -> Intent:
        """Keep a problem in plain words and the evidence that shows it."""
        return self._update(intent_id, None, reason=reason, evidence=evidence)

    def set_budgets(self, budgets: Budgets) -> None:
        with self.db.write() as conn:
            write_budgets(conn, budgets)

    # --- reading ---
    def budgets(self) -> Budgets:
        with self.db.read() as conn:
            return read_budgets(conn)

    def get(self, intent_id: int) -> Intent:
        rows = self.db.execute("SELECT * FROM payment_intents WHERE id = ?", (intent_id,))
        if not rows:
            raise KeyError(intent_id)
        return _from_row(rows[0])

    def list(self, *, status: str | None = None, chain_id: int | None = None, limit: int = 500) -> list[Intent]:
        where, params = _filters(status=status, chain_id=chain_id)
        rows = self.db.execute(f"SELECT * FROM payment_intents {where} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [_from_row(r) for r in rows]

    def pending(self, chain_id: int, account: str | None = None) -> list[Intent]:
        where, params = _filters(status=PENDING, chain_id=chain_id, account=account)
        return [_from_row(r) for r in self.db.execute(f"SELECT * FROM payment_intents {where} ORDER BY id",
                                                      params)]

    def spent_today(self, chain_id: int, now: float | None = None) -> int:
        with self.db.read() as conn:
            return self._spent_since(conn, chain_id, day_start(time.time() if now is None else now))

    def outstanding(self, chain_id: int, account: str) -> int:
        """What this account's pending payments may still take."""
        return sum(i.authorized for i in self.pending(chain_id, account))

    def earlier(self, task_key: str) -> PendingTask | None:
        with self.db.read() as conn:
            return self._earlier(conn, task_key)

    def disputes_by_provider(self, chain_id: int) -> dict[int, int]:
        """How many disputed payments this wallet holds against each provider of a chain."""
        rows = self.db.execute("SELECT provider_id, COUNT(*) FROM payment_intents WHERE chain_id = ? AND status = ? "
                               "GROUP BY provider_id", (chain_id, DISPUTED))
        return {int(r[0]): int(r[1]) for r in rows}

    def fill_history(self, chain_id: int, provider_id: int, model: str,
                     limit: int = FILL_HISTORY) -> list[tuple[int, int]]:
        """(output tokens received, output budget) of the latest answered payments for this model there."""
        rows = self.db.execute(
            "SELECT output_tokens, max_output_tokens FROM payment_intents WHERE chain_id = ? AND provider_id = ? "
            "AND model = ? AND output_tokens IS NOT NULL AND max_output_tokens > 0 ORDER BY id DESC LIMIT ?",
            (chain_id, provider_id, model, limit))
        return [(int(r[0]), int(r[1])) for r in rows]

    # --- inside transactions ---
    @staticmethod
    def _spent_since(conn: sqlite3.Connection, chain_id: int, since: int) -> int:
        # Summed in Python: amounts are TEXT, since AIT amounts overflow SQLite's 64-bit integers.
        rows = conn.execute("SELECT authorized_base_units, charged_base_units FROM payment_intents "
                            "WHERE chain_id = ? AND created_at >= ? AND status IN ('pending', 'settled', 'disputed')",
                            (chain_id, since)).fetchall()
        return sum(amount_from_db(r[1]) if r[1] is not None else int(r[0]) for r in rows)

    @staticmethod
    def _earlier(conn: sqlite3.Connection, task_key: str) -> PendingTask | None:
        row = conn.execute("SELECT id, authorized_base_units, valid_before, status FROM payment_intents "
                           "WHERE task_key = ? AND (status = 'pending' OR "
                           "(status IN ('settled', 'disputed') AND delivered = 0)) "
                           "ORDER BY status = 'pending' DESC, id DESC LIMIT 1", (task_key,)).fetchone()
        if row is None:
            return None
        return PendingTask(row[0], int(row[1]), row[2], row[3] in MOVED)

    @staticmethod
    def _insert(conn: sqlite3.Connection, d: IntentDraft, status: str, reason: str | None, now: float) -> Intent:
        ts = int(now)
        cur = conn.execute(
            "INSERT INTO payment_intents (task_key, created_at, updated_at, chain_id, account, provider_id, "
            "provider_name, endpoint, model, scheme, asset, pay_to, quote_base_units, authorized_base_units, "
            "nonce, valid_after, valid_before, from_block, status, reason, evidence, input_tokens, max_output_tokens) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (d.task_key, ts, ts, d.chain_id, d.account, d.provider_id, d.provider_name, d.endpoint, d.model,
             d.scheme, d.asset, d.pay_to, amount_to_db(d.quote), amount_to_db(d.authorized), d.nonce,
             d.valid_after, d.valid_before, d.from_block, status, reason, _dump(d.evidence), d.input_tokens,
             d.max_output_tokens))
        return _from_row(conn.execute("SELECT * FROM payment_intents WHERE id = ?", (cur.lastrowid,)).fetchone())

    def _update(self, intent_id: int, from_status: set[str] | None, *, evidence: dict[str, Any] | None = None,
                **columns: Any) -> Intent:
        with self.db.write() as conn:
            row = conn.execute("SELECT * FROM payment_intents WHERE id = ?", (intent_id,)).fetchone()
            if row is None:
                raise KeyError(intent_id)
            if from_status is not None and row["status"] not in from_status:
                return _from_row(row)  # already moved on (another process reconciled it first)
            values = {k: v for k, v in columns.items() if v is not None}
            if evidence:
                values["evidence"] = _dump({**json.loads(row["evidence"]), **evidence})
            values["updated_at"] = int(time.time())
            sets = ", ".join(f"{k} = ?" for k in values)
            conn.execute(f"UPDATE payment_intents SET {sets} WHERE id = ?", (*values.values(), intent_id))
            return _from_row(conn.execute("SELECT * FROM payment_intents WHERE id = ?", (intent_id,)).fetchone())


def bounded_text(text: str) -> str:
    if len(text) <= MAX_EVIDENCE_TEXT:
        return text
    return text[:MAX_EVIDENCE_TEXT] + f"… [{len(text) - MAX_EVIDENCE_TEXT:,} more characters not kept]"


def _dump(evidence: dict[str, Any]) -> str:
    return json.dumps(evidence, sort_keys=True, default=str)


def _filters(**conditions: Any) -> tuple[str, tuple[Any, ...]]:
    used = {k: v for k, v in conditions.items() if v is not None}
    if not used:
        return "", ()
    return "WHERE " + " AND ".join(f"{k} = ?" for k in used), tuple(used.values())


def _from_row(row: sqlite3.Row) -> Intent:
    return Intent(
        id=row["id"], task_key=row["task_key"], created_at=row["created_at"], updated_at=row["updated_at"],
        chain_id=row["chain_id"], account=row["account"], provider_id=row["provider_id"],
        provider_name=row["provider_name"], endpoint=row["endpoint"], model=row["model"], scheme=row["scheme"],
        asset=row["asset"], pay_to=row["pay_to"], quote=int(row["quote_base_units"]),
        authorized=int(row["authorized_base_units"]), charged=amount_from_db(row["charged_base_units"]),
        nonce=row["nonce"], valid_after=row["valid_after"], valid_before=row["valid_before"],
        from_block=row["from_block"], status=row["status"], delivered=bool(row["delivered"]),
        tx_hash=row["tx_hash"], block_number=row["block_number"], reason=row["reason"],
        evidence=json.loads(row["evidence"]), input_tokens=row["input_tokens"],
        max_output_tokens=row["max_output_tokens"], output_tokens=row["output_tokens"],
    )
