"""From the node's raw JSON (hex strings) to ``ChainFact``s about the wallet's accounts.

The event layouts are fixed by the contracts: ``Transfer(address indexed from, address indexed to, uint256)``,
``AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)``,
``TokensPurchased(address indexed buyer, uint256 weiPaid, uint256 tokens)``.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from typing import Any

from eth_utils import keccak, to_checksum_address

from wallet.addresses import ZERO_ADDRESS
from wallet.history.model import ChainFact

TRANSFER = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
AUTHORIZATION_USED = "0x" + keccak(text="AuthorizationUsed(address,bytes32)").hex()
TOKENS_PURCHASED = "0x" + keccak(text="TokensPurchased(address,uint256,uint256)").hex()

TX_LOG_INDEX = -1  # the transaction itself, sent by the account (value, status, fee)
ETH_IN_LOG_INDEX = -2  # plain ETH received by the account in a top-level transaction


def topic_of(address: str) -> str:
    return "0x" + "0" * 24 + address[2:].lower()


@functools.lru_cache(maxsize=65_536)
def address_of(topic_or_hex: str) -> str:
    return str(to_checksum_address("0x" + topic_or_hex[-40:]))


def _int(value: str | int | None) -> int:
    """A quantity as nodes write it: 0x-hex text (some fields of some nodes: a JSON number)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value, 16) if isinstance(value, str) and value not in ("", "0x") else 0


def decode_logs(chain_id: int, logs: Iterable[dict[str, Any]], accounts: Collection[str], token: str,
                sale: str | None, timestamps: dict[int, int]) -> list[ChainFact]:
    """Facts for every account of ``accounts`` that a log concerns; logs of other contracts are ignored."""
    token_l = token.lower()
    sale_l = sale.lower() if sale else None
    mine = set(accounts)
    out: list[ChainFact] = []
    for log in logs:
        if log.get("removed"):
            continue
        topics = log.get("topics") or []
        if not topics:
            continue
        contract = str(log.get("address", "")).lower()
        block = _int(log["blockNumber"])
        base = {
            "chain_id": chain_id, "tx_hash": str(log["transactionHash"]).lower(),
            "log_index": _int(log["logIndex"]), "block_number": block, "block_hash": str(log["blockHash"]).lower(),
            "timestamp": _log_time(log, timestamps),
        }
        t0 = str(topics[0]).lower()
        if contract == token_l and t0 == TRANSFER and len(topics) == 3:
            src, dst, value = address_of(topics[1]), address_of(topics[2]), _int(log.get("data"))
            if src in mine:
                out.append(ChainFact(**base, account=src, kind="ait_out", asset="AIT", amount=value,
                                     counterparty=dst))
            if dst in mine:
                out.append(ChainFact(**base, account=dst, kind="ait_in", asset="AIT", amount=value,
                                     counterparty=src if src != ZERO_ADDRESS else None,
                                     extra={"minted": True} if src == ZERO_ADDRESS else {}))
        elif contract == token_l and t0 == AUTHORIZATION_USED and len(topics) == 3:
            who = address_of(topics[1])
            if who in mine:
                out.append(ChainFact(**base, account=who, kind="auth_used", asset="AIT", amount=0,
                                     extra={"nonce": str(topics[2]).lower()}))
        elif sale_l is not None and contract == sale_l and t0 == TOKENS_PURCHASED and len(topics) == 2:
            buyer = address_of(topics[1])
            data = str(log.get("data", "0x"))[2:]
            if buyer in mine and len(data) >= 128:
                wei, tokens = int(data[:64], 16), int(data[64:128], 16)
                out.append(ChainFact(**base, account=buyer, kind="purchase", asset="AIT", amount=tokens,
                                     counterparty=address_of(contract), extra={"paid_wei": wei}))
    return out


def _log_time(log: dict[str, Any], timestamps: dict[int, int]) -> int:
    ts = log.get("blockTimestamp")
    if ts:
        return _int(ts)
    return timestamps[_int(log["blockNumber"])]


def missing_timestamps(logs: Iterable[dict[str, Any]]) -> set[int]:
    """Blocks whose time the logs do not carry (older nodes omit ``blockTimestamp``)."""
    return {_int(log["blockNumber"]) for log in logs if not log.get("blockTimestamp")}


def decode_transactions(chain_id: int, account: str, txs: Iterable[dict[str, Any]],
                        receipts: dict[str, dict[str, Any]], timestamps: dict[int, int]) -> list[ChainFact]:
    """Facts from top-level transactions that ``account`` sent (``tx``) or received plain ETH in (``eth_in``)."""
    out: list[ChainFact] = []
    for tx in txs:
        tx_hash = str(tx["hash"]).lower()
        receipt = receipts.get(tx_hash)
        if receipt is None or receipt.get("blockNumber") is None:
            continue  # not in a block yet
        block = _int(receipt["blockNumber"])
        ts = _int(receipt.get("timestamp") or receipt.get("blockTimestamp")) or timestamps.get(block, 0)
        ok = _int(receipt.get("status")) == 1
        sender = address_of(str(tx["from"]))
        to = address_of(str(tx["to"])) if tx.get("to") else None
        value = _int(tx.get("value"))
        base = {"chain_id": chain_id, "tx_hash": tx_hash, "block_number": block,
                "block_hash": str(receipt["blockHash"]).lower(), "timestamp": ts}
        if sender == account:
            fee = _int(receipt.get("gasUsed")) * _int(receipt.get("effectiveGasPrice") or tx.get("gasPrice"))
            out.append(ChainFact(**base, log_index=TX_LOG_INDEX, account=account, kind="tx", asset="ETH",
                                 amount=value if ok else 0, counterparty=to,
                                 extra={"ok": ok, "fee_wei": fee, "nonce": _int(tx.get("nonce")),
                                        "value_wei": value, "has_data": str(tx.get("input", "0x")) != "0x"}))
        if to == account and value > 0 and ok and sender != account:
            out.append(ChainFact(**base, log_index=ETH_IN_LOG_INDEX, account=account, kind="eth_in",
                                 asset="ETH", amount=value, counterparty=sender))
    return out
