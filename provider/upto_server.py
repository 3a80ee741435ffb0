"""The gateway's side of metered payment (x402 ``upto`` over ``eip3009-upto``), as an SDK server scheme.

Registered with ``x402ResourceServer.register(network, UptoServerScheme())`` beside the SDK's ``exact`` scheme.
The option's price callable gives the maximum (the metering rule on the output budget) and the metering facts;
this scheme marks the option ``assetTransferMethod: "eip3009-upto"`` and, at settlement, adds the response body
to the payload it sends the facilitator (``usage.responseBody``, base64), so the facilitator can recompute the
amount from the very bytes the payer receives and sign a receipt bound to them.
"""

from __future__ import annotations

import base64
from typing import Any, ClassVar

from x402.schemas import AssetAmount, PaymentRequirements, SupportedKind

from wallet.payments.upto import UPTO, UPTO_METHOD

USAGE = "usage"   # the key this scheme adds to a payload on its way to settlement


class UptoServerScheme:
    scheme = UPTO
    default_asset_transfer_method = UPTO_METHOD
    payment_flows: ClassVar[dict[str, Any]] = {
        UPTO_METHOD: {"supported": ("authorization",), "default": "authorization"}}

    def parse_price(self, price: Any, network: str) -> AssetAmount:
        if isinstance(price, AssetAmount):
            return price
        if isinstance(price, dict) and "amount" in price and price.get("asset"):
            return AssetAmount(amount=price["amount"], asset=price["asset"], extra=price.get("extra", {}))
        raise ValueError("a metered price is an amount of base units of a named asset")

    def enhance_payment_requirements(self, requirements: PaymentRequirements, supported_kind: SupportedKind,
                                     extension_keys: list[str]) -> PaymentRequirements:
        requirements.extra = {**(requirements.extra or {}), "assetTransferMethod": UPTO_METHOD}
        return requirements

    def enrich_settlement_payload(self, context: Any) -> dict[str, Any] | None:
        transport = getattr(context, "transport_context", None)
        body = getattr(transport, "response_body", None)
        if not isinstance(body, bytes | bytearray):
            return None
        return {USAGE: {"responseBody": base64.b64encode(bytes(body)).decode()}}
