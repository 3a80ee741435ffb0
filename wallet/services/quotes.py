"""Providers and prices: the registry's price sheet (cached until the registry changes on chain or the network
is switched), quotes, comparisons, the live quote, the tokenizers, whether an endpoint answers, and the task
choice (provider, model, budget, system prompt) remembered per network."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from wallet.config import DataDir, Settings
from wallet.events import EventBus, NetworkSwitched, ProvidersChanged, SettingsChanged
from wallet.registry import ProviderInfo
from wallet.task_choice import SETTING, TaskChoice

if TYPE_CHECKING:
    from concurrent.futures import Future

    from wallet.quote import Comparison, LiveQuote, PromptInput, Quote, QuoteEngine
    from wallet.services.network import NetworkService


class QuoteService:
    def __init__(self, network: NetworkService, bus: EventBus, data_dir: DataDir, settings: Settings) -> None:
        self._network = network
        self._bus = bus
        self._data_dir = data_dir
        self._settings = settings
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
        """Whether a provider's endpoint answers HTTP at all (any status): (True, "HTTP 200 in 55 ms"), or
        (False, what is wrong and what to do, in words)."""
        import httpx

        t0 = time.monotonic()
        try:
            r = httpx.get(url, timeout=timeout, follow_redirects=False)
        except (httpx.HTTPError, httpx.InvalidURL) as e:
            return False, endpoint_problem(e, timeout)
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

    # --- the task choice, per network ---
    def task_choice(self) -> TaskChoice:
        saved = self._settings.extra.get(SETTING)
        return TaskChoice.from_json(saved.get(self._network.name) if isinstance(saved, dict) else None)

    def remember_task_choice(self, choice: TaskChoice, network: str | None = None) -> None:
        """Remember ``choice`` for ``network`` (the one in use by default); announced with SettingsChanged."""
        choice.check()
        name = network or self._network.name
        saved = self._settings.extra.get(SETTING)
        saved = dict(saved) if isinstance(saved, dict) else {}
        if saved.get(name) == choice.to_json():
            return
        saved[name] = choice.to_json()
        self._settings.extra[SETTING] = saved
        self._settings.save(self._data_dir)
        self._bus.publish(SettingsChanged(SETTING))

    # --- tokenizers ---
    @staticmethod
    def warm_up_tokenizers(encodings: Sequence[str] | None = None) -> Future[None]:
        """Load ``encodings`` (every supported one by default) in the background."""
        from wallet.tokenizers import SUPPORTED_ENCODINGS, warm_up

        return warm_up(SUPPORTED_ENCODINGS if encodings is None else encodings)

    def warm_up_chosen_tokenizer(self) -> None:
        """Blocking: load only the encoding of the model a task will be priced with on this network — the one
        remembered, else the first offered. Each encoding costs tens of MiB, so the others load when a model
        that needs them is chosen (or providers are compared)."""
        from wallet import tokenizers

        picked = self.task_choice().pick(self.price_sheet())
        if picked is not None and picked[1].encoding in tokenizers.SUPPORTED_ENCODINGS:
            tokenizers.get_encoding(picked[1].encoding)

    @staticmethod
    def tokenizer_pending(encoding: str) -> bool:
        """True when the wallet counts with ``encoding`` but has not loaded it yet (a quote would wait for it).
        An encoding it cannot count at all is not pending: its quote is refused at once."""
        from wallet import tokenizers

        return encoding in tokenizers.SUPPORTED_ENCODINGS and not tokenizers.is_loaded(encoding)


def endpoint_problem(exc: Exception, timeout: float) -> str:
    """Why a provider's endpoint could not be reached, and what to do, for a person rather than a log."""
    import httpx

    text = str(exc).lower()
    if isinstance(exc, httpx.TimeoutException):
        return (f"No answer within {timeout:g} seconds: the provider's server is slow or cannot be reached from "
                "here. Try again later, or use another provider.")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return ("The registered endpoint is not a web address the wallet can use (http or https): tasks cannot "
                "be sent to this provider.")
    if isinstance(exc, httpx.ConnectError):
        if "certificate" in text or "ssl" in text:
            return ("Its secure connection (HTTPS certificate) could not be verified: do not use this provider "
                    "until it is fixed.")
        if any(s in text for s in ("name or service not known", "nodename nor servname", "name resolution",
                                   "getaddrinfo")):
            return ("The endpoint's host name cannot be found: check this computer's internet connection; if it "
                    "works, the provider's address is wrong.")
        return ("Nothing answers at this address: the provider's server is not running, or does not accept "
                "connections from here. Try again later, or use another provider.")
    return "The connection failed before the provider answered. Try again later, or use another provider."
