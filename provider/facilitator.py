"""The facilitator: verifies x402 payments and settles them on chain, and settles nothing it did not verify.

It wraps the SDK's ``x402FacilitatorSync`` for one network. Two schemes are registered at construction:

* ``exact`` (EIP-3009 ``transferWithAuthorization``), settled with the facilitator's own key, which pays the gas;
* ``upto`` (``provider.upto_facilitator``: metered, ``receiveWithAuthorizationUpTo``), whose settlement only the
  payee may submit: it takes its signer from ``payee_signer(pay_to)``, one settlement key per payTo the
  facilitator serves, and settles only the amount the answer's usage justifies.

Further schemes are added with ``register(scheme, policy)``.

Every payment that verifies is remembered until its authorization expires. ``settle`` refuses a payment it did
not verify, one already settled or being settled, and one whose requirements the scheme's policy says do not
match what was verified (for ``exact``: anything but the very same requirements; for ``upto``: anything but the
same requirements with an amount at most the verified maximum).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from pydantic import ValidationError
from x402 import x402FacilitatorSync
from x402.mechanisms.evm import FacilitatorWeb3Signer
from x402.mechanisms.evm.exact import ExactEvmFacilitatorScheme
from x402.schemas import PaymentPayload, PaymentRequirements, SettleResponse, VerifyResponse

from provider.keys import PayeeKeys
from provider.upto_facilitator import UptoFacilitatorScheme
from provider.upto_server import USAGE
from wallet.errors import ConfigError

log = logging.getLogger(__name__)

# Settlement policy: given the verified requirements and those presented for settlement, a reason to refuse.
SettlementPolicy = Callable[[Mapping[str, Any], Mapping[str, Any]], str | None]

MAX_REMEMBERED = 100_000          # verified payments kept at once (each until its authorization expires)
MAX_REMEMBER_SECONDS = 24 * 3600  # however long an authorization claims to stay valid

NOT_VERIFIED = "not_verified_by_this_facilitator"
ALREADY_SETTLED = "already_settled"
SETTLING = "settlement_in_progress"
MISMATCH = "requirements_differ_from_verified"
INVALID_REQUEST = "invalid_request"
SETTLEMENT_ADDITIONS = frozenset({USAGE})


def same_requirements(verified: Mapping[str, Any], presented: Mapping[str, Any]) -> str | None:
    """The ``exact`` policy: settle exactly what was verified."""
    changed = sorted(k for k in set(verified) | set(presented) if verified.get(k) != presented.get(k))
    return f"these fields differ from the verified payment: {', '.join(changed)}" if changed else None


def up_to_verified_amount(verified: Mapping[str, Any], presented: Mapping[str, Any]) -> str | None:
    """The ``upto`` policy: the verified requirements, with an amount of at most the verified maximum."""
    changed = same_requirements({**verified, "amount": None}, {**presented, "amount": None})
    if changed:
        return changed
    amount, maximum = str(presented.get("amount")), str(verified.get("amount"))
    if not (amount.isdigit() and maximum.isdigit()) or int(amount) > int(maximum):
        return f"the amount {amount[:80]} is over the authorized maximum {maximum[:80]}"
    return None


@dataclass
class _Remembered:
    requirements: dict[str, Any]
    expires_at: float
    state: str = "verified"          # verified | settling | settled
    transaction: str = ""


def payment_key(payload: PaymentPayload) -> str:
    """One authorization, however it is wrapped: the hash of the scheme's signed payload (without what the
    gateway adds on the way to settlement, such as a metered payment's usage)."""
    signed = {k: v for k, v in payload.payload.items() if k not in SETTLEMENT_ADDITIONS}
    return hashlib.sha256(json.dumps(signed, sort_keys=True).encode()).hexdigest()


def _expiry(payload: PaymentPayload, requirements: PaymentRequirements, now: float) -> float:
    auth = payload.payload.get("authorization") if isinstance(payload.payload, dict) else None
    valid_before = auth.get("validBefore") if isinstance(auth, dict) else None
    try:
        until = float(int(str(valid_before)))
    except ValueError:
        until = now + requirements.max_timeout_seconds
    return min(until, now + MAX_REMEMBER_SECONDS)


def _requirements_json(r: PaymentRequirements) -> dict[str, Any]:
    return r.model_dump(by_alias=True, exclude_none=True)


class Facilitator:
    def __init__(self, network: str, rpc_url: str, fee_account: LocalAccount,
                 payee_keys: PayeeKeys | None = None) -> None:
        self.network = network
        self.rpc_url = rpc_url
        self.address = fee_account.address
        self.payee_keys = payee_keys or PayeeKeys()
        self.fee_signer = FacilitatorWeb3Signer(private_key=fee_account.key.hex(), rpc_url=rpc_url)
        self._payee_signers: dict[str, FacilitatorWeb3Signer] = {}
        self._sdk = x402FacilitatorSync()
        self._policies: dict[str, SettlementPolicy] = {}
        self._lock = threading.Lock()
        self._remembered: dict[str, _Remembered] = {}
        self.register(ExactEvmFacilitatorScheme(self.fee_signer), same_requirements)
        self.register(UptoFacilitatorScheme(self, int(network.split(":", 1)[1]), rpc_url), up_to_verified_amount)

    def __repr__(self) -> str:
        return f"Facilitator({self.network}, {self.address}, payees={self.payee_keys.addresses()})"

    # --- schemes ---
    def register(self, scheme: Any, policy: SettlementPolicy) -> Facilitator:
        """Add an SDK facilitator scheme object for this network, with the policy its settlements obey."""
        self._sdk.register([self.network], scheme)
        self._policies[scheme.scheme] = policy
        return self

    def payee_signer(self, pay_to: str) -> FacilitatorWeb3Signer:
        """The signer holding ``pay_to``'s own key, for settlements only the payee may submit."""
        with self._lock:
            signer = self._payee_signers.get(pay_to.lower())
            if signer is None:
                account = self.payee_keys.for_pay_to(pay_to)
                if account is None:
                    raise ConfigError(f"This facilitator holds no settlement key for the payee {pay_to}.")
                signer = FacilitatorWeb3Signer(private_key=account.key.hex(), rpc_url=self.rpc_url)
                self._payee_signers[pay_to.lower()] = signer
            return signer

    def supported(self) -> dict[str, Any]:
        return self._sdk.get_supported().model_dump(by_alias=True, exclude_none=True)

    # --- verify and settle ---
    def verify(self, payload_json: Mapping[str, Any], requirements_json: Mapping[str, Any]) -> dict[str, Any]:
        try:
            payload, requirements = self._parse(payload_json, requirements_json)
        except ValueError as e:
            return VerifyResponse(is_valid=False, invalid_reason=INVALID_REQUEST,
                                  invalid_message=str(e)).model_dump(by_alias=True, exclude_none=True)
        try:
            result = self._sdk.verify(payload, requirements)
        except Exception as e:  # an unsupported scheme/network or a payload the scheme cannot read
            log.warning("verify refused a payment it could not process: %s", e)
            result = VerifyResponse(is_valid=False, invalid_reason=INVALID_REQUEST, invalid_message=str(e)[:300])
        if result.is_valid:
            self._remember(payload, requirements)
        return result.model_dump(by_alias=True, exclude_none=True)

    def settle(self, payload_json: Mapping[str, Any], requirements_json: Mapping[str, Any]) -> dict[str, Any]:
        try:
            payload, requirements = self._parse(payload_json, requirements_json)
        except ValueError as e:
            return self._refusal(INVALID_REQUEST, str(e), None)
        key = payment_key(payload)
        refusal = self._claim(key, requirements)
        if refusal is not None:
            return self._refusal(*refusal, requirements)
        try:
            result = self._sdk.settle(payload, requirements)
        except Exception as e:
            log.warning("settlement failed: %s", e)
            result = SettleResponse(success=False, error_reason="settlement_failed", error_message=str(e)[:300],
                                    transaction="", network=requirements.network)
        with self._lock:
            entry = self._remembered.get(key)
            if entry is not None:
                entry.state = "settled" if result.success else "verified"
                entry.transaction = result.transaction if result.success else ""
        if result.success:
            log.info("settled %s base units to %s in %s", requirements.amount, requirements.pay_to,
                     result.transaction)
        return result.model_dump(by_alias=True, exclude_none=True)

    # --- internals ---
    def _parse(self, payload_json: Mapping[str, Any],
               requirements_json: Mapping[str, Any]) -> tuple[PaymentPayload, PaymentRequirements]:
        if not isinstance(payload_json, Mapping) or payload_json.get("x402Version") != 2:
            raise ValueError("only x402 version 2 payments are accepted")
        try:
            return PaymentPayload.model_validate(payload_json), PaymentRequirements.model_validate(requirements_json)
        except ValidationError as e:
            raise ValueError(f"malformed payment: {e.error_count()} field(s) invalid") from None

    def _remember(self, payload: PaymentPayload, requirements: PaymentRequirements) -> None:
        now = time.time()
        key = payment_key(payload)
        with self._lock:
            if key in self._remembered and self._remembered[key].state != "verified":
                return  # settled or settling: verifying again changes nothing
            if len(self._remembered) >= MAX_REMEMBERED:
                self._forget_expired(now)
            if len(self._remembered) >= MAX_REMEMBERED:
                oldest = min(self._remembered, key=lambda k: self._remembered[k].expires_at)
                del self._remembered[oldest]
            self._remembered[key] = _Remembered(_requirements_json(requirements), _expiry(payload, requirements, now))

    def _forget_expired(self, now: float) -> None:
        for k in [k for k, v in self._remembered.items() if v.expires_at < now]:
            del self._remembered[k]

    def _claim(self, key: str, requirements: PaymentRequirements) -> tuple[str, str] | None:
        """Mark a verified payment as being settled, or say why it may not be."""
        with self._lock:
            entry = self._remembered.get(key)
            if entry is None:
                return NOT_VERIFIED, "This facilitator settles only payments it has verified."
            if entry.state == "settled":
                return ALREADY_SETTLED, f"This authorization was already settled in {entry.transaction}."
            if entry.state == "settling":
                return SETTLING, "This authorization is being settled already."
            policy = self._policies.get(requirements.scheme)
            reason = (policy(entry.requirements, _requirements_json(requirements)) if policy
                      else f"no settlement policy for scheme {requirements.scheme!r}")
            if reason:
                return MISMATCH, f"Refused: {reason}."
            entry.state = "settling"
            return None

    def _refusal(self, reason: str, message: str, requirements: PaymentRequirements | None) -> dict[str, Any]:
        log.warning("settlement refused (%s): %s", reason, message)
        network = requirements.network if requirements is not None else self.network
        return SettleResponse(success=False, error_reason=reason, error_message=message, transaction="",
                              network=network).model_dump(by_alias=True, exclude_none=True)
