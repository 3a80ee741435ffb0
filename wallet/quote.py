"""Quotes: the exact price of a task at a provider, known before it runs.

A quote applies the metering rule (``wallet.metering``) to the task and the provider's registered prices. Its
``input_cost`` and ``output_cost`` are the exact shares in base units (at most six decimals, since prices are
per million tokens). The ceiling is applied once, to their sum: ``price_base_units = ceil(input_cost +
output_cost)``. Rounding each share up on its own could charge one base unit more than the rule, and the
gateway would then refuse the payment as not matching its own meter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from wallet.errors import QuoteError
from wallet.incremental import IncrementalCounter
from wallet.metering import (
    ChatMessage,
    MeteredRequest,
    check_model,
    check_not_empty,
    count_chat_tokens,
    meter,
    micro_to_base_units,
    parse_messages,
)
from wallet.registry import ModelPrice, ProviderInfo
from wallet.safe_io import MIB, loads_bounded, read_bytes, read_text
from wallet.units import format_amount

MAX_PROMPT_FILE_BYTES = 64 * MIB
# A chat is a list of message objects: three levels. Ten is room for any extension, far from harming the parser.
MAX_MESSAGES_DEPTH = 10


@dataclass(frozen=True)
class PromptInput:
    """The task's input as the chat messages that will be sent (and metered)."""

    messages: tuple[ChatMessage, ...]

    @classmethod
    def text(cls, prompt: str, system: str | None = None) -> PromptInput:
        if not prompt.strip():
            raise QuoteError("The prompt is empty: there is nothing to run.")
        msgs = [ChatMessage("system", system)] if system else []
        return cls((*msgs, ChatMessage("user", prompt)))

    @classmethod
    def from_file(cls, path: str | Path, system: str | None = None) -> PromptInput:
        return cls.text(_read_text(path), system)

    @classmethod
    def from_messages(cls, obj: object) -> PromptInput:
        return cls(parse_messages(obj))

    @classmethod
    def from_messages_file(cls, path: str | Path) -> PromptInput:
        data = read_bytes(path, max_bytes=MAX_PROMPT_FILE_BYTES, what="the messages file", streams=True)
        obj = loads_bounded(data, max_bytes=MAX_PROMPT_FILE_BYTES, max_depth=MAX_MESSAGES_DEPTH,
                            what=f"the messages file {path}")
        try:
            return cls.from_messages(obj)
        except QuoteError as e:
            raise QuoteError(f"{path}: {e.user_message}") from None


def _read_text(path: str | Path) -> str:
    """A prompt file (or a pipe: ``--file /dev/stdin``), read by bytes up to the bound, as UTF-8."""
    return read_text(path, max_bytes=MAX_PROMPT_FILE_BYTES, what="the prompt file", streams=True)


@dataclass(frozen=True)
class Quote:
    provider_id: int
    provider_name: str
    verified: bool
    model: str
    encoding: str
    input_tokens: int
    max_output_tokens: int
    input_cost: Decimal          # exact share, base units
    output_cost: Decimal         # exact share, base units
    price_base_units: int        # ceil(input_cost + output_cost)
    balance_after: int | None = None   # base units; negative means the balance does not cover the price
    input_price: int = 0         # the registry's prices, base units per 1M tokens
    output_price: int = 0

    @property
    def metered(self) -> MeteredRequest:
        """The request as the metering rule sees it (what a metered payment is settled by)."""
        return MeteredRequest(self.model, self.encoding, self.input_tokens, self.max_output_tokens,
                              self.input_price, self.output_price)

    @property
    def price_ait(self) -> str:
        return format_amount(self.price_base_units)

    @property
    def affordable(self) -> bool | None:
        return None if self.balance_after is None else self.balance_after >= 0

    def to_json(self) -> dict[str, object]:
        return {
            "provider": self.provider_id,
            "provider_name": self.provider_name,
            "verified": self.verified,
            "model": self.model,
            "encoding": self.encoding,
            "input_tokens": self.input_tokens,
            "max_output_tokens": self.max_output_tokens,
            "input_cost_base_units": str(self.input_cost),
            "output_cost_base_units": str(self.output_cost),
            "price_base_units": str(self.price_base_units),
            "price_ait": self.price_ait,
            "balance_after": None if self.balance_after is None else str(self.balance_after),
        }


def make_quote(provider: ProviderInfo, metered: MeteredRequest, balance: int | None = None) -> Quote:
    return Quote(
        provider_id=provider.id,
        provider_name=provider.name,
        verified=provider.verified,
        model=metered.model,
        encoding=metered.encoding,
        input_tokens=metered.input_tokens,
        max_output_tokens=metered.max_tokens,
        input_cost=micro_to_base_units(metered.input_cost_micro),
        output_cost=micro_to_base_units(metered.output_cost_micro),
        price_base_units=metered.price,
        balance_after=None if balance is None else balance - metered.price,
        input_price=metered.input_price,
        output_price=metered.output_price,
    )


@dataclass(frozen=True)
class Refusal:
    """A provider/model that cannot take the task, and why."""

    provider_id: int
    provider_name: str
    model: str
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"provider": self.provider_id, "provider_name": self.provider_name, "model": self.model,
                "reason": self.reason}


class Comparison(list[Quote]):
    """Quotes cheapest first (ties: verified first, then name); ``refusals`` lists who could not take it."""

    def __init__(self, quotes: Sequence[Quote] = (), refusals: Sequence[Refusal] = ()) -> None:
        super().__init__(quotes)
        self.refusals: list[Refusal] = list(refusals)


def _rank(q: Quote) -> tuple[int, bool, str, int, str]:
    return (q.price_base_units, not q.verified, q.provider_name.casefold(), q.provider_id, q.model)


class QuoteEngine:
    """Quotes against the registry's price sheet.

    ``providers`` is called the first time the sheet is needed and again after ``invalidate()`` (which the
    chain code calls on registry events). Thread-safe.
    """

    def __init__(self, providers: Callable[[], Sequence[ProviderInfo]]) -> None:
        self._source = providers
        self._lock = threading.Lock()
        self._sheet: tuple[ProviderInfo, ...] | None = None

    def invalidate(self) -> None:
        with self._lock:
            self._sheet = None

    def providers(self) -> tuple[ProviderInfo, ...]:
        with self._lock:
            if self._sheet is None:
                self._sheet = tuple(self._source())
            return self._sheet

    def find(self, provider_id: int, model: str) -> tuple[ProviderInfo, ModelPrice]:
        provider = next((p for p in self.providers() if p.id == provider_id), None)
        if provider is None:
            raise QuoteError(f"There is no provider {provider_id} in the registry.")
        if not provider.active:
            raise QuoteError(f"{provider.name} (provider {provider_id}) is not active.")
        price = provider.model(model)
        if price is None:
            offered = ", ".join(m.model for m in provider.models) or "no models"
            raise QuoteError(f"{provider.name} does not offer the model {model!r} (it offers {offered}).")
        return provider, price

    def quote(self, provider_id: int, model: str, prompt_input: PromptInput, max_output: int,
              balance: int | None = None) -> Quote:
        provider, price = self.find(provider_id, model)
        check_model(price)
        check_not_empty(prompt_input.messages)
        input_tokens = count_chat_tokens(prompt_input.messages, price.encoding)
        return make_quote(provider, meter(price, input_tokens, max_output), balance)

    def compare(self, prompt_input: PromptInput, max_output: int, balance: int | None = None) -> Comparison:
        check_not_empty(prompt_input.messages)
        quotes: list[Quote] = []
        refusals: list[Refusal] = []
        tokens_by_encoding: dict[str, int] = {}  # the input count depends only on the encoding
        for provider in self.providers():
            if not provider.active:
                continue
            for price in provider.models:
                try:
                    check_model(price)
                    if price.encoding not in tokens_by_encoding:
                        tokens_by_encoding[price.encoding] = count_chat_tokens(prompt_input.messages,
                                                                               price.encoding)
                    metered = meter(price, tokens_by_encoding[price.encoding], max_output)
                except QuoteError as e:
                    refusals.append(Refusal(provider.id, provider.name, price.model, e.user_message))
                    continue
                quotes.append(make_quote(provider, metered, balance))
        quotes.sort(key=_rank)
        return Comparison(quotes, refusals)


class LiveQuote:
    """The quote shown while the user types: ``update(system, prompt)`` after every keystroke.

    Keeps one ``IncrementalCounter`` per (encoding, field), so a one-character edit in a long prompt
    re-encodes only the chunk it touched. Errors come back as values (a ``QuoteError``), since a half-typed
    task is not an exceptional state. Not meant to be shared between threads while targets change.
    """

    def __init__(self, engine: QuoteEngine, provider_id: int, model: str, max_output: int,
                 balance: int | None = None) -> None:
        self.engine = engine
        self.provider_id = provider_id
        self.model = model
        self.max_output = max_output
        self.balance = balance
        self._counters: dict[tuple[str, str], IncrementalCounter] = {}

    def use_sheet(self, providers: Sequence[ProviderInfo]) -> None:
        """Quote from this snapshot of the registry from now on (the counters, which depend only on the text,
        are kept)."""
        snapshot = tuple(providers)
        self.engine = QuoteEngine(lambda: snapshot)

    def set_target(self, *, provider_id: int | None = None, model: str | None = None,
                   max_output: int | None = None) -> None:
        if provider_id is not None:
            self.provider_id = provider_id
        if model is not None:
            self.model = model
        if max_output is not None:
            self.max_output = max_output

    def counter(self, encoding: str, field: str) -> IncrementalCounter:
        """The incremental counter behind one field (``system`` or ``user``) under one encoding."""
        key = (encoding, field)
        c = self._counters.get(key)
        if c is None:
            c = self._counters[key] = IncrementalCounter(encoding)
        return c

    def update(self, system: str | None, prompt: str) -> Quote | QuoteError:
        try:
            provider, price = self.engine.find(self.provider_id, self.model)
            check_model(price)
            prompt_input = PromptInput.text(prompt, system)
            check_not_empty(prompt_input.messages)
            counts = [self.counter(price.encoding, m.role).count(m.content) for m in prompt_input.messages]
            input_tokens = count_chat_tokens(prompt_input.messages, price.encoding, counts)
            return make_quote(provider, meter(price, input_tokens, self.max_output), self.balance)
        except QuoteError as e:
            return e

    def input_tokens(self, system: str | None, prompt: str) -> int | None:
        """The input token count under the target model's encoding, or None when it cannot be counted (unknown
        target, empty prompt). Lets a refusal still show how long the prompt is; right after ``update`` with the
        same text it costs nothing, since the counters return their cached totals."""
        try:
            _, price = self.engine.find(self.provider_id, self.model)
            check_model(price)
            prompt_input = PromptInput.text(prompt, system)
            counts = [self.counter(price.encoding, m.role).count(m.content) for m in prompt_input.messages]
            return count_chat_tokens(prompt_input.messages, price.encoding, counts)
        except QuoteError:
            return None
