"""Core events, as typed objects delivered to subscribers (the GUI turns them into Qt signals).

Events are classes, not strings, so a typo is an import error rather than a silent no-op.
Subscribers are called on the thread that publishes; they must be quick and must not raise.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wallet.logs import log_failure

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewBlock:
    number: int


@dataclass(frozen=True)
class ConnectionChanged:
    state: str  # "connected" | "reconnecting" | "down"
    reason: str = ""


@dataclass(frozen=True)
class BalancesChanged:
    address: str
    eth: int
    ait: int


@dataclass(frozen=True)
class LockChanged:
    locked: bool


@dataclass(frozen=True)
class AccountsChanged:
    """An account was added, imported or renamed."""


@dataclass(frozen=True)
class AccountSelected:
    """The account the app shows and pays from is now ``address``."""

    address: str


@dataclass(frozen=True)
class NetworkSwitched:
    """The wallet now works on another network (or the same network at another place: a new devnet, a changed
    RPC address). Every figure read from the previous one — balances, block, providers, quotes — is void."""

    name: str
    chain_id: int
    is_devnet: bool


@dataclass(frozen=True)
class SettingsChanged:
    """A setting was saved; ``name`` is its key (``auto_lock_minutes``, ``networks``…)."""

    name: str


@dataclass(frozen=True)
class ProvidersChanged:
    """The registry changed on chain (a price, a provider): price sheets read before are stale."""


@dataclass(frozen=True)
class HistoryChanged:
    """Rows of the history were added, recomputed or dropped (a sync, a new record, a reorg)."""

    chain_id: int


@dataclass(frozen=True)
class HistorySyncProgress:
    block: int  # the last block read
    head: int


@dataclass(frozen=True)
class TransferReceived:
    """AIT or ETH arrived at one of the wallet's accounts (announced once, when the sync first sees it)."""

    account: str
    asset: str  # "AIT" | "ETH"
    amount: int  # base units / wei
    sender: str | None  # None for newly minted AIT
    tx_hash: str


@dataclass(frozen=True)
class PaymentProgress:
    """A payment moved on: "requesting", "signing", "waiting for the provider", "verifying", "settled"."""

    stage: str
    provider_id: int
    intent_id: int | None = None


@dataclass(frozen=True)
class PaymentSettled:
    """A payment's transfer was found on chain and checked against what was signed."""

    intent_id: int
    account: str
    provider_id: int
    amount: int      # AIT base units
    tx_hash: str


@dataclass(frozen=True)
class TransactionStatusChanged:
    """A transaction the wallet sent was confirmed, failed, replaced or expired."""

    tx_hash: str
    status: str
    kind: str


@dataclass(frozen=True)
class PaymentRecorded:
    """A payment record was written or changed (refused, pending, expired, cancelled, a problem noted)."""

    intent_id: int
    status: str


@dataclass(frozen=True)
class PaymentDisputed:
    """A metered payment settled on chain does not match the wallet's own count, or its usage receipt does not
    hold: it is kept as a dispute (``WalletService.payment(intent_id)`` has the evidence) and marks the
    provider (``WalletService.disputes_by_provider()``)."""

    intent_id: int
    account: str
    provider_id: int
    charged: int     # AIT base units, as the chain shows
    expected: int    # the metering rule on the wallet's own count
    tx_hash: str


@dataclass(frozen=True)
class PaymentBudgetsChanged:
    per_task: int | None   # AIT base units; None = no limit
    daily: int | None


Subscriber = Callable[[Any], None]


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._subscribers:
                    self._subscribers.remove(fn)

        return unsubscribe

    def publish(self, event: object) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for fn in subscribers:
            try:
                fn(event)
            except Exception as e:  # a faulty subscriber must not stop the others or the publisher
                log_failure(e, f"a subscriber to {type(event).__name__}", log)
