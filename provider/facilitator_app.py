"""The facilitator as a small HTTP service, speaking the x402 facilitator API the SDK's HTTP client calls:

* ``GET /supported`` — the (scheme, network) kinds it settles and its signer addresses;
* ``POST /verify`` and ``POST /settle`` — ``{"x402Version": 2, "paymentPayload", "paymentRequirements"}``,
  answered with the SDK's ``VerifyResponse`` / ``SettleResponse`` (a refusal is a 200 whose ``isValid`` or
  ``success`` is false, with a reason, as the SDK expects);
* ``GET /health`` — liveness, the network, the fee payer and the payees it holds settlement keys for.

Verify and settle block on the chain, so they run on worker threads, never on the server's event loop.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from provider.chat import RequestRefused, parse_json_body, read_body
from provider.facilitator import Facilitator
from provider.upto_facilitator import MAX_RESPONSE_BYTES

MAX_BODY_BYTES = 64 * 1024
# A metered settlement carries the response body it is justified by (base64), up to the facilitator's bound.
MAX_SETTLE_BYTES = MAX_RESPONSE_BYTES * 4 // 3 + MAX_BODY_BYTES
MAX_BODY_DEPTH = 16


def create_facilitator_app(facilitator: Facilitator) -> FastAPI:
    app = FastAPI(title="x402 facilitator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.facilitator = facilitator

    @app.exception_handler(RequestRefused)
    async def refused(_request: Request, exc: RequestRefused) -> JSONResponse:
        return JSONResponse(exc.to_json(), status_code=exc.status)

    async def payment_request(request: Request, max_bytes: int = MAX_BODY_BYTES,
                              ) -> tuple[dict[str, Any], dict[str, Any]]:
        body = await read_body(request.stream(), request.headers.get("content-length"), max_bytes)
        data = parse_json_body(body, max_bytes=max_bytes, max_depth=MAX_BODY_DEPTH)
        if not isinstance(data, dict) or not isinstance(data.get("paymentPayload"), dict) \
                or not isinstance(data.get("paymentRequirements"), dict):
            raise RequestRefused("Expected {x402Version, paymentPayload, paymentRequirements}.", 400)
        return data["paymentPayload"], data["paymentRequirements"]

    @app.get("/health")
    def health() -> dict[str, object]:
        return {"status": "ok", "network": facilitator.network, "address": facilitator.address,
                "payees": facilitator.payee_keys.addresses()}

    @app.get("/supported")
    def supported() -> dict[str, Any]:
        return facilitator.supported()

    @app.post("/verify")
    async def verify(request: Request) -> dict[str, Any]:
        payload, requirements = await payment_request(request)
        return await anyio.to_thread.run_sync(facilitator.verify, payload, requirements)

    @app.post("/settle")
    async def settle(request: Request) -> dict[str, Any]:
        payload, requirements = await payment_request(request, MAX_SETTLE_BYTES)
        return await anyio.to_thread.run_sync(facilitator.settle, payload, requirements)

    return app
