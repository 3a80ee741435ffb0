"""Sending a transaction from one of the wallet's accounts: nonce, signature, record and broadcast as one step.

All of it happens inside one write transaction of the wallet database (``BEGIN IMMEDIATE``), so two wallet
processes (the app and a command) sending from the same account at once are serialized: the second one
sees the first one's transaction in the node's pending count and in ``nonce_state``, and never reuses its
nonce. If the broadcast fails, the transaction rolls back: no record, no nonce consumed. If the process dies
between broadcast and commit, the transaction is on the network without a record; the history sync finds it
on the chain (sent transactions are part of what it reads).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet.chain import txs
from wallet.chain.client import ChainClient, FeeEstimate
from wallet.history.model import Kind, Status
from wallet.storage import Database
from wallet.transfers import records
from wallet.transfers.records import TxRecord

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount


@dataclass(frozen=True)
class Movement:
    """What the wallet records about a transaction besides the transaction itself."""

    kind: Kind
    asset: str
    amount: int
    recipient: str | None
    details: dict[str, Any]


class TxSender:
    def __init__(self, db: Database, client: ChainClient, signer_for: Callable[[str], LocalAccount]) -> None:
        self.db = db
        self.client = client
        self.chain_id = client.profile.chain_id
        self._signer_for = signer_for

    def send(self, req: txs.TxRequest, movement: Movement, *, gas: int, fees: FeeEstimate, action: str,
             nonce: int | None = None, replaces: int | None = None) -> TxRecord:
        """Sign and broadcast ``req``; returns its record (status pending). ``nonce`` is given only for a
        replacement, which reuses the nonce of the transaction it replaces."""
        signer = self._signer_for(req.sender)  # raises WalletLocked before anything is taken
        with self.db.write() as conn:
            use = self._next_nonce(conn, req.sender) if nonce is None else nonce
            signed = txs.sign(signer, self.chain_id, req, nonce=use, gas=gas, max_fee=fees.max_fee,
                              priority_fee=fees.max_priority_fee)
            # Signatures are deterministic: the same transaction sent again after it expired has the same hash.
            again = records.by_hash(conn, self.chain_id, signed.tx_hash)
            if again is not None:
                records.set_status(conn, again.id, Status.PENDING)
            record = records.get(conn, again.id) if again is not None else records.insert(
                conn, chain_id=self.chain_id, account=req.sender, sender=req.sender, nonce=use,
                tx_hash=signed.tx_hash, kind=movement.kind, asset=movement.asset, amount=movement.amount,
                recipient=movement.recipient, tx_to=req.to, tx_value=req.value, tx_data=req.data, gas_limit=gas,
                max_fee=fees.max_fee, priority_fee=fees.max_priority_fee, replaces=replaces,
                details=movement.details)
            assert record is not None
            txs.broadcast(self.client, signed, action)
            conn.execute(
                "INSERT INTO nonce_state (chain_id, account, next_nonce) VALUES (?, ?, ?) ON CONFLICT (chain_id, "
                "account) DO UPDATE SET next_nonce = MAX(next_nonce, excluded.next_nonce)",
                (self.chain_id, req.sender, use + 1))
        return record

    def _next_nonce(self, conn: sqlite3.Connection, sender: str) -> int:
        """The node's pending count, unless this wallet already used higher nonces the node still holds
        (a node behind a load balancer may not count a transaction sent a moment ago)."""
        node = txs.pending_nonce(self.client, sender)
        row = conn.execute("SELECT next_nonce FROM nonce_state WHERE chain_id = ? AND account = ?",
                           (self.chain_id, sender)).fetchone()
        stored = int(row[0]) if row else 0
        if stored <= node:
            return node
        # Trust the stored value only while the last transaction it counts is still known to the node;
        # if the node dropped it (a reset devnet, an evicted transaction), a gap would block everything after.
        last = records.same_nonce(conn, self.chain_id, sender, stored - 1)
        if last and any(txs.transaction(self.client, r.tx_hash) is not None for r in last):
            return stored
        return node
