"""Transactions with a nonce chosen by the caller: estimate, sign, broadcast, look up.

``ChainClient.send`` picks nonces itself (for the devnet's own accounts); the wallet's accounts take theirs
from the database under its write lock, so that the app and the CLI never reuse one, and replace stuck
transactions with the same nonce. Plain Python values leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from wallet.addresses import parse_address
from wallet.chain.client import ChainClient

ETH_TRANSFER_GAS = 21_000


@dataclass(frozen=True)
class TxRequest:
    """What a transaction does, before gas, fees and nonce: ``data`` is 0x-hex calldata."""

    sender: str
    to: str
    value: int = 0
    data: str = "0x"


@dataclass(frozen=True)
class SignedTx:
    raw: bytes
    tx_hash: str
    nonce: int
    gas: int
    max_fee: int
    priority_fee: int


@dataclass(frozen=True)
class TxInfo:
    tx_hash: str
    sender: str
    to: str | None
    value: int
    nonce: int
    gas: int
    max_fee: int
    priority_fee: int
    data: str
    block_number: int | None


def estimate_gas(client: ChainClient, req: TxRequest, action: str) -> int:
    """The node's estimate with 20% headroom (a plain ETH transfer to an account without code: exactly 21,000)."""
    tx: dict[str, Any] = {"from": parse_address(req.sender), "to": parse_address(req.to, allow_zero=True),
                          "value": req.value, "data": req.data}
    with client.guard(action):
        estimate = int(client.w3.eth.estimate_gas(tx))  # type: ignore[arg-type]
    return estimate if estimate == ETH_TRANSFER_GAS and req.data in ("0x", "") else estimate * 12 // 10


def sign(signer: LocalAccount, chain_id: int, req: TxRequest, *, nonce: int, gas: int, max_fee: int,
         priority_fee: int) -> SignedTx:
    if signer.address != parse_address(req.sender):
        raise ValueError("the signer is not the transaction's sender")
    tx = {
        "type": 2, "chainId": chain_id, "nonce": nonce, "to": parse_address(req.to, allow_zero=True),
        "value": req.value, "data": req.data, "gas": gas, "maxFeePerGas": max_fee,
        "maxPriorityFeePerGas": priority_fee,
    }
    signed = signer.sign_transaction(tx)
    return SignedTx(bytes(signed.raw_transaction), "0x" + bytes(signed.hash).hex(), nonce, gas, max_fee,
                    priority_fee)


def broadcast(client: ChainClient, signed: SignedTx, action: str) -> str:
    with client.guard(action):
        client.w3.eth.send_raw_transaction(signed.raw)
    return signed.tx_hash


def pending_nonce(client: ChainClient, address: str) -> int:
    return client.pending_nonce(address)


def mined_nonce(client: ChainClient, address: str) -> int:
    """How many of the account's transactions are in blocks (the next nonce the chain will accept)."""
    with client.guard("read the account's transaction count"):
        return int(client.w3.eth.get_transaction_count(parse_address(address), "latest"))


def transaction(client: ChainClient, tx_hash: str) -> TxInfo | None:
    """The transaction as the node knows it (in a block or in its pool), or None."""
    from web3.exceptions import TransactionNotFound

    with client.guard("read a transaction"):
        try:
            t = client.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None
    return TxInfo(
        tx_hash="0x" + bytes(t["hash"]).hex(), sender=parse_address(str(t["from"])),
        to=parse_address(str(t["to"]), allow_zero=True) if t.get("to") else None, value=int(t["value"]),
        nonce=int(t["nonce"]), gas=int(t["gas"]), max_fee=int(t.get("maxFeePerGas", t.get("gasPrice", 0))),
        priority_fee=int(t.get("maxPriorityFeePerGas", 0)), data="0x" + bytes(t["input"]).hex(),
        block_number=int(t["blockNumber"]) if t.get("blockNumber") is not None else None,
    )
