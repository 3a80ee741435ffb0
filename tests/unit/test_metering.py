"""The metering rule: chat counts as OpenAI counts them, integer prices rounded up once, clear refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wallet.errors import QuoteError
from wallet.metering import (
    ChatMessage,
    MeteredRequest,
    count_chat_tokens,
    count_tokens,
    meter,
    meter_chat,
    micro_to_base_units,
    parse_messages,
    price_for,
    settle,
    settle_tokens,
)
from wallet.registry import ModelPrice
from wallet.tokenizers import UnknownEncoding

AIT = 10**18

# OpenAI cookbook "How to count tokens with tiktoken": the API reported 129 prompt tokens for these messages
# on gpt-4 / gpt-3.5-turbo (cl100k_base) and 124 on gpt-4o / gpt-4o-mini (o200k_base).
COOKBOOK_MESSAGES = [
    {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate "
                                  "jargon into plain English."},
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {"role": "system", "name": "example_assistant",
     "content": "Things working well together will increase revenue."},
    {"role": "system", "name": "example_user",
     "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased "
                "leverage."},
    {"role": "system", "name": "example_assistant",
     "content": "Let's talk later when we're less busy about how to do better."},
    {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client "
                                "deliverable."},
]


def model(input_price: int = 2 * AIT, output_price: int = 8 * AIT, *, encoding: str = "o200k_base",
          context_window: int = 1000, max_output: int = 100) -> ModelPrice:
    return ModelPrice("m", encoding, input_price, output_price, context_window, max_output)


@pytest.mark.parametrize(("encoding", "expected"), [("cl100k_base", 129), ("o200k_base", 124)])
def test_chat_count_matches_openai_reported_usage(encoding: str, expected: int) -> None:
    assert count_chat_tokens(parse_messages(COOKBOOK_MESSAGES), encoding) == expected


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_chat_overhead_with_and_without_name(encoding: str) -> None:
    content = count_tokens("Hello, world!", encoding)
    assert content == 4
    plain = [ChatMessage("user", "Hello, world!")]
    named = [ChatMessage("user", "Hello, world!", name="alice")]
    # 3 framing + 1 for "user" + content, then 3 for the reply priming.
    assert count_chat_tokens(plain, encoding) == 3 + 1 + content + 3 == 11
    # + tokens of "alice" (1) + 1 for having a name.
    assert count_chat_tokens(named, encoding) == 13
    two = [ChatMessage("system", "Be brief."), ChatMessage("user", "Hello, world!")]
    brief = count_tokens("Be brief.", encoding)
    assert count_chat_tokens(two, encoding) == (3 + 1 + brief) + (3 + 1 + content) + 3


def test_content_counts_can_be_supplied() -> None:
    msgs = [ChatMessage("user", "Hello, world!")]
    assert count_chat_tokens(msgs, "o200k_base", [4]) == 11
    with pytest.raises(ValueError):
        count_chat_tokens(msgs, "o200k_base", [4, 5])


def test_special_token_text_is_counted_as_text() -> None:
    assert count_tokens("<|endoftext|>", "cl100k_base") == 7
    assert count_tokens("<|endoftext|>", "o200k_base") == 7


def test_price_formula_and_shares() -> None:
    m = meter(model(input_price=2_500_000, output_price=10_000_001, context_window=10_000), 1234, 56)
    assert isinstance(m, MeteredRequest)
    assert m.input_cost_micro == 1234 * 2_500_000
    assert m.output_cost_micro == 56 * 10_000_001
    assert m.price == -(-(1234 * 2_500_000 + 56 * 10_000_001) // 1_000_000) == 3646
    assert micro_to_base_units(m.input_cost_micro) == Decimal("3085")
    assert micro_to_base_units(m.output_cost_micro) == Decimal("560.000056")


@pytest.mark.parametrize(("input_tokens", "expected"), [
    (1, 1),   # 1 * 1 + 1 * 999_999 = exactly 1,000,000 micro: no rounding
    (2, 2),   # 1,000,001 micro: one over, rounds up to the next base unit
    (0, 1),   # 999,999 micro: rounds up to 1, never 0
])
def test_rounding_edges(input_tokens: int, expected: int) -> None:
    assert price_for(input_tokens, 1, 1, 999_999) == expected


def test_exact_multiple_at_18_decimals() -> None:
    m = meter(model(input_price=2 * AIT, output_price=8 * AIT, context_window=10**6, max_output=10**5),
              500_000, 100_000)
    assert m.price == AIT + (8 * AIT) // 10
    m2 = meter(model(input_price=2 * AIT + 1, output_price=8 * AIT, context_window=10**6, max_output=10**5),
               500_000, 100_000)
    assert m2.price == m.price + 1  # 500,000 extra micro-units round up to one whole base unit


def test_huge_shares_stay_exact() -> None:
    assert micro_to_base_units(10**40 + 1) == Decimal("10000000000000000000000000000000000.000001")
    assert str(micro_to_base_units(10**40)) == "10000000000000000000000000000000000"


def test_unpriced_model_refused() -> None:
    with pytest.raises(QuoteError, match="no price set"):
        meter(model(input_price=0, output_price=0), 10, 10)
    # One free side is fine: the other side still makes the price at least 1.
    assert meter(model(input_price=0, output_price=1), 10, 1).price == 1
    assert meter(model(input_price=1, output_price=0), 10, 1).price == 1


def test_negative_price_refused() -> None:
    with pytest.raises(QuoteError, match="negative"):
        meter(model(input_price=-1), 10, 10)


def test_context_window_edges() -> None:
    m = model(context_window=1000, max_output=100)
    assert meter(m, 900, 100).input_tokens == 900           # exactly full: allowed
    with pytest.raises(QuoteError, match="context window of 1,000"):
        meter(m, 901, 100)


@pytest.mark.parametrize("max_tokens", [0, -1])
def test_output_budget_below_one_refused(max_tokens: int) -> None:
    with pytest.raises(QuoteError, match="at least 1"):
        meter(model(), 10, max_tokens)


def test_output_budget_over_max_output_refused() -> None:
    assert meter(model(max_output=100), 10, 100).max_tokens == 100
    with pytest.raises(QuoteError, match="maximum output of 100"):
        meter(model(max_output=100), 10, 101)


@pytest.mark.parametrize("bad", [True, 1.5, "10", None])
def test_output_budget_must_be_an_int(bad: object) -> None:
    with pytest.raises(QuoteError, match="whole number"):
        meter(model(), 10, bad)  # type: ignore[arg-type]


def test_unknown_encoding_refused() -> None:
    with pytest.raises(UnknownEncoding):
        meter(model(encoding="p50k_base"), 10, 10)
    assert issubclass(UnknownEncoding, QuoteError)


@pytest.mark.parametrize("messages", [
    [],
    [ChatMessage("user", "")],
    [ChatMessage("system", "  \n"), ChatMessage("user", "\t")],
])
def test_empty_prompt_refused(messages: list[ChatMessage]) -> None:
    with pytest.raises(QuoteError, match="empty"):
        meter_chat(model(), messages, 10)


def test_meter_chat_counts_and_prices() -> None:
    m = meter_chat(model(input_price=1_000_000, output_price=2_000_000),
                   [ChatMessage("user", "Hello, world!")], 5)
    assert (m.input_tokens, m.max_tokens, m.price) == (11, 5, 11 + 10)


@pytest.mark.parametrize(("obj", "message"), [
    ({"role": "user"}, "JSON list"),
    ([], "no messages"),
    (["hi"], "Message 1 is not an object"),
    ([{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}], "Message 2 has role 'robot'"),
    ([{"content": "a"}], "role None"),
    ([{"role": "user"}], "content as a text string"),
    ([{"role": "user", "content": [{"type": "text", "text": "a"}]}], "content as a text string"),
    ([{"role": "user", "content": "a", "name": ""}], "name"),
    ([{"role": "user", "content": "a", "name": 3}], "name"),
    ([{"role": "user", "content": "a", "tool_calls": []}], "'tool_calls'"),
])
def test_parse_messages_errors(obj: object, message: str) -> None:
    with pytest.raises(QuoteError, match=message):
        parse_messages(obj)


def test_parse_messages_ok() -> None:
    msgs = parse_messages([{"role": "system", "content": "s"},
                           {"role": "user", "content": "u", "name": "bo"}])
    assert msgs == (ChatMessage("system", "s"), ChatMessage("user", "u", "bo"))
    assert msgs[1].to_json() == {"role": "user", "content": "u", "name": "bo"}


def test_settlement_uses_actual_output() -> None:
    req = meter(model(input_price=1_000_000, output_price=3_000_000), 11, 50)
    assert req.price == 11 + 150
    s = settle(req, "Hello, world!")
    assert (s.output_tokens, s.price) == (4, 11 + 12)
    assert settle(req, "").price == 11
    assert settle_tokens(req, 50).price == req.price


def test_settlement_never_exceeds_the_request() -> None:
    req = meter(model(input_price=1_000_000, output_price=3_000_000), 11, 3)
    s = settle(req, "one two three four five six")
    assert s.output_tokens == 3
    assert s.price == req.price
    with pytest.raises(QuoteError):
        settle_tokens(req, -1)


def test_settlement_rounds_up_once() -> None:
    req = meter(model(input_price=1, output_price=999_999), 1, 10)
    assert settle_tokens(req, 1).price == 1     # exactly 1,000,000 micro
    assert settle_tokens(req, 0).price == 1     # 1 micro rounds up
    req2 = meter(model(input_price=0, output_price=999_999), 1, 10)
    assert settle_tokens(req2, 0).price == 0    # nothing generated, free input: a value-0 settlement
