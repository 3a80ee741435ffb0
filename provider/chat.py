"""Reading an OpenAI chat-completion request: bounded, validated, and priced by the metering rule.

Everything in the body is checked before anything is demanded or run, so a bad request is a 4xx with a reason
and never a price. Only fields the gateway can honour are accepted: a field that would change what is generated
without being metered (tools, n > 1, streaming) is refused by name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from wallet.errors import InvalidInput, QuoteError, WalletError
from wallet.metering import ChatMessage, MeteredRequest, meter_chat, parse_messages
from wallet.registry import ProviderInfo
from wallet.safe_io import loads_bounded

MAX_BODY_BYTES = 8 * 1024 * 1024   # a 1M-token context is ~4 MB of text
MAX_BODY_DEPTH = 16                # a chat request is 3 levels deep; sampling options add one or two
MAX_MODEL_ID = 128                 # the registry's own limit
NUMBER_OPTIONS = ("temperature", "top_p", "presence_penalty", "frequency_penalty")
SAMPLING_OPTIONS = (*NUMBER_OPTIONS, "stop", "seed", "user")
ACCEPTED_FIELDS = frozenset({"model", "messages", "max_tokens", "max_completion_tokens", "stream", "n",
                             *SAMPLING_OPTIONS})


class RequestRefused(WalletError):
    """A request the gateway will not price or run; ``status`` is the HTTP status to answer with."""

    def __init__(self, user_message: str, status: int = 400, code: str = "invalid_request") -> None:
        super().__init__(user_message)
        self.status = status
        self.code = code

    def to_json(self) -> dict[str, object]:
        kind = "invalid_request_error" if self.status < 500 else "server_error"
        return {"error": {"message": self.user_message, "type": kind, "code": self.code}}


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: tuple[ChatMessage, ...]
    max_tokens: int
    options: dict[str, Any] = field(default_factory=dict)   # sampling options, passed to the backend as given

    def to_json(self) -> dict[str, Any]:
        """The request as sent upstream: exactly what was priced."""
        return {"model": self.model, "messages": [m.to_json() for m in self.messages],
                "max_tokens": self.max_tokens, **self.options}


@dataclass(frozen=True)
class PricedRequest:
    request: ChatRequest
    metered: MeteredRequest
    provider: ProviderInfo

    @property
    def price(self) -> int:
        return self.metered.price


async def read_body(chunks: AsyncIterator[bytes], content_length: str | None, max_bytes: int = MAX_BODY_BYTES,
                    ) -> bytes:
    """The request body, refused (413) as soon as it is known to be over ``max_bytes``."""
    too_big = RequestRefused(f"The request body is larger than {max_bytes:,} bytes.", 413, "body_too_large")
    if content_length is not None and content_length.isdigit() and int(content_length) > max_bytes:
        raise too_big
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > max_bytes:
            raise too_big
    return bytes(body)


def parse_json_body(body: bytes, *, max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_BODY_DEPTH) -> Any:
    try:
        return loads_bounded(body, max_bytes=max_bytes, max_depth=max_depth, what="the request body")
    except InvalidInput as e:
        raise RequestRefused(e.user_message, 400, "invalid_json") from None


def _whole_number(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        shown = repr(value) if not isinstance(value, str) else f'"{value[:20]}"'
        raise RequestRefused(f"{name} must be a whole number of tokens, not {shown}.", 400, "invalid_max_tokens")
    return value


def _output_budget(body: Mapping[str, Any]) -> int:
    names = [n for n in ("max_tokens", "max_completion_tokens") if n in body]
    if not names:
        raise RequestRefused("max_tokens is required: the output budget sets the price of the request.",
                             400, "invalid_max_tokens")
    values = {_whole_number(body[n], n) for n in names}
    if len(values) > 1:
        raise RequestRefused("max_tokens and max_completion_tokens differ; send one of them.", 400,
                             "invalid_max_tokens")
    budget = values.pop()
    if budget < 1:
        raise RequestRefused(f"max_tokens must be at least 1 token, not {budget}.", 400, "invalid_max_tokens")
    return budget


def _options(body: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(str(k) for k in body if k not in ACCEPTED_FIELDS)
    if unknown:
        raise RequestRefused(
            f"This gateway does not accept {', '.join(map(repr, unknown[:5]))}: only model, messages, "
            f"max_tokens and {', '.join(SAMPLING_OPTIONS)} are priced and passed on.", 400, "unsupported_field")
    if body.get("stream") not in (None, False):
        raise RequestRefused("Streaming is not offered: send the request without stream.", 400, "unsupported_field")
    if body.get("n") not in (None, 1) or isinstance(body.get("n"), bool):
        raise RequestRefused("n must be 1: one paid request buys one answer.", 400, "unsupported_field")
    options = {k: body[k] for k in SAMPLING_OPTIONS if k in body and body[k] is not None}
    for name in NUMBER_OPTIONS:
        if name in options and (isinstance(options[name], bool) or not isinstance(options[name], int | float)):
            raise RequestRefused(f"{name} must be a number.", 400, "invalid_option")
    if "seed" in options and (isinstance(options["seed"], bool) or not isinstance(options["seed"], int)):
        raise RequestRefused("seed must be a whole number.", 400, "invalid_option")
    stop = options.get("stop")
    if stop is not None and not (isinstance(stop, str) or (
            isinstance(stop, list) and len(stop) <= 4 and all(isinstance(s, str) for s in stop))):
        raise RequestRefused("stop must be a text or a list of at most 4 texts.", 400, "invalid_option")
    if "user" in options and not isinstance(options["user"], str):
        raise RequestRefused("user must be a text.", 400, "invalid_option")
    return options


def parse_chat_request(body: object) -> ChatRequest:
    """Validate a decoded chat-completion body (no pricing yet)."""
    if not isinstance(body, Mapping):
        raise RequestRefused("The request body must be a JSON object.", 400, "invalid_request")
    model = body.get("model")
    if not isinstance(model, str) or not model or len(model) > MAX_MODEL_ID:
        raise RequestRefused("model must be the id of one of this provider's models (see GET /v1/models).",
                             400, "invalid_model")
    options = _options(body)
    budget = _output_budget(body)
    try:
        messages = parse_messages(body.get("messages"))
    except QuoteError as e:
        raise RequestRefused(e.user_message, 400, "invalid_messages") from None
    return ChatRequest(model, messages, budget, options)


def price_request(request: ChatRequest, provider: ProviderInfo) -> PricedRequest:
    """The metering rule on this provider's current price sheet: the amount an ``exact`` payment demands."""
    if not provider.active:
        raise RequestRefused(f"{provider.name} is no longer active in the registry.", 503, "provider_inactive")
    price = provider.model(request.model)
    if price is None:
        offered = ", ".join(m.model for m in provider.models) or "no models"
        raise RequestRefused(f"This provider does not offer the model {request.model!r} (it offers {offered}).",
                             404, "model_not_found")
    try:
        metered = meter_chat(price, request.messages, request.max_tokens)
    except QuoteError as e:
        raise RequestRefused(e.user_message, 400, "invalid_request") from None
    return PricedRequest(request, metered, provider)
