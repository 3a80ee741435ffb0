"""Providers and prices: the registry's price sheet (cached until the registry changes on chain or the network
is switched), quotes, comparisons, the live quote, the tokenizers, and whether an endpoint answers."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from wallet.events import EventBus, NetworkSwitched, ProvidersChanged
from wallet.registry import ProviderInfo

if TYPE_CHECKING:
    from concurrent.futures import Future

    from wallet.quote import Comparison, LiveQuote, PromptInput, Quote, QuoteEngine
    from wallet.services.network import NetworkService


class QuoteService:
    def __init__(self, network: NetworkService, bus: EventBus) -> None:
        self._network = network
        self._bus = bus
        self._engine: QuoteEngine | None = None
        network.follow_blocks(self._registry_events)
        bus.subscribe(self._on_event)

    def _on_event(self, event: object) -> None:
        if isinstance(event, NetworkSwitched):
            self.invalidate()

    @property
    def engine(self) -> QuoteEngine:
        from wallet.quote import QuoteEngine  # tiktoken, imported before the engine exists

        engine = self._engine
        if engine is None:
            # A new engine per network: a sheet still being read from the old one lands in the old engine.
            engine = self._engine = QuoteEngine(self.list_providers)
        return engine

    def invalidate(self) -> None:
        self._engine = None

    def _registry_events(self, first: int, last: int) -> None:
        """Any registry event in the new blocks (price set, provider updated…) makes the cached sheet stale."""
        registry = self._network.profile().contracts.get("ProviderRegistry")
        if registry is None or self._engine is None:
            return
        if self._network.chain().get_logs(registry, [], first, last):
            self.invalidate()
            self._bus.publish(ProvidersChanged())

    # --- the registry ---
    def list_providers(self, *, include_inactive: bool = False) -> list[ProviderInfo]:
        """Read the registry now (uncached)."""
        return self._network.registry().list_providers(include_inactive=include_inactive)

    def price_sheet(self, refresh: bool = False) -> tuple[ProviderInfo, ...]:
        """The active providers and their prices, as cached; ``refresh`` reads the registry again."""
        if refresh:
            self.invalidate()
        return self.engine.providers()

    @staticmethod
    def check_endpoint(url: str, timeout: float = 3.0) -> tuple[bool, str]:
        """Whether a provider's endpoint answers HTTP at all (any status): (reachable, what happened)."""
        import httpx

        t0 = time.monotonic()
        try:
            r = httpx.get(url, timeout=timeout, follow_redirects=False)
        except httpx.HTTPError as e:
            return False, f"not reachable ({e.__class__.__name__})"
        return True, f"HTTP {r.status_code} in {(time.monotonic() - t0) * 1000:.0f} ms"

    # --- quotes ---
    def quote(self, provider_id: int, model: str, prompt_input: PromptInput, max_output: int,
              balance: int | None = None) -> Quote:
        return self.engine.quote(provider_id, model, prompt_input, max_output, balance)

    def compare(self, prompt_input: PromptInput, max_output: int, balance: int | None = None) -> Comparison:
        return self.engine.compare(prompt_input, max_output, balance)

    def live_quote(self, provider_id: int, model: str, max_output: int, balance: int | None = None, *,
                   sheet: Sequence[ProviderInfo] | None = None) -> LiveQuote:
        """A quote to update on every keystroke. With ``sheet`` it quotes from that snapshot of the registry
        and never reaches the network (what the GUI thread needs); else from the cached sheet."""
        from wallet.quote import LiveQuote, QuoteEngine

        if sheet is None:
            return LiveQuote(self.engine, provider_id, model, max_output, balance)
        snapshot = tuple(sheet)
        return LiveQuote(QuoteEngine(lambda: snapshot), provider_id, model, max_output, balance)

    # --- tokenizers ---
    @staticmethod
    def warm_up_tokenizers() -> Future[None]:
        from wallet.tokenizers import warm_up

        return warm_up()

    @staticmethod
    def tokenizer_pending(encoding: str) -> bool:
        """True when the wallet counts with ``encoding`` but has not loaded it yet (a quote would wait for it).
        An encoding it cannot count at all is not pending: its quote is refused at once."""
        from wallet import tokenizers

        return encoding in tokenizers.SUPPORTED_ENCODINGS and not tokenizers.is_loaded(encoding)
