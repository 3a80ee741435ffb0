"""The history's public types: what a row is, how to ask for a page of them, and the spending summaries.

Amounts are ints in base units (AIT) or wei (ETH); ``to_json`` turns them into exact decimal strings.
Timestamps are Unix seconds (UTC).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from wallet.errors import InvalidInput
from wallet.safe_io import loads_bounded
from wallet.units import format_amount


class Kind(StrEnum):
    SEND = "send"  # AIT or ETH sent by one of the wallet's accounts
    RECEIVE = "receive"  # AIT or ETH received
    TOPUP = "topup"  # AIT bought with ETH through TokenSale
    PAYMENT = "payment"  # a provider paid through a signed authorization (x402)
    FAUCET = "faucet"  # a devnet faucet grant
    CANCEL = "cancel"  # a replacement that cancelled a stuck transaction (costs only its fee)
    CALL = "call"  # any other transaction the account sent that moved no AIT or ETH (its fee)


class Status(StrEnum):
    PENDING = "pending"  # sent, not yet in a block (or an authorization not yet settled)
    CONFIRMED = "confirmed"  # in a block whose hash the wallet checked
    FAILED = "failed"  # in a block but reverted (only the fee was spent), or refused before sending
    REPLACED = "replaced"  # another transaction with the same nonce was mined instead
    EXPIRED = "expired"  # dropped by the network / authorization expired unused: nothing moved
    DISPUTED = "disputed"  # a payment whose charge does not match the wallet's own count


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


ASSETS = ("AIT", "ETH")


@dataclass(frozen=True)
class ChainFact:
    """One thing the chain says about one of the wallet's accounts: a log, or a transaction it sent.

    ``kind``: ``ait_in``/``ait_out`` (Transfer logs), ``auth_used`` (AuthorizationUsed by the account, with
    its nonce), ``purchase`` (TokenSale's TokensPurchased), ``tx`` (a transaction the account sent:
    log_index -1, with its status and fee) and ``eth_in`` (plain ETH received: log_index -2).
    """

    chain_id: int
    tx_hash: str
    log_index: int
    account: str
    kind: str
    block_number: int
    block_hash: str
    timestamp: int
    asset: str
    amount: int
    counterparty: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WalletRecord:
    """What only the wallet knows about a movement: why it happened and what it was for.

    ``key`` is stable and unique across sources (``tx:12``, ``intent:…``). A record joins the chain's facts
    of the same account by ``tx_hash``, or, for a payment, by its EIP-3009 ``auth_nonce``.
    """

    key: str
    chain_id: int
    account: str
    kind: Kind
    status: Status
    direction: Direction
    asset: str
    amount: int
    created_at: int
    counterparty: str | None = None
    tx_hash: str | None = None
    auth_nonce: str | None = None
    fee: int | None = None
    provider: str | None = None
    model: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryRow:
    id: int
    chain_id: int
    account: str
    kind: str
    status: str
    direction: str
    asset: str
    amount: int
    fee: int | None
    counterparty: str | None
    tx_hash: str | None
    block_number: int | None
    timestamp: int
    provider: str | None
    model: str | None
    details: dict[str, Any]

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, UTC)

    def to_json(self) -> dict[str, Any]:
        d = dict(self.details)
        return {
            "id": self.id, "time": self.time.isoformat(), "chain_id": self.chain_id, "account": self.account,
            "kind": self.kind, "status": self.status, "direction": self.direction, "asset": self.asset,
            "amount": format_amount(self.amount),
            "fee_eth": None if self.fee is None else format_amount(self.fee),
            "counterparty": self.counterparty, "tx_hash": self.tx_hash, "block": self.block_number,
            "provider": self.provider, "model": self.model, "details": _json_amounts(d),
        }


def _json_amounts(details: dict[str, Any]) -> dict[str, Any]:
    """Detail fields ending in ``_base_units``/``_wei`` stay exact integers, as strings (JSON numbers are floats
    to many readers)."""
    return {k: (str(v) if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53 else v)
            for k, v in details.items()}


@dataclass(frozen=True)
class HistoryFilter:
    """Every field narrows the result; None or empty means "any"."""

    accounts: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    direction: str | None = None
    since: int | None = None  # timestamp >= since
    until: int | None = None  # timestamp < until
    text: str | None = None  # in the account, counterparty, tx hash, provider or model (any case)


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    total: int  # rows matching the filter, over all pages
    offset: int


@dataclass(frozen=True)
class SpendBucket:
    key: str  # provider name, model, or ISO date (day) / ISO date of the week's Monday (week)
    amount: int  # AIT base units charged
    count: int  # payments

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "amount": format_amount(self.amount), "amount_base_units": str(self.amount),
                "count": self.count}


@dataclass(frozen=True)
class SpendPoint:
    """One bar of the spending chart: what a provider was paid in one period."""

    period: str  # ISO date of the day, or of the week's Monday
    provider: str
    amount: int
    count: int


def details_to_db(details: dict[str, Any]) -> str | None:
    return json.dumps(details, sort_keys=True, separators=(",", ":")) if details else None


DETAILS_MAX_BYTES = 1024 * 1024
DETAILS_MAX_DEPTH = 32
UNREADABLE_DETAILS = "these details are damaged in the wallet's database and cannot be shown"


def details_from_db(text: str | None) -> dict[str, Any]:
    """A row's details, bounded: a damaged or hostile value (deep JSON would overflow the C stack once
    eth_account has raised the recursion limit) costs that row its details, never the whole history."""
    if not text:
        return {}
    try:
        doc = loads_bounded(text, max_bytes=DETAILS_MAX_BYTES, max_depth=DETAILS_MAX_DEPTH, what="history details")
    except InvalidInput:
        doc = None
    return doc if isinstance(doc, dict) else {"unreadable": UNREADABLE_DETAILS}
