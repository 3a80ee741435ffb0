"""A plain x402 SDK resource server, knowing nothing of this project: FastAPI + the SDK's ``payment_middleware``
and ``x402ResourceServer`` over an HTTP facilitator. It is what any third-party x402 provider would run, so the
wallet paying it shows the wallet speaks plain x402."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def chat_server_app(facilitator_url: str, network: str, token: str, pay_to: str,
                    price: Callable[[dict[str, Any]], int], max_timeout_seconds: int = 120) -> FastAPI:
    """An OpenAI-style chat endpoint behind the SDK's paywall; ``price`` maps the request body to base units."""
    from x402 import x402ResourceServer
    from x402.http import FacilitatorConfig, HTTPFacilitatorClient
    from x402.http.middleware.fastapi import payment_middleware
    from x402.http.types import PaymentOption, RouteConfig
    from x402.mechanisms.evm.exact import ExactEvmServerScheme

    server = x402ResourceServer(HTTPFacilitatorClient(FacilitatorConfig(url=facilitator_url)))
    server.register(network, ExactEvmServerScheme())

    async def demand(context: Any) -> dict[str, Any]:
        body = await context.adapter._request.json()
        return {"amount": str(price(body)), "asset": token, "extra": {"name": "AI Token", "version": "1"}}

    routes = {"POST /v1/chat/completions": RouteConfig(accepts=PaymentOption(
        scheme="exact", pay_to=pay_to, price=demand, network=network, max_timeout_seconds=max_timeout_seconds))}
    paywall = payment_middleware(routes, server)
    app = FastAPI()

    @app.middleware("http")
    async def x402(request: Request, call_next: Any) -> Any:
        return await paywall(request, call_next)

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        text = "Plain x402 says hello to: " + body["messages"][-1]["content"]
        return JSONResponse({"id": "chatcmpl-plain", "object": "chat.completion", "model": body["model"],
                             "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": text}}],
                             "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})

    return app


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)

