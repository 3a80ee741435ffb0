"""The devnet faucet's grants, recorded like any transaction the wallet caused, so the history shows them."""

from __future__ import annotations

from wallet.chain import txs
from wallet.chain.client import ChainClient
from wallet.history.model import Kind, Status
from wallet.storage import Database
from wallet.transfers import records


def record_grant(db: Database, client: ChainClient, recipient: str, asset: str, amount: int,
                 tx_hash: str) -> str:
    """Store one confirmed grant (ETH sent, or AIT minted, to ``recipient``); returns its record key."""
    info = txs.transaction(client, tx_hash)
    receipt = client.receipt(tx_hash, "read a faucet grant's receipt")
    if info is None or receipt is None:
        raise ValueError("a faucet grant is recorded after its receipt")
    chain_id = client.profile.chain_id
    with db.write() as conn:
        existing = records.by_hash(conn, chain_id, tx_hash)
        if existing is not None:
            return existing.key
        rec = records.insert(
            conn, chain_id=chain_id, account=recipient, sender=info.sender, nonce=info.nonce, tx_hash=tx_hash,
            kind=Kind.FAUCET, asset=asset, amount=amount, recipient=recipient, tx_to=info.to, tx_value=info.value,
            tx_data=info.data, gas_limit=info.gas, max_fee=info.max_fee, priority_fee=info.priority_fee,
            status=Status.CONFIRMED if receipt.ok else Status.FAILED)
        records.set_status(conn, rec.id, rec.status, block_number=receipt.block_number,
                           block_hash=receipt.block_hash, fee_paid=receipt.fee_paid)
    return rec.key
