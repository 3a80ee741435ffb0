"""Signing an x402 payment with the SDK, over an authorization the wallet has already recorded.

The SDK's own ``ExactEvmScheme`` picks the nonce and the validity itself, inside the call that signs, so the
wallet could only learn them after the signature exists. ``RecordedExactScheme`` is the same scheme built from
the SDK's pieces (its authorization type, its EIP-712 typed data, its payload) but signs the authorization the
wallet chose and wrote down first. It plugs into ``x402ClientSync`` like any scheme, so the client's selection,
hooks and spend controls (an allow-list holding only this network's AIT, capped at the guarded amount) run as
for any x402 payment. ``RecordedUptoScheme`` does the same for metered payment (``upto`` over
``eip3009-upto``): a ``ReceiveUpToAuthorization`` whose ``maxValue`` is the guarded maximum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet.errors import PaymentRefused
from wallet.payments.guard import TOKEN_NAME, TOKEN_VERSION, same_requirement
from wallet.payments.upto import RECEIVE_UP_TO_TYPE, UPTO, is_upto, receive_up_to_message, token_domain

NOT_RECORDED = "The payment to sign is not the one the wallet recorded. Nothing was signed."

if TYPE_CHECKING:
    from x402.mechanisms.evm.signer import ClientEvmSigner
    from x402.schemas import PaymentPayload, PaymentRequired, PaymentRequirements


@dataclass(frozen=True)
class Authorization:
    """The EIP-3009 authorization the wallet will sign, as recorded in its intent."""

    payer: str
    pay_to: str
    value: int
    valid_after: int
    valid_before: int
    nonce: str  # 0x + 64 hex digits
    scheme: str = "exact"   # "upto": ``value`` is the maximum the payee may take

    def to_json(self) -> dict[str, str]:
        amount = "maxValue" if self.scheme == "upto" else "value"
        return {"from": self.payer, "to": self.pay_to, amount: str(self.value),
                "validAfter": str(self.valid_after), "validBefore": str(self.valid_before), "nonce": self.nonce}

    def matches(self, requirements: PaymentRequirements, signer: str, token: str) -> bool:
        return (requirements.pay_to.lower() == self.pay_to.lower() and int(requirements.amount) == self.value
                and requirements.asset.lower() == token.lower() and signer.lower() == self.payer.lower()
                and requirements.scheme == self.scheme)


class _RecordedScheme:
    """An x402 client scheme bound to one recorded authorization: it signs that, for this chain and token, or
    nothing."""

    def __init__(self, signer: ClientEvmSigner, authorization: Authorization, chain_id: int, token: str) -> None:
        self._signer = signer
        self._auth = authorization
        self._chain_id = chain_id
        self._token = token


class RecordedExactScheme(_RecordedScheme):
    """An x402 client scheme (``exact``, EIP-3009) that signs only the recorded authorization."""

    scheme = "exact"

    def create_payment_payload(self, requirements: PaymentRequirements) -> dict[str, Any]:
        from x402.mechanisms.evm.eip712 import build_typed_data_for_signing
        from x402.mechanisms.evm.types import ExactEIP3009Authorization, ExactEIP3009Payload, TypedDataField

        a = self._auth
        if not a.matches(requirements, self._signer.address, self._token):
            raise PaymentRefused(NOT_RECORDED)
        authorization = ExactEIP3009Authorization(
            from_address=a.payer, to=a.pay_to, value=str(a.value), valid_after=str(a.valid_after),
            valid_before=str(a.valid_before), nonce=a.nonce,
        )
        # The domain is the wallet's own (pinned name and version, its chain, its token), never the provider's.
        domain, types, primary, message = build_typed_data_for_signing(
            authorization, self._chain_id, self._token, TOKEN_NAME, TOKEN_VERSION)
        fields = {name: [TypedDataField(name=f["name"], type=f["type"]) for f in fs] for name, fs in types.items()}
        signature = self._signer.sign_typed_data(domain, fields, primary, message)
        return ExactEIP3009Payload(authorization=authorization, signature="0x" + bytes(signature).hex()).to_dict()


class RecordedUptoScheme(_RecordedScheme):
    """An x402 client scheme (``upto`` over ``eip3009-upto``) that signs only the recorded authorization."""

    scheme = UPTO

    def create_payment_payload(self, requirements: PaymentRequirements) -> dict[str, Any]:
        a = self._auth
        if not is_upto(requirements) or not a.matches(requirements, self._signer.address, self._token):
            raise PaymentRefused(NOT_RECORDED)
        domain = token_domain(TOKEN_NAME, TOKEN_VERSION, self._chain_id, self._token)
        full = receive_up_to_message(domain, a.payer, a.pay_to, a.value, a.valid_after, a.valid_before, a.nonce)
        message = {**full["message"], "nonce": bytes.fromhex(a.nonce[2:])}
        signature = self._signer.sign_typed_data(domain, {"ReceiveUpToAuthorization": RECEIVE_UP_TO_TYPE},
                                                 "ReceiveUpToAuthorization", message)
        return {"authorization": a.to_json(), "signature": "0x" + bytes(signature).hex()}


def recorded_scheme(signer: ClientEvmSigner, authorization: Authorization, chain_id: int, token: str,
                    ) -> RecordedExactScheme | RecordedUptoScheme:
    kind = RecordedUptoScheme if authorization.scheme == UPTO else RecordedExactScheme
    return kind(signer, authorization, chain_id, token)


def sign_payment(demand: PaymentRequired, approved: PaymentRequirements,
                 scheme: RecordedExactScheme | RecordedUptoScheme, network: str) -> PaymentPayload:
    """The signed x402 payload for the one option the guard approved, through the SDK's client."""
    from x402 import x402ClientSync
    from x402.schemas import AbortResult, NoMatchingRequirementsError, PaymentAbortedError

    client = x402ClientSync()
    client.register(network, scheme)  # type: ignore[arg-type]
    client.set_spend_controls({"allowed_assets": [
        {"network": network, "asset": approved.asset, "max_amount_per_payment": approved.amount}]})

    def only_the_approved_option(context: Any) -> AbortResult | None:
        if not same_requirement(context.selected_requirements, approved):
            return AbortResult(reason="the selected option is not the one the guard approved")
        return None

    client.on_before_payment_creation(only_the_approved_option)
    try:
        payload = client.create_payment_payload(demand.model_copy(update={"accepts": [approved]}))
    except (PaymentAbortedError, NoMatchingRequirementsError) as e:
        raise PaymentRefused(f"The payment was stopped before signing: {e}. Nothing was signed.") from None
    return payload  # type: ignore[return-value]
