"""x402 in front of the chat route: the 402 demand, verification before the backend runs, settlement after.

Built on the SDK's ``x402HTTPResourceServer`` with two schemes on AIT, both offered on every paid request:
``exact`` (EIP-3009: the price of the whole output budget, prepaid) and, when the facilitator settles it for
this payTo, ``upto`` over ``eip3009-upto`` (metered: the payer authorizes that price as a maximum, and after the
backend answers the handler meters the output with the metering rule and settles exactly that — see
``provider.upto_server`` and ``provider.upto_facilitator``). The SDK's FastAPI
middleware cannot see a request's body, and the price of a chat request depends on it, so the gateway reads and
prices the body first (a bad body is a 4xx, never a demand) and hands the priced request to the SDK through its
own request adapter; the route's price callable reads it from there.

The facilitator is always an explicit URL (the SDK's default points at a public service). It is contacted on the
first paid request, and again after a failure, so the gateway starts and serves its free routes without it.
Each paid response carries ``Server-Timing: verify, backend, settle`` (milliseconds).
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from x402 import x402ResourceServer
from x402.http import FacilitatorConfig, HTTPFacilitatorClient
from x402.http.types import (
    HTTPRequestContext,
    HTTPResponseInstructions,
    HTTPTransportContext,
    PaymentOption,
    RouteConfig,
)
from x402.http.utils import encode_payment_response_header
from x402.http.x402_http_server import x402HTTPResourceServer
from x402.mechanisms.evm.exact import ExactEvmServerScheme
from x402.schemas import AssetAmount, VerifiedPaymentCancelOptions

from provider.backends import Backend
from provider.chat import PricedRequest, RequestRefused
from provider.misbehaviour import Misbehaviour
from provider.network import TOKEN_NAME, TOKEN_VERSION
from provider.self_settle import SelfSettler, rewrite_receipt
from provider.upto_server import UptoServerScheme
from wallet.payments.upto import METERING, UPTO, UPTO_METHOD, MeteringFacts

log = logging.getLogger(__name__)

CHAT_ROUTE = "POST /v1/chat/completions"
MAX_TIMEOUT_SECONDS = 180     # the validity window asked of payers: room for a slow model, under a wallet's cap
MAX_PAYMENT_HEADER = 16 * 1024
PAYMENT_REQUIRED = "PAYMENT-REQUIRED"

_timings: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar("x402_timings", default=None)
# Set when the facilitator could not be reached during this request (the SDK would turn that into a plain 402).
_unreachable: contextvars.ContextVar[bool] = contextvars.ContextVar("facilitator_unreachable", default=False)


@contextmanager
def timed(phase: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        spans = _timings.get()
        if spans is not None:
            spans[phase] = spans.get(phase, 0.0) + (time.perf_counter() - start) * 1000


def server_timing(spans: dict[str, float]) -> str:
    return ", ".join(f"{name};dur={ms:.1f}" for name, ms in spans.items())


def _without_scheme(header: str, scheme: str) -> str:
    """A demand this gateway just built, without its options of ``scheme`` (one the facilitator cannot settle
    for this payTo)."""
    demand = json.loads(base64.b64decode(header))
    accepts = [a for a in demand.get("accepts", []) if a.get("scheme") != scheme]
    if len(accepts) == len(demand.get("accepts", [])):
        return header
    demand["accepts"] = accepts
    return base64.b64encode(json.dumps(demand).encode()).decode()


def _demand_error(header: str | None) -> str | None:
    """The ``error`` of a demand this gateway just built (well-formed by construction)."""
    if not header:
        return None
    error = json.loads(base64.b64decode(header)).get("error")
    return error if isinstance(error, str) else None


class TimedFacilitatorClient(HTTPFacilitatorClient):
    """The SDK's HTTP facilitator client, timing verify and settle for ``Server-Timing``."""

    async def verify(self, payload: Any, requirements: Any) -> Any:
        with timed("verify"):
            try:
                return await super().verify(payload, requirements)
            except httpx.TransportError:
                _unreachable.set(True)
                raise

    async def settle(self, payload: Any, requirements: Any) -> Any:
        with timed("settle"):
            return await super().settle(payload, requirements)


class PricedRequestAdapter:
    """The SDK's view of one HTTP request, carrying the request already read and priced."""

    def __init__(self, request: Request, priced: PricedRequest) -> None:
        self._request = request
        self.priced = priced

    def get_header(self, name: str) -> str | None:
        return self._request.headers.get(name)

    def get_method(self) -> str:
        return self._request.method

    def get_path(self) -> str:
        return self._request.url.path

    def get_url(self) -> str:
        return str(self._request.url)

    def get_accept_header(self) -> str:
        return self._request.headers.get("accept", "")

    def get_user_agent(self) -> str:
        return self._request.headers.get("user-agent", "")

    def get_query_params(self) -> dict[str, str | list[str]]:
        return dict(self._request.query_params)

    def get_query_param(self, name: str) -> str | None:
        return self._request.query_params.get(name)

    def get_body(self) -> PricedRequest:
        return self.priced


class Paywall:
    """x402 ``exact`` on AIT for the chat route of one gateway, through the facilitator at ``facilitator_url``."""

    def __init__(self, network: str, token: str, facilitator_url: str | None, *,
                 max_timeout_seconds: int = MAX_TIMEOUT_SECONDS, misbehaviour: Misbehaviour | None = None,
                 rpc_url: str | None = None) -> None:
        self.network = network
        self.chain_id = int(network.split(":", 1)[1])
        self.token = token
        self.facilitator_url = facilitator_url
        self.rpc_url = rpc_url
        self.misbehaviour = misbehaviour or Misbehaviour()
        self.replay_refusals: list[str] = []
        self.max_timeout_seconds = max_timeout_seconds
        self.self_settler: SelfSettler | None = None
        self._init_lock = asyncio.Lock()
        self._facilitator: TimedFacilitatorClient | None = None
        self._http: x402HTTPResourceServer | None = None
        self._metered_payees: frozenset[str] = frozenset()   # whose metered payments the facilitator settles

    def _build(self) -> x402HTTPResourceServer:
        """The SDK's resource server for the chat route (built at the first paid request, when the
        misbehaviour, if any, is settled)."""
        assert self.facilitator_url is not None
        self._facilitator = TimedFacilitatorClient(FacilitatorConfig(url=self.facilitator_url, timeout=60.0))
        server = x402ResourceServer(self._facilitator)
        server.register(self.network, ExactEvmServerScheme())
        server.register(self.network, UptoServerScheme())
        server.initialize()  # asks the facilitator what it supports: blocking, so called off the event loop
        timeout = self.misbehaviour.max_timeout_seconds or self.max_timeout_seconds
        options = [PaymentOption(scheme="exact", network=self.network, pay_to=self._pay_to, price=self._price,
                                 max_timeout_seconds=timeout)]
        metered = server.get_supported_kind(2, self.network, UPTO)
        if metered is not None and UPTO_METHOD in (metered.extra or {}).get("assetTransferMethods", ()):
            self._metered_payees = frozenset(str(a).lower() for a in (metered.extra or {}).get("payees", ()))
            options.append(PaymentOption(scheme=UPTO, network=self.network, pay_to=self._pay_to,
                                         price=self._metered_price, max_timeout_seconds=timeout))
        routes = {CHAT_ROUTE: RouteConfig(accepts=options, mime_type="application/json",
                                          description="An OpenAI-compatible chat completion")}
        http = x402HTTPResourceServer(server, routes)
        http.initialize()
        if self.misbehaviour.settles_itself:
            assert self.misbehaviour.payee_key is not None and self.rpc_url is not None
            self.self_settler = SelfSettler(self.misbehaviour.payee_key, self.rpc_url, self.chain_id, self.token,
                                            self.network)
        return http

    async def aclose(self) -> None:
        if self._facilitator is not None:
            await self._facilitator.aclose()

    # --- what is demanded ---
    def _price(self, context: HTTPRequestContext) -> AssetAmount:
        priced: PricedRequest = context.adapter.get_body()
        return AssetAmount(amount=str(priced.price + self.misbehaviour.overcharge),
                           asset=self.misbehaviour.asset or self.token,
                           extra={"name": TOKEN_NAME, "version": TOKEN_VERSION})

    def _metered_price(self, context: HTTPRequestContext) -> AssetAmount:
        priced: PricedRequest = context.adapter.get_body()
        facts = MeteringFacts.of(priced.metered)
        return AssetAmount(amount=str(facts.maximum + self.misbehaviour.overcharge),
                           asset=self.misbehaviour.asset or self.token,
                           extra={"name": TOKEN_NAME, "version": TOKEN_VERSION, "assetTransferMethod": UPTO_METHOD,
                                  METERING: facts.to_json()})

    def _pay_to(self, context: HTTPRequestContext) -> str:
        priced: PricedRequest = context.adapter.get_body()
        return self.misbehaviour.pay_to or priced.provider.pay_to

    async def _ensure_ready(self) -> x402HTTPResourceServer:
        if self.facilitator_url is None:
            raise RequestRefused("This gateway has no payment facilitator configured, so it cannot take "
                                 "payments.", 503, "no_facilitator")
        if self._http is None:
            async with self._init_lock:
                if self._http is None:
                    try:
                        self._http = await anyio.to_thread.run_sync(self._build)
                    except Exception as e:
                        log.warning("the facilitator at %s is not usable: %s", self.facilitator_url, e)
                        raise RequestRefused(f"The payment facilitator at {self.facilitator_url} does not answer; "
                                             "try again shortly.", 503, "facilitator_unavailable") from None
        return self._http

    # --- the paid request ---
    async def serve(self, request: Request, priced: PricedRequest, backend: Backend) -> Response:
        http = await self._ensure_ready()
        header = request.headers.get("payment-signature")
        if header is not None and len(header) > MAX_PAYMENT_HEADER:
            raise RequestRefused(f"The PAYMENT-SIGNATURE header is over {MAX_PAYMENT_HEADER:,} characters.",
                                 400, "invalid_payment")
        spans: dict[str, float] = {}
        _timings.set(spans)
        _unreachable.set(False)
        context = HTTPRequestContext(adapter=PricedRequestAdapter(request, priced), path=request.url.path,
                                     method=request.method, payment_header=header)
        result = await http.process_http_request(context)
        if _unreachable.get():
            raise RequestRefused(f"The payment facilitator at {self.facilitator_url} did not answer; nothing was "
                                 "charged. Try again shortly.", 503, "facilitator_unavailable")
        if result.type != "payment-verified":
            return self._demand(result.response, priced)
        assert result.payment_payload is not None and result.payment_requirements is not None
        try:
            with timed("backend"):
                completion = await backend.complete(priced)
        except RequestRefused as e:
            if result.cancellation_dispatcher is not None:
                await result.cancellation_dispatcher.cancel(VerifiedPaymentCancelOptions(reason="handler_failed"))
            return JSONResponse(e.to_json(), status_code=e.status)
        if self.misbehaviour.never_answer == "before_settlement":
            await asyncio.Event().wait()
        # The body is serialized once: the bytes metered, settled against and hashed into the receipt are the
        # bytes the payer receives.
        body = json.dumps(completion.body, ensure_ascii=False, separators=(",", ":")).encode()
        requirements = result.payment_requirements
        overrides, facts, output_tokens = None, None, 0
        if requirements.scheme == UPTO:
            facts = MeteringFacts.of(priced.metered)
            amount, output_tokens = await anyio.to_thread.run_sync(self.misbehaviour.metered, facts,
                                                                   completion.content)
            overrides = {"amount": str(amount)}
        if facts is not None and self._cheats_on_settlement():
            headers = await self._settle_dishonestly(result.payment_payload.payload, facts, int(overrides["amount"]),
                                                     output_tokens, body)
        else:
            settled = await http.process_settlement(
                result.payment_payload, requirements, context=context, settlement_overrides=overrides,
                declared_extensions=result.declared_extensions,
                transport_context=HTTPTransportContext(request=context, response_body=body),
                before_handler_settlement=result.before_handler_settlement)
            if not settled.success:
                return self._instructions(settled.response)
            headers = dict(settled.headers)
        await self._misbehave_after_settlement(result.payment_payload, requirements)
        if self.misbehaviour.fail_after_settlement:
            return JSONResponse({"error": {"message": "Internal error.", "type": "server_error"}}, status_code=500)
        if self.misbehaviour.receipt is not None and "PAYMENT-RESPONSE" in headers:
            headers["PAYMENT-RESPONSE"] = rewrite_receipt(headers["PAYMENT-RESPONSE"], self.misbehaviour.receipt, body,
                                                          self.chain_id, self.token, self.misbehaviour.payee_key)
        headers.update({"Cache-Control": "private, no-store", "Server-Timing": server_timing(spans)})
        return Response(content=body, media_type="application/json", headers=headers)

    def _cheats_on_settlement(self) -> bool:
        m = self.misbehaviour
        return m.never_settle or m.report_zero_and_hold or m.settles_itself

    async def _settle_dishonestly(self, payload: dict[str, Any], facts: MeteringFacts, amount: int,
                                  output_tokens: int, body: bytes) -> dict[str, str]:
        """What a dishonest payee answers with: no settlement, a claimed 0, or its own settlement."""
        if self.misbehaviour.never_settle:
            return {}
        settler = self.self_settler
        assert settler is not None, "report_zero_and_hold and self-settlement need the payee_key"
        if self.misbehaviour.report_zero_and_hold:
            response = settler.claim_zero_and_hold(payload, facts, body)
        else:
            response = await anyio.to_thread.run_sync(settler.settle, payload, facts, amount, output_tokens, body)
        return {"PAYMENT-RESPONSE": encode_payment_response_header(response)}

    def _demand(self, instructions: HTTPResponseInstructions | None, priced: PricedRequest) -> Response:
        """The 402 (or the SDK's other refusal) as sent, with a body that says in words what it wants."""
        if instructions is not None and instructions.status == 402 and not instructions.body:
            reason = _demand_error(instructions.headers.get(PAYMENT_REQUIRED))
            message = (f"This request costs {priced.price} AIT base units: pay with x402 version 2 (see the "
                       "PAYMENT-REQUIRED header)." if reason in (None, "Payment required") else
                       f"The payment was not accepted ({reason}); nothing was run or charged. See the "
                       "PAYMENT-REQUIRED header for what this request costs.")
            instructions.body = {"error": {"message": message, "type": "payment_required", "code": reason}}
        response = self._instructions(instructions)
        if response.status_code == 402 and PAYMENT_REQUIRED in response.headers:
            header = response.headers[PAYMENT_REQUIRED]
            pay_to = (self.misbehaviour.pay_to or priced.provider.pay_to).lower()
            if pay_to not in self._metered_payees:
                header = _without_scheme(header, UPTO)
            response.headers[PAYMENT_REQUIRED] = self.misbehaviour.rewrite_payment_required(header)
        return response

    @staticmethod
    def _instructions(instructions: HTTPResponseInstructions | None) -> Response:
        if instructions is None:
            return JSONResponse({"error": {"message": "Payment required.", "type": "payment_required"}},
                                status_code=402)
        body = instructions.body or {"error": {"message": "The payment could not be settled; see the "
                                               "PAYMENT-RESPONSE header.", "type": "payment_required"}}
        return JSONResponse(body, status_code=instructions.status, headers=instructions.headers)

    async def _misbehave_after_settlement(self, payload: Any, requirements: Any) -> None:
        if self.misbehaviour.replay_settlement and self._facilitator is not None:
            verified = await self._facilitator.verify(payload, requirements)
            settled = await self._facilitator.settle(payload, requirements)
            self.replay_refusals.append(f"verify: {verified.invalid_reason}; settle: {settled.error_reason}")
        if self.misbehaviour.never_answer == "after_settlement":
            await asyncio.Event().wait()
