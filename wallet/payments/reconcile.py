"""Reconciliation: every pending intent becomes settled (with its tx), expired or cancelled (no charge), or stays
pending — decided by the chain alone, so it is right after any crash, in any process, as often as it runs.

An intent is expired only when the chain's own clock has passed its ``validBefore`` and the nonce is unused:
from then on no one can ever submit the signature. A metered payment found settled is checked against the
wallet's own count of the answer it received (``metered_check.check_recorded``): a mismatch makes it disputed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from wallet.chain.contracts import AuthorizationEvent
from wallet.payments.intents import CANCELLED, DISPUTED, EXPIRED, PENDING, SETTLED, Intent, IntentStore
from wallet.payments.ledger import Ledger, Settlement
from wallet.payments.metered_check import check_recorded


@dataclass
class ReconcileReport:
    settled: list[Intent] = field(default_factory=list)
    disputed: list[Intent] = field(default_factory=list)
    expired: list[Intent] = field(default_factory=list)
    cancelled: list[Intent] = field(default_factory=list)
    pending: list[Intent] = field(default_factory=list)

    def to_json(self) -> dict[str, list[int]]:
        return {k: [i.id for i in v] for k, v in vars(self).items()}

    @property
    def summary(self) -> str:
        parts = [f"{len(v)} {k}" for k, v in vars(self).items() if v]
        return ", ".join(parts) if parts else "no pending payments"


def reconcile_one(ledger: Ledger, store: IntentStore, intent: Intent, chain_now: int | None = None) -> Intent:
    if intent.status != PENDING or intent.nonce is None:
        return intent
    found = ledger.find_settlement(intent)
    if isinstance(found, Settlement):
        tx = {"hash": found.tx_hash, "block": found.block_number, "transferred_base_units": str(found.charged)}
        check = check_recorded(intent, found.charged, ledger.token.address)
        if check is not None and not check.ok:
            return store.dispute(intent.id, tx_hash=found.tx_hash, block_number=found.block_number,
                                 charged=found.charged, reason=" ".join(check.problems), tx=tx,
                                 dispute=check.to_json())
        reason = found.problem or intent.reason
        if check is None and intent.scheme == "upto":
            reason = ((reason + " ") if reason else "") + ("The wallet received no answer for this metered payment, "
                                                          "so it cannot check the charge against the output.")
        return store.settle(intent.id, tx_hash=found.tx_hash, block_number=found.block_number,
                            charged=found.charged, reason=reason, tx=tx)
    if isinstance(found, AuthorizationEvent):
        return store.cancel(intent.id, found.tx_hash, found.block_number)
    now = ledger.now() if chain_now is None else chain_now
    if intent.valid_before is not None and now >= intent.valid_before:
        return store.expire(intent.id)
    return intent


def reconcile(ledger: Ledger, store: IntentStore, intents: Iterable[Intent],
              on_change: Callable[[Intent], None] | None = None) -> ReconcileReport:
    report = ReconcileReport()
    pending = list(intents)
    chain_now = ledger.now() if pending else None
    for intent in pending:
        after = reconcile_one(ledger, store, intent, chain_now)
        {SETTLED: report.settled, DISPUTED: report.disputed, EXPIRED: report.expired,
         CANCELLED: report.cancelled}.get(
            after.status, report.pending).append(after)
        if after.status != intent.status and on_change is not None:
            on_change(after)
    return report
