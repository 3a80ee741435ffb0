"""The x402 v2 headers as the wallet reads them: bounded, strict, and decoded with the SDK's own models.

A provider is a stranger until its answer is parsed. ``PAYMENT-REQUIRED`` and ``PAYMENT-RESPONSE`` are read with
a cap on their size and on the nesting of the JSON inside them (deep JSON would overflow the C stack once
eth_account has raised the recursion limit), then validated by the SDK's pydantic models. A header that fails any
of this is a clear refusal, never an exception from the depths of a library.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from wallet.errors import InvalidInput, PaymentRefused
from wallet.safe_io import loads_bounded

if TYPE_CHECKING:
    from x402.schemas import PaymentPayload, PaymentRequired, SettleResponse

PAYMENT_REQUIRED = "payment-required"
PAYMENT_SIGNATURE = "payment-signature"
PAYMENT_RESPONSE = "payment-response"

# A demand with a handful of payment options is a few hundred bytes; 8 KiB leaves room for extensions.
MAX_HEADER_BYTES = 8 * 1024
MAX_JSON_DEPTH = 12


class MalformedDemand(PaymentRefused):
    """The provider's payment demand cannot be read; nothing was signed."""


def decode_header_json(value: str | None, what: str) -> dict[str, Any]:
    """base64(JSON object) from a header, bounded in size and depth; ValueError says what is wrong."""
    if value is None:
        raise ValueError(f"there is no {what} header")
    if len(value) > MAX_HEADER_BYTES:
        raise ValueError(f"the {what} header is {len(value):,} bytes, over the {MAX_HEADER_BYTES:,} a demand needs")
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        raise ValueError(f"the {what} header is not base64-encoded") from None
    try:
        data = loads_bounded(raw, max_bytes=MAX_HEADER_BYTES, max_depth=MAX_JSON_DEPTH, what=f"the {what} header")
    except InvalidInput as e:  # "The … header is …." becomes a clause of the refusal
        clause = e.user_message.rstrip(".")
        raise ValueError(clause[:1].lower() + clause[1:]) from None
    if not isinstance(data, dict):
        raise ValueError(f"the {what} header is not a JSON object")
    return data


def decode_demand(value: str | None) -> tuple[PaymentRequired, dict[str, Any]]:
    """The decoded 402 (the SDK's model) and its raw JSON, or ``MalformedDemand``."""
    from pydantic import ValidationError
    from x402.schemas import PaymentRequired

    try:
        raw = decode_header_json(value, "PAYMENT-REQUIRED")
        if raw.get("x402Version") != 2:
            raise ValueError(f"it speaks x402 version {raw.get('x402Version')!r}; the wallet speaks version 2")
        demand = PaymentRequired.model_validate(raw)
        if not demand.accepts:
            raise ValueError("it offers no way to pay")
    except (ValueError, ValidationError) as e:
        reason = _validation_summary(e) if isinstance(e, ValidationError) else str(e)
        raise MalformedDemand(
            f"The provider's payment demand cannot be read: {reason}. Nothing was signed."
        ) from None
    return demand, raw


def decode_settlement(value: str | None) -> tuple[SettleResponse | None, dict[str, Any] | None]:
    """The provider's ``PAYMENT-RESPONSE``, or (None, None) when it is absent or unreadable.

    The wallet never trusts it anyway: the settlement is checked on chain; the header only says where to look.
    """
    from pydantic import ValidationError
    from x402.schemas import SettleResponse

    if value is None:
        return None, None
    try:
        raw = decode_header_json(value, "PAYMENT-RESPONSE")
        return SettleResponse.model_validate(raw), raw
    except (ValueError, ValidationError):
        return None, None


def encode_payment(payload: PaymentPayload) -> str:
    from x402.http.utils import encode_payment_signature_header

    return encode_payment_signature_header(payload)


def _validation_summary(e: Any) -> str:
    first = e.errors()[0] if e.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ())) or "the document"
    return f"{where}: {first.get('msg', 'invalid')}"
