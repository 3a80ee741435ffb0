"""The tokenizer's own crash on an enormous whitespace run is a clear refusal in every path that counts
tokens (quote, live quote, the gateway's metering), never an escaped PanicException."""

from __future__ import annotations

import pytest

from wallet.errors import QuoteError
from wallet.incremental import IncrementalCounter
from wallet.metering import count_tokens
from wallet.quote import LiveQuote, PromptInput, QuoteEngine
from wallet.registry import ModelPrice, ProviderInfo

HUGE_RUN = "x" + " " * 1_200_000 + "x"
SHEET = (ProviderInfo(1, "0x" + "1" * 40, "P", "http://p", "0x" + "2" * 40, True, True,
                      (ModelPrice("m", "o200k_base", 10**17, 10**17, 2_000_000, 1000),)),)


def test_count_tokens_refuses_with_a_message() -> None:
    with pytest.raises(QuoteError, match="Shorten the long runs"):
        count_tokens(HUGE_RUN, "o200k_base")


def test_incremental_counter_refuses_and_recovers() -> None:
    counter = IncrementalCounter("o200k_base")
    with pytest.raises(QuoteError, match="too long to tokenize"):
        counter.count(HUGE_RUN)
    assert counter.count("hello world") == 2  # still usable afterwards


def test_quote_and_live_quote_refuse() -> None:
    engine = QuoteEngine(lambda: SHEET)
    with pytest.raises(QuoteError):
        engine.quote(1, "m", PromptInput.text(HUGE_RUN), 10)
    result = LiveQuote(engine, 1, "m", 10).update(None, HUGE_RUN)
    assert isinstance(result, QuoteError) and "Shorten" in result.user_message
