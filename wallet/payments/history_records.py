"""Payment intents as history records: what only the wallet knows about each payment joins the chain's transfer.

A payment is joined to its on-chain transfer by its EIP-3009 authorization nonce (the account's
``AuthorizationUsed``), or by the settlement's transaction hash once known. Statuses map to the history's:
refused → failed (nothing was signed), pending → pending, settled → confirmed, disputed → disputed (charged, but
not what the wallet's own count allows), expired and cancelled → expired (nothing moved).

Each payment shows the maximum authorized, the amount charged and the tokens: input and output budget as quoted,
output as the wallet counted the answer it received (the provider's reported usage for records older than
those counts). Only the small fields are read from the evidence (the provider's usage, the response's id, a
dispute), in SQL, so a history refresh never parses the kept request and response bodies in Python.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from wallet.events import PaymentDisputed, PaymentRecorded, PaymentSettled
from wallet.history.model import Direction, Kind, Status, WalletRecord
from wallet.history.sources import RecordSelector, chunks, placeholders

_STATUS = {"refused": Status.FAILED, "pending": Status.PENDING, "settled": Status.CONFIRMED,
           "disputed": Status.DISPUTED, "expired": Status.EXPIRED, "cancelled": Status.EXPIRED}
_COLUMNS = (
    "id, chain_id, account, created_at, provider_id, provider_name, model, scheme, pay_to, quote_base_units, "
    "authorized_base_units, charged_base_units, nonce, status, tx_hash, reason, "
    "json_extract(evidence, '$.usage.prompt_tokens'), json_extract(evidence, '$.usage.completion_tokens'), "
    "CASE WHEN json_valid(json_extract(evidence, '$.response.body')) "
    "THEN json_extract(json_extract(evidence, '$.response.body'), '$.id') END, "
    "json_extract(evidence, '$.dispute'), input_tokens, output_tokens, max_output_tokens"
)


def _record(r: sqlite3.Row | tuple) -> WalletRecord:
    (iid, chain_id, account, created_at, provider_id, provider, model, scheme, pay_to, quote, authorized, charged,
     nonce, status, tx_hash, reason, usage_in, usage_out, response_id, dispute, own_in, own_out,
     budget) = tuple(r)
    history_status = Status.DISPUTED if status == "settled" and dispute else _STATUS.get(status, Status.PENDING)
    if isinstance(dispute, str) and dispute.startswith("{"):  # json_extract gives an object as its JSON text
        dispute = json.loads(dispute)
    input_tokens = own_in if own_in is not None else usage_in
    output_tokens = own_out if own_out is not None else usage_out
    amount = int(charged) if charged is not None else (int(quote) if status == "refused" else int(authorized))
    details = {
        "payment_id": iid, "provider_id": provider_id, "scheme": scheme, "quote_base_units": str(quote),
        "max_base_units": str(authorized), "charged_base_units": None if charged is None else str(charged),
        "input_tokens": input_tokens, "output_tokens": output_tokens, "max_output_tokens": budget,
        "response_id": response_id,
        "note": reason, "dispute": dispute, "cancelled": status == "cancelled" or None,
    }
    return WalletRecord(
        key=f"intent:{iid}", chain_id=chain_id, account=account, kind=Kind.PAYMENT, status=history_status,
        direction=Direction.OUT, asset="AIT", amount=amount, created_at=int(created_at), counterparty=pay_to,
        tx_hash=tx_hash.lower() if tx_hash else None, auth_nonce=nonce.lower() if nonce else None,
        provider=provider, model=model, details={k: v for k, v in details.items() if v is not None},
    )


class IntentRecordSource:
    """``payment_intents`` as a history ``RecordSource``."""

    def records(self, conn: sqlite3.Connection, chain_id: int,
                selector: RecordSelector | None) -> Iterable[WalletRecord]:
        if selector is None:
            return [_record(r) for r in conn.execute(
                f"SELECT {_COLUMNS} FROM payment_intents WHERE chain_id = ?", (chain_id,))]
        found: dict[int, WalletRecord] = {}
        ids = [k.split(":", 1)[1] for k in selector.keys if k.startswith("intent:") and k[7:].isdigit()]
        for column, values in (("id", ids), ("lower(tx_hash)", list(selector.tx_hashes)),
                               ("lower(nonce)", list(selector.auth_nonces))):
            for part in chunks(values):
                for r in conn.execute(f"SELECT {_COLUMNS} FROM payment_intents WHERE chain_id = ? AND {column} IN "
                                      f"({placeholders(len(part))})", (chain_id, *part)):
                    found[r[0]] = _record(r)
        return list(found.values())

    @staticmethod
    def keys_for(event: object) -> list[str]:
        """The records an event says changed (the payment flow announces every change it makes)."""
        if isinstance(event, (PaymentRecorded, PaymentSettled, PaymentDisputed)):
            return [f"intent:{event.intent_id}"]
        return []

    @staticmethod
    def changed_since(conn: sqlite3.Connection, chain_id: int, since: int) -> list[str]:
        """Records changed at or after ``since`` (a safety net for a change whose announcement was missed)."""
        return [f"intent:{r[0]}" for r in conn.execute(
            "SELECT id FROM payment_intents WHERE chain_id = ? AND updated_at >= ?", (chain_id, since))]
