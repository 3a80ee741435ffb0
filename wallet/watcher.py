"""A background thread that follows the chain: new blocks, connection state, the watched account's balances.

HTTP JSON-RPC has no push, so this polls once per interval; it publishes only changes, so subscribers see
events, never ticks. Other parts of the core follow the new block ranges with ``subscribe`` (the registry cache
is one; history sync will be another): each gets ``(first, last)`` of the blocks that arrived since the poll
before, and a failing one never stops the others or the watcher.

``reset()`` (a network switch) forgets everything the watcher knew: what a poll of the old network reads after
it is dropped, so nothing from the old chain is published once the switch is announced.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from wallet.errors import WalletError
from wallet.events import BalancesChanged, ConnectionChanged, EventBus, NewBlock
from wallet.logs import log_failure

log = logging.getLogger(__name__)
BlockFollower = Callable[[int, int], None]


class ChainWatcher:
    def __init__(self, bus: EventBus, block_number: Callable[[], int],
                 balances: Callable[[str], tuple[int, int]], *, interval: float = 1.0) -> None:
        self._bus = bus
        self._block_number = block_number
        self._balances = balances
        self.interval = interval
        # Reentrant: events are published under it (so a reset never interleaves with a publish), and a
        # subscriber may call back into the watcher.
        self._lock = threading.RLock()
        self._followers: list[BlockFollower] = []
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._generation = 0
        self._address: str | None = None
        self._last_block: int | None = None
        self._last_balances: tuple[str, int, int] | None = None
        self._state = ""

    # --- who follows what ---
    def subscribe(self, follower: BlockFollower) -> Callable[[], None]:
        """Call ``follower(first, last)`` for every range of new blocks; returns the function that stops it."""
        with self._lock:
            self._followers.append(follower)
        return lambda: self.unsubscribe(follower)

    def unsubscribe(self, follower: BlockFollower) -> None:
        with self._lock:
            if follower in self._followers:
                self._followers.remove(follower)

    def watch_address(self, address: str | None) -> None:
        with self._lock:
            self._address = address
            self._last_balances = None
        self._wake.set()

    def refresh(self) -> None:
        """Check now rather than at the next interval (after a transaction, say)."""
        with self._lock:
            self._last_balances = None
        self._wake.set()

    def reset(self, then: Callable[[], None] | None = None) -> None:
        """Another network: forget its blocks, balances and connection state; a poll under way is dropped.
        ``then`` runs before the watcher can publish anything of the new network (the switch's announcement
        goes there, so that what follows it is the new network's)."""
        with self._lock:
            self._generation += 1
            self._last_block = None
            self._last_balances = None
            self._state = ""
            if then is not None:
                then()
        self._wake.set()

    # --- the thread ---
    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="chain-watcher", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _set_state(self, generation: int, state: str, reason: str = "") -> None:
        with self._lock:
            if generation == self._generation and state != self._state:
                self._state = state
                self._bus.publish(ConnectionChanged(state, reason))

    def poll_once(self) -> None:
        with self._lock:
            generation, address = self._generation, self._address
        try:
            number = self._block_number()
        except WalletError as e:
            self._set_state(generation, "reconnecting" if self._state in ("connected", "reconnecting") else "down",
                            e.user_message)
            return
        self._set_state(generation, "connected")
        with self._lock:
            if generation != self._generation:
                return
            previous = self._last_block
            new_block = number != previous
            self._last_block = number
            followers = list(self._followers)
        if new_block and previous is not None and number > previous:
            self._tell_followers(followers, previous + 1, number)
        with self._lock:
            if generation != self._generation:
                return
            if new_block:
                self._bus.publish(NewBlock(number))
            # Balances only change with a block; re-read them then, or when asked to.
            if address is None or address != self._address or (not new_block and self._last_balances is not None):
                return
        try:
            eth, ait = self._balances(address)
        except WalletError as e:
            log.info("balance refresh failed: %s", e.user_message)
            return
        with self._lock:
            current = (address, eth, ait)
            if generation == self._generation and address == self._address and current != self._last_balances:
                self._last_balances = current
                self._bus.publish(BalancesChanged(address, eth, ait))

    @staticmethod
    def _tell_followers(followers: list[BlockFollower], first: int, last: int) -> None:
        for follower in followers:
            try:
                follower(first, last)
            except WalletError as e:
                log.info("following blocks %d-%d failed: %s", first, last, e.user_message)
            except Exception as e:  # one faulty follower must not starve the others
                log_failure(e, f"following blocks {first}-{last}")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as e:  # the watcher must outlive any surprise, or the app would stop following the chain
                log_failure(e, "following the chain")
                with self._lock:
                    generation = self._generation
                self._set_state(generation, "down", "The network answered something unexpected; retrying.")
            self._wake.wait(self.interval)
            self._wake.clear()
