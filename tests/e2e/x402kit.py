"""A plain x402 SDK resource server and facilitator on loopback, knowing nothing of this project.

The resource server is FastAPI + the SDK's ``payment_middleware``; its facilitator is the SDK's
``x402FacilitatorSync`` with ``FacilitatorWeb3Signer`` behind a minimal HTTP front (the SDK ships none). They are
what any third-party x402 provider would run, so the wallet paying them shows it speaks plain x402.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from wallet.devnet.anvil import free_port


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("the test server did not start")
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(10)


def facilitator_app(rpc_url: str, key: str, network: str) -> FastAPI:
    from x402 import x402FacilitatorSync
    from x402.mechanisms.evm import FacilitatorWeb3Signer
    from x402.mechanisms.evm.exact import register_exact_evm_facilitator
    from x402.schemas import PaymentPayload, PaymentRequirements

    facilitator = x402FacilitatorSync()
    register_exact_evm_facilitator(facilitator, FacilitatorWeb3Signer(private_key=key, rpc_url=rpc_url),
                                   networks=network)
    app = FastAPI()

    def parse(body: dict[str, Any]) -> tuple[Any, Any]:
        return (PaymentPayload.model_validate(body["paymentPayload"]),
                PaymentRequirements.model_validate(body["paymentRequirements"]))

    @app.get("/supported")
    def supported() -> dict[str, Any]:
        return facilitator.get_supported().model_dump(by_alias=True, exclude_none=True)

    @app.post("/verify")
    def verify(body: dict[str, Any]) -> dict[str, Any]:
        return facilitator.verify(*parse(body)).model_dump(by_alias=True, exclude_none=True)

    @app.post("/settle")
    def settle(body: dict[str, Any]) -> dict[str, Any]:
        return facilitator.settle(*parse(body)).model_dump(by_alias=True, exclude_none=True)

    return app


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


def get_json(url: str) -> Any:
    return httpx.get(url, timeout=5).json()
