"""Keeping the history current while the app runs: each new block wakes one background thread that checks
the wallet's pending transactions and syncs the history.

It listens to ``NewBlock`` on the event bus (published by the chain watcher), so it needs nothing from the
watcher but its events, and several new blocks while a sync runs cause one more sync, not a queue of them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from wallet.errors import WalletError
from wallet.events import EventBus, NewBlock

log = logging.getLogger(__name__)


class HistoryFollower:
    def __init__(self, bus: EventBus, work: Callable[[], None]) -> None:
        self._bus = bus
        self._work = work  # refresh pending transactions, then sync; raises WalletError when offline
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.runs = 0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._unsubscribe = self._bus.subscribe(self._on_event)
        self._thread = threading.Thread(target=self._run, name="history-follower", daemon=True)
        self._thread.start()
        self._wake.set()  # catch up once at start

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def poke(self) -> None:
        """Sync soon (after the wallet sent something, say)."""
        self._wake.set()

    def _on_event(self, event: object) -> None:
        if isinstance(event, NewBlock):
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._work()
            except WalletError as e:
                log.info("history sync skipped: %s", e.user_message)
            except Exception:  # the follower must outlive any surprise, or the history would stop updating
                log.exception("history sync failed")
            self.runs += 1
