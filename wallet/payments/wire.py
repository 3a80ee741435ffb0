"""The x402 v2 headers as the wallet reads them: bounded, strict, and decoded with the SDK's own models.

A provider is a stranger until its answer is parsed. ``PAYMENT-REQUIRED`` and ``PAYMENT-RESPONSE`` are read with
a cap on their size and on the nesting of the JSON inside them (deep JSON would overflow the C stack once
eth_account has raised the recursion limit), then validated by the SDK's pydantic models. A header that fails any
of this is a clear refusal, never an exception from the depths of a library.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from wallet.errors import PaymentRefused

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


def check_json_depth(text: str, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse JSON nested deeper than ``max_depth`` before any parser recurses into it."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                raise ValueError(f"nested more than {max_depth} levels deep")
        elif ch in "]}":
            depth -= 1


def decode_header_json(value: str | None, what: str) -> dict[str, Any]:
    """base64(JSON object) from a header, bounded in size and depth; ValueError says what is wrong."""
    if value is None:
        raise ValueError(f"there is no {what} header")
    if len(value) > MAX_HEADER_BYTES:
        raise ValueError(f"the {what} header is {len(value):,} bytes, over the {MAX_HEADER_BYTES:,} a demand needs")
    try:
        text = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(f"the {what} header is not base64-encoded UTF-8 text") from None
    check_json_depth(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"the {what} header is not JSON ({e.msg})") from None
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
