"""The provider's own registry entry (endpoint, payTo, price sheet), followed through the registry's events.

The entry is read once at start; a background thread then polls the ProviderRegistry's logs for events about
this provider (every event carries the provider id as its first indexed topic) and re-reads the entry when one
appears. Requests never wait for the chain: they price against the last entry read.
"""

from __future__ import annotations

import logging
import threading

from wallet.chain.client import ChainClient
from wallet.chain.contracts import ProviderRegistry
from wallet.errors import WalletError
from wallet.registry import ProviderInfo

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# A re-read now and then even without events, so a log range an RPC node dropped cannot leave a stale price.
FULL_REFRESH_SECONDS = 300.0


def id_topic(provider_id: int) -> str:
    return "0x" + provider_id.to_bytes(32, "big").hex()


class PriceSheet:
    """What the registry says about one provider, kept current. Thread-safe."""

    def __init__(self, client: ChainClient, registry: ProviderRegistry, provider_id: int, *,
                 poll_seconds: float = POLL_SECONDS) -> None:
        self._client = client
        self._registry = registry
        self.provider_id = provider_id
        self._poll = poll_seconds
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_block = client.block_number()
        self._entry = registry.get_provider(provider_id)
        self._generation = 0

    # --- reading ---
    def current(self) -> ProviderInfo:
        with self._cond:
            return self._entry

    @property
    def generation(self) -> int:
        """How many times the entry was re-read after a change; grows by one per change seen."""
        with self._cond:
            return self._generation

    def wait_for_generation(self, generation: int, timeout: float) -> bool:
        """Block until at least ``generation`` changes were seen (or ``timeout`` passed)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._generation >= generation, timeout)

    # --- following ---
    def start(self) -> PriceSheet:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"price-sheet-{self.provider_id}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        since_full = 0.0
        failing = False
        while not self._stop.wait(self._poll):
            since_full += self._poll
            try:
                changed = self.poll_once(full=since_full >= FULL_REFRESH_SECONDS)
                if changed or since_full >= FULL_REFRESH_SECONDS:
                    since_full = 0.0
                if failing:
                    log.warning("the registry answers again; following provider %d", self.provider_id)
                failing = False
            except WalletError as e:
                if not failing:
                    log.warning("cannot follow the registry (keeping the last price sheet): %s", e.user_message)
                failing = True

    def poll_once(self, *, full: bool = False) -> bool:
        """Look for new events about this provider; re-read its entry if there are any. Returns whether the
        entry changed."""
        head = self._client.block_number()
        if head <= self._last_block and not full:
            return False
        events = []
        if head > self._last_block:
            events = self._client.get_logs(self._registry.address, [None, id_topic(self.provider_id)],
                                           self._last_block + 1, head)
        if not events and not full:
            self._last_block = head
            return False
        entry = self._registry.get_provider(self.provider_id)
        with self._cond:
            self._last_block = head
            changed = entry != self._entry
            if changed:
                self._entry = entry
                self._generation += 1
                self._cond.notify_all()
        if changed:
            log.info("provider %d changed in the registry (block %d)", self.provider_id, head)
        return changed
