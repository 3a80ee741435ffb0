"""A background thread that follows the chain: new blocks, connection state, the watched account's balances.

HTTP JSON-RPC has no push, so this polls once per interval; it publishes only changes, so subscribers see
events, never ticks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from wallet.errors import WalletError
from wallet.events import BalancesChanged, ConnectionChanged, EventBus, NewBlock

log = logging.getLogger(__name__)


class ChainWatcher:
    def __init__(self, bus: EventBus, block_number: Callable[[], int],
                 balances: Callable[[str], tuple[int, int]], *, interval: float = 1.0,
                 on_blocks: Callable[[int, int], None] | None = None) -> None:
        self._bus = bus
        self._block_number = block_number
        self._balances = balances
        self._interval = interval
        self._on_blocks = on_blocks  # (first, last) of the blocks that arrived since the previous poll
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._address: str | None = None
        self._last_block: int | None = None
        self._last_balances: tuple[str, int, int] | None = None
        self._state = ""

    def watch_address(self, address: str | None) -> None:
        self._address = address
        self._last_balances = None
        self._wake.set()

    def refresh(self) -> None:
        """Check now rather than at the next interval (after a transaction, say)."""
        self._last_balances = None
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="chain-watcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _set_state(self, state: str, reason: str = "") -> None:
        if state != self._state:
            self._state = state
            self._bus.publish(ConnectionChanged(state, reason))

    def poll_once(self) -> None:
        try:
            number = self._block_number()
        except WalletError as e:
            self._set_state("reconnecting" if self._state in ("connected", "reconnecting") else "down",
                            e.user_message)
            return
        self._set_state("connected")
        new_block = number != self._last_block
        if new_block:
            previous, self._last_block = self._last_block, number
            if self._on_blocks is not None and previous is not None and number > previous:
                try:
                    self._on_blocks(previous + 1, number)
                except WalletError as e:
                    log.info("block follow-up failed: %s", e.user_message)
            self._bus.publish(NewBlock(number))
        address = self._address
        # Balances only change with a block; re-read them then, or when asked to.
        if address is None or (not new_block and self._last_balances is not None):
            return
        try:
            eth, ait = self._balances(address)
        except WalletError as e:
            log.info("balance refresh failed: %s", e.user_message)
            return
        current = (address, eth, ait)
        if current != self._last_balances:
            self._last_balances = current
            self._bus.publish(BalancesChanged(address, eth, ait))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # the watcher must outlive any surprise, or the app would stop following the chain
                log.exception("chain watcher poll failed")
                self._set_state("down", "The network answered something unexpected; retrying.")
            self._wake.wait(self._interval)
            self._wake.clear()
