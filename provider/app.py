"""The reference provider gateway's HTTP app: the provider's published catalogue and its metering rule.

What it serves in this release:

* ``GET /health`` — liveness, with the provider's registry id and name;
* ``GET /v1/models`` — the models the provider has priced in the on-chain registry (OpenAI-style list);
* ``POST /v1/quote`` — the price the provider will demand for an OpenAI chat request, computed with the
  same metering function the wallet quotes with (``wallet.metering``), so the two can be compared.

Paid completions (x402) are served once the payment flow lands; until then this app answers only the above.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from wallet.errors import QuoteError
from wallet.metering import meter_chat, parse_messages
from wallet.registry import ProviderInfo
from wallet.units import format_amount


class ChatRequest(BaseModel):
    model: str
    messages: list[dict[str, Any]]
    max_tokens: int

    model_config = {"extra": "allow"}  # other OpenAI fields (temperature…) do not change the price


def create_app(provider: Callable[[], ProviderInfo]) -> FastAPI:
    """``provider`` returns the provider's current registry entry (re-read so price updates apply)."""
    app = FastAPI(title="AI provider gateway", docs_url=None, redoc_url=None)

    @app.exception_handler(QuoteError)
    async def quote_error(_request: Any, exc: QuoteError) -> JSONResponse:
        return JSONResponse(status_code=400, content={"error": {"message": exc.user_message,
                                                                "type": "invalid_request_error"}})

    @app.get("/health")
    def health() -> dict[str, object]:
        p = provider()
        return {"status": "ok", "provider_id": p.id, "name": p.name}

    @app.get("/v1/models")
    def models() -> dict[str, object]:
        p = provider()
        return {"object": "list", "data": [
            {"id": m.model, "object": "model", "owned_by": p.name, "encoding": m.encoding,
             "context_window": m.context_window, "max_output": m.max_output,
             "pricing": {"input_per_million": str(m.input_price), "output_per_million": str(m.output_price),
                         "unit": "AIT base units"}}
            for m in p.models]}

    @app.post("/v1/quote")
    def quote(request: ChatRequest) -> dict[str, object]:
        p = provider()
        price = p.model(request.model)
        if price is None:
            raise HTTPException(404, detail=f"This provider does not offer the model {request.model!r}.")
        metered = meter_chat(price, parse_messages(request.messages), request.max_tokens)
        return {"provider_id": p.id, "model": price.model, "encoding": price.encoding,
                "input_tokens": metered.input_tokens, "max_output_tokens": metered.max_tokens,
                "price_base_units": str(metered.price), "price_ait": format_amount(metered.price),
                "pay_to": p.pay_to}

    return app
