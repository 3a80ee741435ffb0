"""The metering rule: what a chat request costs, in AIT base units. Specified in docs/metering.md.

One implementation for the wallet (to quote before paying) and the provider gateway (to demand and settle
payment), so both sides always agree to the base unit. Integer arithmetic only.

    input_tokens  = sum over messages of (3 + tokens(role) + tokens(content) [+ tokens(name) + 1]) + 3
    price         = ceil((input_tokens * input_price + max_tokens * output_price) / 1_000_000)
    settled price = the same with the output tokens actually generated (capped at max_tokens)

Tokens are counted with ``encode_ordinary`` under the encoding the provider declares for the model: text that
happens to look like a special token (``<|endoftext|>``) is counted as the plain text it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from wallet.errors import QuoteError
from wallet.registry import ModelPrice
from wallet.tokenizers import check_supported, count_ordinary, get_encoding

PRICE_UNIT_TOKENS = 1_000_000   # registry prices are per this many tokens
TOKENS_PER_MESSAGE = 3          # OpenAI's per-message framing (<|start|>role ... <|end|>)
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3        # every reply is primed with <|start|>assistant<|message|>
ROLES = ("system", "developer", "user", "assistant", "tool")
MESSAGE_KEYS = frozenset({"role", "content", "name"})


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str
    name: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"role": self.role, "content": self.content}
        if self.name is not None:
            out["name"] = self.name
        return out


@dataclass(frozen=True)
class MeteredRequest:
    """What a request costs before it runs: the quote, and the amount an ``exact`` payment demands."""

    model: str
    encoding: str
    input_tokens: int
    max_tokens: int
    input_price: int
    output_price: int

    @property
    def input_cost_micro(self) -> int:
        """Input share in millionths of a base unit (exact)."""
        return self.input_tokens * self.input_price

    @property
    def output_cost_micro(self) -> int:
        return self.max_tokens * self.output_price

    @property
    def price(self) -> int:
        return ceil_div(self.input_cost_micro + self.output_cost_micro, PRICE_UNIT_TOKENS)


@dataclass(frozen=True)
class Settlement:
    """What a request costs after it ran, for metered (``upto``) settlement."""

    output_tokens: int   # tokens of the returned content, capped at max_tokens
    price: int           # base units, never more than the request's price


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def micro_to_base_units(micro: int) -> Decimal:
    """An exact share in base units as a Decimal (six fractional digits at most), whatever its size."""
    q, r = divmod(micro, PRICE_UNIT_TOKENS)
    return Decimal(f"{q}.{r:06d}".rstrip("0")) if r else Decimal(q)


def count_tokens(text: str, encoding: str) -> int:
    return count_ordinary(get_encoding(encoding), text)


def parse_messages(obj: object) -> tuple[ChatMessage, ...]:
    """Validate a JSON chat ``[{"role", "content", "name"?}, ...]``; errors say which message is wrong."""
    if not isinstance(obj, list):
        raise QuoteError('Chat messages must be a JSON list such as [{"role": "user", "content": "Hi"}].')
    if not obj:
        raise QuoteError("The chat has no messages.")
    out = []
    for i, m in enumerate(obj, 1):
        where = f"Message {i}"
        if not isinstance(m, Mapping):
            raise QuoteError(f"{where} is not an object with role and content.")
        extra = sorted(set(m) - MESSAGE_KEYS)
        if extra:
            keys = ", ".join(map(repr, extra))
            raise QuoteError(f"{where} has {keys}; only role, content and name can be priced.")
        role, content, name = m.get("role"), m.get("content"), m.get("name")
        if role not in ROLES:
            raise QuoteError(f"{where} has role {role!r}; expected one of {', '.join(ROLES)}.")
        if not isinstance(content, str):
            raise QuoteError(f"{where} needs its content as a text string.")
        if name is not None and (not isinstance(name, str) or not name):
            raise QuoteError(f"{where} has a name that is not a non-empty text string.")
        out.append(ChatMessage(role, content, name))
    return tuple(out)


def check_not_empty(messages: Sequence[ChatMessage]) -> None:
    if not messages or not any(m.content.strip() for m in messages):
        raise QuoteError("The prompt is empty: there is nothing to run.")


@lru_cache(maxsize=1024)
def _count_short(text: str, encoding: str) -> int:
    # Roles and names repeat on every quote; caching them keeps a small quote close to one bare encode.
    return count_tokens(text, encoding)


def message_overhead_tokens(message: ChatMessage, encoding: str) -> int:
    """Tokens of one message apart from its content: framing, role, and the name if any."""
    n = TOKENS_PER_MESSAGE + _count_short(message.role, encoding)
    if message.name is not None:
        n += _count_short(message.name, encoding) + TOKENS_PER_NAME
    return n


def count_chat_tokens(messages: Sequence[ChatMessage], encoding: str,
                      content_tokens: Sequence[int] | None = None) -> int:
    """Input tokens of a chat request, as OpenAI's ``num_tokens_from_messages`` counts them.

    ``content_tokens`` lets a caller that already counted the contents (incrementally) pass those counts.
    """
    if content_tokens is None:
        content_tokens = [count_tokens(m.content, encoding) for m in messages]
    elif len(content_tokens) != len(messages):
        raise ValueError("one content count per message")
    return REPLY_PRIMING_TOKENS + sum(
        message_overhead_tokens(m, encoding) + c for m, c in zip(messages, content_tokens, strict=True)
    )


def check_model(model: ModelPrice) -> None:
    check_supported(model.encoding)
    if model.input_price < 0 or model.output_price < 0:
        raise QuoteError(f"The model {model.model} has a negative price; the price sheet is broken.")
    if model.input_price == 0 and model.output_price == 0:
        raise QuoteError(f"The model {model.model} has no price set; the wallet never pays a price of 0.")


def meter(model: ModelPrice, input_tokens: int, max_tokens: int) -> MeteredRequest:
    """Price a request whose input tokens are known, after checking it fits the model's limits."""
    check_model(model)
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int):
        raise QuoteError("The output budget (max_tokens) must be a whole number of tokens.")
    if max_tokens < 1:
        raise QuoteError("The output budget (max_tokens) must be at least 1 token.")
    if max_tokens > model.max_output:
        raise QuoteError(
            f"The output budget of {max_tokens:,} tokens is over {model.model}'s maximum output "
            f"of {model.max_output:,} tokens."
        )
    if input_tokens + max_tokens > model.context_window:
        raise QuoteError(
            f"The prompt ({input_tokens:,} tokens) plus the output budget ({max_tokens:,}) is over "
            f"{model.model}'s context window of {model.context_window:,} tokens."
        )
    return MeteredRequest(model.model, model.encoding, input_tokens, max_tokens,
                          model.input_price, model.output_price)


def meter_chat(model: ModelPrice, messages: Sequence[ChatMessage], max_tokens: int) -> MeteredRequest:
    """The metering rule for a chat request: count, check, price."""
    check_model(model)
    check_not_empty(messages)
    return meter(model, count_chat_tokens(messages, model.encoding), max_tokens)


def price_for(input_tokens: int, output_tokens: int, input_price: int, output_price: int) -> int:
    return ceil_div(input_tokens * input_price + output_tokens * output_price, PRICE_UNIT_TOKENS)


def settle(request: MeteredRequest, output_text: str) -> Settlement:
    """Price the output actually generated: the returned message content, counted under the same encoding.

    The count is capped at ``max_tokens``: the provider was told to stop there and the payer authorised no
    more, so a re-tokenization that comes out longer than what was generated never charges beyond the quote.
    """
    return settle_tokens(request, count_tokens(output_text, request.encoding))


def settle_tokens(request: MeteredRequest, output_tokens: int) -> Settlement:
    if output_tokens < 0:
        raise QuoteError("The output token count cannot be negative.")
    tokens = min(output_tokens, request.max_tokens)
    price = price_for(request.input_tokens, tokens, request.input_price, request.output_price)
    return Settlement(tokens, price)
