"""The provider gateway's HTTP app: an OpenAI-compatible API whose chat completions are paid with AIT over x402.

* ``GET /health`` (and ``GET /``) — liveness, the provider's registry id and name, the backend;
* ``GET /v1/models`` — the models priced in the on-chain registry (OpenAI-style list, with prices);
* ``POST /v1/quote`` — the price the gateway will demand for a chat request (free);
* ``POST /v1/chat/completions`` — the paid route. Without a ``PAYMENT-SIGNATURE`` it answers 402 with the
  demand; with a valid one it runs the backend, settles, and answers 200 with ``PAYMENT-RESPONSE``.

Prices come from the provider's own registry entry, followed through registry events (``PriceSheet``); the amount
is the shared metering rule (``wallet.metering``), the same the wallet quotes with. Every body is read bounded
in size and nesting depth; anything wrong with it is a 4xx with a reason, before any demand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from provider.backends import Backend
from provider.chat import PricedRequest, RequestRefused, parse_chat_request, parse_json_body, price_request, read_body
from provider.demo_backend import DEMO_NOTE
from provider.misbehaviour import Misbehaviour
from provider.paywall import Paywall
from wallet.registry import ProviderInfo
from wallet.units import format_amount


def create_app(provider: Callable[[], ProviderInfo], paywall: Paywall, backend: Backend, *,
               misbehaviour: Misbehaviour | None = None, on_shutdown: Callable[[], None] | None = None) -> FastAPI:
    """The gateway for the provider whose current registry entry ``provider()`` returns.

    ``misbehaviour`` (tests only; see ``provider.misbehaviour``) makes the gateway cheat on purpose; it is
    applied to ``paywall`` here so the app and its paywall always agree.
    """
    if misbehaviour is not None:
        paywall.misbehaviour = misbehaviour

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await paywall.aclose()
            await backend.aclose()
            if on_shutdown is not None:
                on_shutdown()

    app = FastAPI(title="AI provider gateway", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.paywall = paywall
    app.state.replay_refusals = paywall.replay_refusals

    @app.exception_handler(RequestRefused)
    async def refused(_request: Request, exc: RequestRefused) -> JSONResponse:
        return JSONResponse(exc.to_json(), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(RequestRefused(str(exc.detail), exc.status_code, "not_found").to_json(),
                            status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(RequestRefused("The request is not valid.", 400).to_json(), status_code=400)

    async def priced_request(request: Request) -> PricedRequest:
        body = await read_body(request.stream(), request.headers.get("content-length"))
        chat = parse_chat_request(parse_json_body(body))
        return price_request(chat, provider())

    @app.get("/")
    @app.get("/health")
    def health() -> dict[str, object]:
        p = provider()
        return {"status": "ok", "provider_id": p.id, "name": p.name, "backend": backend.name,
                "demo": backend.demo, "network": paywall.network}

    @app.get("/v1/models")
    def models() -> dict[str, object]:
        p = provider()
        data: list[dict[str, Any]] = []
        for m in p.models:
            entry: dict[str, Any] = {
                "id": m.model, "object": "model", "owned_by": p.name, "encoding": m.encoding,
                "context_window": m.context_window, "max_output": m.max_output,
                "pricing": {"input_per_million": str(m.input_price), "output_per_million": str(m.output_price),
                            "unit": "AIT base units"}}
            if backend.demo:
                entry.update(demo=True, demo_note=DEMO_NOTE)
            data.append(entry)
        return {"object": "list", "data": data}

    @app.post("/v1/quote")
    async def quote(request: Request) -> dict[str, object]:
        priced = await priced_request(request)
        m = priced.metered
        return {"provider_id": priced.provider.id, "model": m.model, "encoding": m.encoding,
                "input_tokens": m.input_tokens, "max_output_tokens": m.max_tokens,
                "price_base_units": str(m.price), "price_ait": format_amount(m.price),
                "pay_to": priced.provider.pay_to, "network": paywall.network, "asset": paywall.token}

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        return await paywall.serve(request, await priced_request(request), backend)

    return app
