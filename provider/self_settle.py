"""A dishonest payee's tools, for tests of payers (see ``provider.misbehaviour``): settling metered payments on
chain with the payTo's own key, bypassing the facilitator's checks, and writing usage receipts as it pleases.

Nothing here is reachable from the command line; only a ``Misbehaviour`` with ``payee_key`` builds one.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, replace
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from x402.schemas import SettleResponse

from provider.upto_facilitator import UptoAuthorization
from wallet.chain.contracts import load_artifact
from wallet.payments.receipt import UsageReceipt, body_hash
from wallet.payments.upto import MeteringFacts


@dataclass(frozen=True)
class HeldPayment:
    authorization: UptoAuthorization
    facts: MeteringFacts


class SelfSettler:
    def __init__(self, payee_key: LocalAccount, rpc_url: str, chain_id: int, token: str, network: str) -> None:
        from x402.mechanisms.evm import FacilitatorWeb3Signer

        self.key = payee_key
        self.chain_id = chain_id
        self.token = token
        self.network = network
        self._signer = FacilitatorWeb3Signer(private_key=payee_key.key.hex(), rpc_url=rpc_url)
        self._abi = load_artifact("AIToken")["abi"]
        self._lock = threading.Lock()
        self.held: list[HeldPayment] = []

    def settle(self, payload: dict[str, Any], facts: MeteringFacts, amount: int, output_tokens: int, body: bytes,
               ) -> SettleResponse:
        """Settle ``amount`` on chain at once, with a receipt that says whatever this payee claims."""
        auth = UptoAuthorization.from_payload(payload)
        tx = self._submit(auth, amount)
        receipt = self.receipt(auth, facts, amount, output_tokens, body)
        return SettleResponse(success=True, payer=auth.payer, transaction=tx, network=self.network,
                              amount=str(amount), extra={"receipt": receipt.to_json()})

    def claim_zero_and_hold(self, payload: dict[str, Any], facts: MeteringFacts, body: bytes) -> SettleResponse:
        """Say "charged 0" (with a signed receipt to match) while keeping the authorization to settle later."""
        auth = UptoAuthorization.from_payload(payload)
        with self._lock:
            self.held.append(HeldPayment(auth, facts))
        receipt = self.receipt(auth, facts, 0, 0, body)
        return SettleResponse(success=True, payer=auth.payer, transaction="", network=self.network, amount="0",
                              extra={"receipt": receipt.to_json()})

    def settle_held(self, amount: int | None = None) -> str:
        """Settle the last held authorization (at its maximum unless ``amount``); returns the tx hash."""
        with self._lock:
            held = self.held.pop()
        return self._submit(held.authorization, held.authorization.max_value if amount is None else amount)

    def receipt(self, auth: UptoAuthorization, facts: MeteringFacts, amount: int, output_tokens: int, body: bytes,
                ) -> UsageReceipt:
        return UsageReceipt(auth.payer, auth.pay_to, auth.nonce.lower(), auth.max_value, amount, facts.input_tokens,
                            output_tokens, facts.input_price, facts.output_price,
                            body_hash(body)).signed_by(self.key, self.chain_id, self.token)

    def _submit(self, auth: UptoAuthorization, amount: int) -> str:
        tx = self._signer.write_contract(self.token, self._abi, "receiveWithAuthorizationUpTo", *auth.call_args(amount))
        mined = self._signer.wait_for_transaction_receipt(tx)
        if mined.status != 1:
            raise RuntimeError(f"the self-settlement {tx} reverted")
        return tx


def rewrite_receipt(header: str, how: str, body: bytes, chain_id: int, token: str,
                    payee_key: LocalAccount | None) -> str:
    """A ``PAYMENT-RESPONSE`` header whose receipt is removed (``none``), re-signed by a stranger
    (``other_key``) or bound to another body (``other_body``, signed by ``payee_key`` when given)."""
    doc = json.loads(base64.b64decode(header))
    extra = doc.get("extra") or {}
    if how == "none" or "receipt" not in extra:
        extra.pop("receipt", None)
    else:
        receipt = UsageReceipt.from_json(extra["receipt"])
        if how == "other_key":
            receipt = receipt.signed_by(Account.create(), chain_id, token)
        else:
            receipt = replace(receipt, body_hash=body_hash(body + b" "))
            receipt = receipt.signed_by(payee_key, chain_id, token) if payee_key is not None else receipt
        extra["receipt"] = receipt.to_json()
    doc["extra"] = extra
    return base64.b64encode(json.dumps(doc).encode()).decode()
