"""Following the wallet's pending transactions until the chain decides them.

Each pending record becomes, by what the node says:
* confirmed or failed — it has a receipt (status 1 or 0); its siblings with the same nonce are replaced;
* still pending — it left the node's pool for a replacement of ours with the same nonce, not mined yet;
* replaced — the account's nonce moved past it and no record of ours with that nonce was mined (a
  transaction sent elsewhere with the same key took the nonce);
* expired — the node no longer knows it and its nonce is still free (dropped from the pool, or a reset devnet);
* still pending otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.chain import txs
from wallet.chain.client import ChainClient
from wallet.history.model import Status
from wallet.storage import Database
from wallet.transfers import records
from wallet.transfers.records import TxRecord


@dataclass(frozen=True)
class StatusChange:
    record: TxRecord  # as it was before
    status: Status


def check_pending(db: Database, client: ChainClient) -> list[StatusChange]:
    chain_id = client.profile.chain_id
    with db.read() as conn:
        pending = records.with_status(conn, chain_id, Status.PENDING)
    if not pending:
        return []
    receipts = {r.id: client.receipt(r.tx_hash, "check a sent transaction") for r in pending}
    changes: list[StatusChange] = []
    decided: set[int] = set()
    with db.write() as conn:
        for rec in pending:
            receipt = receipts[rec.id]
            if receipt is None:
                continue
            status = Status.CONFIRMED if receipt.ok else Status.FAILED
            records.set_status(conn, rec.id, status, block_number=receipt.block_number,
                               block_hash=receipt.block_hash, fee_paid=receipt.fee_paid)
            changes.append(StatusChange(rec, status))
            decided.add(rec.id)
            for sibling in records.same_nonce(conn, chain_id, rec.sender, rec.nonce):
                if (sibling.id != rec.id and sibling.status in (Status.PENDING, Status.EXPIRED)
                        and receipts.get(sibling.id) is None):
                    records.set_status(conn, sibling.id, Status.REPLACED, replaced_by=rec.id)
                    changes.append(StatusChange(sibling, Status.REPLACED))
                    decided.add(sibling.id)
    undecided = [r for r in pending if r.id not in decided]
    if not undecided:
        return changes
    mined = {s: txs.mined_nonce(client, s) for s in {r.sender for r in undecided}}
    known = {r.id: txs.transaction(client, r.tx_hash) is not None for r in undecided}
    # A speed-up or cancellation in the pool pushes the original out of it: that one is being replaced, and
    # stays pending until one of them is mined.
    replacing = {(r.sender, r.nonce) for r in undecided if known[r.id]}
    with db.write() as conn:
        for rec in undecided:
            if mined[rec.sender] > rec.nonce:
                status = Status.REPLACED
            elif not known[rec.id] and (rec.sender, rec.nonce) not in replacing:
                status = Status.EXPIRED
            else:
                continue
            records.set_status(conn, rec.id, status)
            changes.append(StatusChange(rec, status))
    return changes
