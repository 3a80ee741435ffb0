"""The facilitator's side of metered payment (x402 ``upto`` over ``eip3009-upto``), as an SDK facilitator scheme.

* **verify** — the authorization pays this payTo, its maximum is the option's amount and that amount is the
  metering rule on the stated facts (input tokens, output budget, prices), the validity window is open, the
  facilitator holds the payTo's settlement key, and a simulation of ``receiveWithAuthorizationUpTo`` at the
  maximum, sent from the payTo, succeeds — which is the token itself checking the payer's signature
  (``ReceiveUpToAuthorization``, ECDSA or ERC-1271), the unused nonce, the window and the balance.
* **settle** — only an amount the answer justifies: the facilitator reads the response body it is given
  (``usage.responseBody``), counts the output under the model's encoding with the metering rule, and refuses
  any other amount. Then the payTo's key submits ``receiveWithAuthorizationUpTo`` with that value (0 included:
  it consumes the nonce) and signs the usage receipt (``wallet.payments.receipt``), returned in the
  settlement's ``extra.receipt``.

A Permit2 ``upto`` payment (the SDK's own kind) is handed to the SDK's ``UptoEvmScheme``: the SDK keeps one
scheme object per (network, scheme), so this one serves both transfer methods.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from x402.mechanisms.evm.upto import UptoEvmFacilitatorScheme
from x402.schemas import PaymentPayload, PaymentRequirements, SettleResponse, VerifyResponse

from wallet.errors import InvalidInput, QuoteError, WalletError
from wallet.payments.receipt import UsageReceipt, body_hash
from wallet.payments.upto import (
    METERING,
    UPTO,
    UPTO_METHOD,
    MeteringFacts,
)
from wallet.safe_io import loads_bounded

if TYPE_CHECKING:
    from provider.facilitator import Facilitator

log = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_RESPONSE_DEPTH = 32
MIN_VALIDITY_LEFT = 6      # seconds: room to settle before the authorization expires
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_NONCE = re.compile(r"^0x[0-9a-fA-F]{64}$")
_SIGNATURE = re.compile(r"^0x[0-9a-fA-F]{130}$")
_UINT = re.compile(r"^[0-9]{1,78}$")

UNJUSTIFIED = "usage_does_not_justify_amount"
RECEIVE_UP_TO_ARGS = ("address", "address", "uint256", "uint256", "uint256", "uint256", "bytes32", "bytes")


def _selector(signature: str) -> bytes:
    from eth_utils import keccak

    return keccak(text=signature)[:4]


RECEIVE_UP_TO_SELECTOR = _selector(f"receiveWithAuthorizationUpTo({','.join(RECEIVE_UP_TO_ARGS)})")


class Unjustified(ValueError):
    """The amount asked for is not what the answer's usage costs."""


@dataclass(frozen=True)
class UptoAuthorization:
    payer: str
    pay_to: str
    max_value: int
    valid_after: int
    valid_before: int
    nonce: str
    signature: str

    @classmethod
    def from_payload(cls, payload: Any) -> UptoAuthorization:
        auth = payload.get("authorization") if isinstance(payload, dict) else None
        if not isinstance(auth, dict):
            raise ValueError("the payload holds no authorization")

        def field(key: str, pattern: re.Pattern[str]) -> str:
            v = auth.get(key) if key != "signature" else payload.get("signature")
            if not isinstance(v, str) or not pattern.match(v):
                raise ValueError(f"authorization.{key} is missing or malformed")
            return v

        return cls(field("from", _ADDRESS), field("to", _ADDRESS), int(field("maxValue", _UINT)),
                   int(field("validAfter", _UINT)), int(field("validBefore", _UINT)), field("nonce", _NONCE),
                   field("signature", _SIGNATURE))

    def call_args(self, value: int) -> tuple[Any, ...]:
        from web3 import Web3

        return (Web3.to_checksum_address(self.payer), Web3.to_checksum_address(self.pay_to), self.max_value, value,
                self.valid_after, self.valid_before, bytes.fromhex(self.nonce[2:]), bytes.fromhex(self.signature[2:]))

    def calldata(self, value: int) -> bytes:
        """``receiveWithAuthorizationUpTo(…, value, …)`` ABI-encoded (no contract object: that costs milliseconds)."""
        from eth_abi import encode

        return RECEIVE_UP_TO_SELECTOR + encode(list(RECEIVE_UP_TO_ARGS), list(self.call_args(value)))


def is_permit2(payload: PaymentPayload, requirements: PaymentRequirements) -> bool:
    return (requirements.extra or {}).get("assetTransferMethod") != UPTO_METHOD and isinstance(
        payload.payload, dict) and "permit2Authorization" in payload.payload


class UptoFacilitatorScheme:
    scheme = UPTO
    caip_family = "eip155:*"

    def __init__(self, facilitator: Facilitator, chain_id: int, rpc_url: str) -> None:
        from web3 import Web3

        self._facilitator = facilitator
        self._chain_id = chain_id
        self._rpc = Web3(Web3.HTTPProvider(rpc_url)).provider   # bare JSON-RPC for the simulation
        self._permit2 = UptoEvmFacilitatorScheme(facilitator.fee_signer)

    def get_extra(self, network: str) -> dict[str, Any]:
        # facilitatorAddress serves the SDK's Permit2 kind; payees says whose metered payments can be settled here.
        return {"facilitatorAddress": self._facilitator.address,
                "assetTransferMethods": [UPTO_METHOD, "permit2"],
                "payees": self._facilitator.payee_keys.addresses()}

    def get_signers(self, network: str) -> list[str]:
        return [self._facilitator.address, *self._facilitator.payee_keys.addresses()]

    # --- verify ---
    def verify(self, payload: PaymentPayload, requirements: PaymentRequirements, context: Any = None,
               ) -> VerifyResponse:
        if is_permit2(payload, requirements):
            return self._permit2.verify(payload, requirements, context)
        try:
            auth, facts = self._read(payload, requirements)
        except ValueError as e:
            return _invalid("invalid_upto_payload", str(e))
        problem = self._check(auth, facts, requirements)
        if problem is not None:
            return _invalid(*problem, payer=auth.payer)
        return VerifyResponse(is_valid=True, payer=auth.payer)

    def _read(self, payload: PaymentPayload, requirements: PaymentRequirements,
              ) -> tuple[UptoAuthorization, MeteringFacts]:
        extra = requirements.extra or {}
        if extra.get("assetTransferMethod") != UPTO_METHOD:
            raise ValueError(f"this scheme settles assetTransferMethod {UPTO_METHOD!r} or Permit2 only")
        return UptoAuthorization.from_payload(payload.payload), MeteringFacts.from_json(extra.get(METERING))

    def _check(self, auth: UptoAuthorization, facts: MeteringFacts, req: PaymentRequirements,
               ) -> tuple[str, str] | None:
        if auth.pay_to.lower() != req.pay_to.lower():
            return "invalid_upto_recipient", "the authorization pays another address than the payTo"
        if str(auth.max_value) != req.amount:
            return "invalid_upto_amount", "the authorized maximum is not the amount asked"
        try:
            maximum = facts.maximum
        except QuoteError as e:
            return "invalid_upto_metering", e.user_message
        if maximum != auth.max_value:
            return "invalid_upto_metering", (f"the maximum {auth.max_value} is not the metering rule on the "
                                             f"stated facts ({maximum})")
        now = int(time.time())
        if auth.valid_before < now + MIN_VALIDITY_LEFT:
            return "invalid_upto_valid_before", "the authorization expires too soon to be settled"
        if auth.valid_after > now:
            return "invalid_upto_valid_after", "the authorization is not valid yet"
        if auth.valid_before > now + req.max_timeout_seconds + 60:
            return "invalid_upto_valid_before", "the authorization stays valid longer than the option allows"
        try:
            self._facilitator.payee_signer(auth.pay_to)
        except WalletError:
            return "no_settlement_key_for_payee", f"this facilitator cannot settle for {auth.pay_to}"
        return self._simulate(auth, req.asset)

    def _simulate(self, auth: UptoAuthorization, asset: str) -> tuple[str, str] | None:
        """``receiveWithAuthorizationUpTo`` at the maximum, from the payTo, as an ``eth_call``: what would fail."""
        call = {"from": auth.pay_to, "to": asset, "data": "0x" + auth.calldata(auth.max_value).hex()}
        try:
            answer = self._rpc.make_request("eth_call", [call, "latest"])
        except Exception as e:  # the node cannot be reached: nothing can be settled either
            return "invalid_upto_simulation", f"the chain could not be asked ({e.__class__.__name__})"
        error = answer.get("error") if isinstance(answer, dict) else "no answer"
        if not error:
            return None
        return _revert_reason(str(error.get("message", error)) if isinstance(error, dict) else str(error))

    # --- settle ---
    def settle(self, payload: PaymentPayload, requirements: PaymentRequirements, context: Any = None,
               ) -> SettleResponse:
        if is_permit2(payload, requirements):
            return self._permit2.settle(payload, requirements, context)
        network = str(requirements.network)
        try:
            auth, facts = self._read(payload, requirements)
            body = _response_body(payload.payload)
            amount, output_tokens = self._justified(facts, body, requirements)
        except Unjustified as e:
            return _failed(UNJUSTIFIED, str(e), network)
        except ValueError as e:
            return _failed("invalid_upto_payload", str(e), network)
        if auth.pay_to.lower() != requirements.pay_to.lower() or str(auth.max_value) != _verified_max(requirements):
            return _failed("invalid_upto_payload", "the authorization is not the one verified", network)
        try:
            payee = self._facilitator.payee_signer(auth.pay_to)
            tx = payee.send_transaction(requirements.asset, auth.calldata(amount))
            mined = payee.wait_for_transaction_receipt(tx)
        except Exception as e:
            log.warning("metered settlement failed: %s", e)
            return _failed("settlement_failed", str(e)[:300], network, payer=auth.payer)
        if mined.status != 1:
            return _failed("transaction_failed", f"the settlement {tx} reverted", network, payer=auth.payer,
                           transaction=tx)
        account = self._facilitator.payee_keys.for_pay_to(auth.pay_to)
        assert account is not None  # payee_signer above found it
        receipt = UsageReceipt(auth.payer, auth.pay_to, auth.nonce.lower(), auth.max_value, amount,
                               facts.input_tokens, output_tokens, facts.input_price, facts.output_price,
                               body_hash(body)).signed_by(account, self._chain_id, requirements.asset)
        return SettleResponse(success=True, payer=auth.payer, transaction=tx, network=network, amount=str(amount),
                              extra={"receipt": receipt.to_json()})

    @staticmethod
    def _justified(facts: MeteringFacts, body: bytes, requirements: PaymentRequirements) -> tuple[int, int]:
        """The amount asked, if the answer justifies it to the base unit, with the output tokens counted."""
        try:
            doc = loads_bounded(body, max_bytes=MAX_RESPONSE_BYTES, max_depth=MAX_RESPONSE_DEPTH,
                                what="the response body")
            content = doc["choices"][0]["message"]["content"]
        except (InvalidInput, KeyError, IndexError, TypeError) as e:
            raise Unjustified(f"the response body is not a chat completion ({e}), so no usage justifies a charge"
                              ) from None
        if not isinstance(content, str):
            raise Unjustified("the response body has no text, so no usage justifies a charge")
        metered = facts.settle(content)
        asked = int(requirements.amount) if _UINT.match(requirements.amount) else -1
        if asked != metered.price:
            raise Unjustified(f"the answer holds {metered.output_tokens} output tokens, which the metering rule "
                             f"prices at {metered.price} base units; the settlement asked for {requirements.amount}, "
                              "which that usage does not justify")
        return asked, metered.output_tokens


def _verified_max(requirements: PaymentRequirements) -> str:
    """The maximum the verified option named: the metering rule on its facts (the settlement policy keeps every
    field of the requirements but the amount as verified)."""
    try:
        return str(MeteringFacts.from_json((requirements.extra or {}).get(METERING)).maximum)
    except (ValueError, QuoteError):
        return ""


def _response_body(payload: Any) -> bytes:
    usage = payload.get("usage") if isinstance(payload, dict) else None
    text = usage.get("responseBody") if isinstance(usage, dict) else None
    if not isinstance(text, str) or len(text) > MAX_RESPONSE_BYTES * 4 // 3 + 4:
        raise ValueError("the settlement carries no response body to justify its usage")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("the response body is not base64") from None


def _revert_reason(text: str) -> tuple[str, str]:
    low = text.lower()
    if "used or canceled" in low:
        return "invalid_upto_nonce_already_used", "the authorization was already used or cancelled"
    if "exceeds balance" in low or "insufficientbalance" in low:
        return "insufficient_funds", "the payer's balance does not cover the maximum"
    if "expired" in low or "not yet valid" in low:
        return "invalid_upto_valid_before", text[:200]
    if "invalid signature" in low:
        return "invalid_upto_signature", "the signature is not the payer's"
    return "invalid_upto_simulation", f"the settlement would fail: {text[:200]}"


def _invalid(reason: str, message: str, *, payer: str = "") -> VerifyResponse:
    return VerifyResponse(is_valid=False, invalid_reason=reason, invalid_message=message, payer=payer)


def _failed(reason: str, message: str, network: str, *, payer: str = "", transaction: str = "") -> SettleResponse:
    log.warning("metered settlement refused (%s): %s", reason, message)
    return SettleResponse(success=False, error_reason=reason, error_message=message, transaction=transaction,
                          network=network, payer=payer)
