"""Keeping the history current while the app runs: each range of new blocks wakes one background thread that
checks the wallet's pending transactions and syncs the history.

It follows the chain watcher through ``follow_blocks`` (the network service's follower API), whose callback
only wakes the thread: a sync of thousands of blocks never holds up the watcher. Several new blocks while a
sync runs cause one more sync, not a queue of them; a network switch causes one too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from wallet.events import EventBus, NetworkSwitched
from wallet.logs import log_failure

FollowBlocks = Callable[[Callable[[int, int], None]], Callable[[], None]]

log = logging.getLogger(__name__)


class HistoryFollower:
    def __init__(self, bus: EventBus, follow_blocks: FollowBlocks, work: Callable[[], None]) -> None:
        self._bus = bus
        self._follow_blocks = follow_blocks
        self._work = work  # refresh pending transactions, then sync; raises WalletError when offline
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self.runs = 0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._unsubscribe = [self._bus.subscribe(self._on_event), self._follow_blocks(self._on_blocks)]
        self._thread = threading.Thread(target=self._run, name="history-follower", daemon=True)
        self._thread.start()
        self._wake.set()  # catch up once at start

    def stop(self) -> None:
        for stop in self._unsubscribe:
            stop()
        self._unsubscribe = []
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def poke(self) -> None:
        """Sync soon (after the wallet sent something, say)."""
        self._wake.set()

    def _on_blocks(self, first: int, last: int) -> None:
        self._wake.set()

    def _on_event(self, event: object) -> None:
        if isinstance(event, NetworkSwitched):
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._work()
            except Exception as e:  # the follower must outlive any failure, or the history would stop updating
                log_failure(e, "the history sync", log)
            self.runs += 1
