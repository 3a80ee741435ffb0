"""The usage receipt of a metered payment: what the payee says it delivered and charged, signed with its key.

A ``PAYMENT-RESPONSE`` of scheme ``upto`` carries it in ``extra.receipt``. It is an EIP-712 message

    UsageReceipt(address payer,address payTo,bytes32 nonce,uint256 maxAmount,uint256 amount,
                 uint256 inputTokens,uint256 outputTokens,uint256 inputPrice,uint256 outputPrice,bytes32 bodyHash)

over the domain {name: "AI Token usage receipt", version: "1", chainId, verifyingContract: the AIT address},
signed by the payTo key — the same key that alone can settle a metered authorization — so a charge and the
answer it was for are bound by one accountable signature. ``bodyHash`` is the sha256 of the HTTP response body
exactly as sent. The gateway's facilitator signs it; the wallet checks it; both use this module.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from wallet.payments.upto import DOMAIN_TYPE

RECEIPT_NAME = "AI Token usage receipt"
RECEIPT_VERSION = "1"
RECEIPT_TYPE = [
    {"name": "payer", "type": "address"},
    {"name": "payTo", "type": "address"},
    {"name": "nonce", "type": "bytes32"},
    {"name": "maxAmount", "type": "uint256"},
    {"name": "amount", "type": "uint256"},
    {"name": "inputTokens", "type": "uint256"},
    {"name": "outputTokens", "type": "uint256"},
    {"name": "inputPrice", "type": "uint256"},
    {"name": "outputPrice", "type": "uint256"},
    {"name": "bodyHash", "type": "bytes32"},
]
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_BYTES32 = re.compile(r"^0x[0-9a-fA-F]{64}$")
_SIGNATURE = re.compile(r"^0x[0-9a-fA-F]{130}$")
_UINT = re.compile(r"^[0-9]{1,78}$")


def body_hash(body: bytes) -> str:
    return "0x" + hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class UsageReceipt:
    payer: str
    pay_to: str
    nonce: str             # the authorization's nonce, 0x + 64 hex digits
    max_amount: int        # what the authorization allowed
    amount: int            # what was settled
    input_tokens: int
    output_tokens: int
    input_price: int
    output_price: int
    body_hash: str         # 0x + sha256 of the response body
    signature: str = ""    # 0x + 65 bytes, by payTo

    def message(self, chain_id: int, token: str) -> dict[str, Any]:
        """The full EIP-712 message (for ``encode_typed_data(full_message=…)``)."""
        return {"types": {"EIP712Domain": DOMAIN_TYPE, "UsageReceipt": RECEIPT_TYPE}, "primaryType": "UsageReceipt",
                "domain": {"name": RECEIPT_NAME, "version": RECEIPT_VERSION, "chainId": chain_id,
                           "verifyingContract": token},
                "message": {"payer": self.payer, "payTo": self.pay_to, "nonce": self.nonce,
                            "maxAmount": self.max_amount, "amount": self.amount, "inputTokens": self.input_tokens,
                            "outputTokens": self.output_tokens, "inputPrice": self.input_price,
                            "outputPrice": self.output_price, "bodyHash": self.body_hash}}

    def signed_by(self, account: Any, chain_id: int, token: str) -> UsageReceipt:
        """This receipt signed with ``account`` (an eth_account ``LocalAccount``: the payee's key)."""
        from dataclasses import replace

        from eth_account.messages import encode_typed_data

        signed = account.sign_message(encode_typed_data(full_message=self.message(chain_id, token)))
        return replace(self, signature="0x" + bytes(signed.signature).hex())

    def signer(self, chain_id: int, token: str) -> str | None:
        """The address that signed this receipt, or None when the signature cannot be recovered."""
        from eth_account import Account
        from eth_account.messages import encode_typed_data

        if not _SIGNATURE.match(self.signature):
            return None
        try:
            return str(Account.recover_message(encode_typed_data(full_message=self.message(chain_id, token)),
                                               signature=self.signature))
        except Exception:  # a malformed or out-of-range signature: recovery fails, whatever the library says
            return None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        return {"payer": d["payer"], "payTo": d["pay_to"], "nonce": d["nonce"], "maxAmount": str(self.max_amount),
                "amount": str(self.amount), "inputTokens": self.input_tokens, "outputTokens": self.output_tokens,
                "inputPrice": str(self.input_price), "outputPrice": str(self.output_price),
                "bodyHash": self.body_hash, "signature": self.signature}

    @classmethod
    def from_json(cls, data: object) -> UsageReceipt:
        """Strictly: ValueError names the first field that is missing or malformed."""
        if not isinstance(data, Mapping):
            raise ValueError("the receipt is not an object")

        def text(key: str, pattern: re.Pattern[str]) -> str:
            v = data.get(key)
            if not isinstance(v, str) or not pattern.match(v):
                raise ValueError(f"receipt.{key} is missing or malformed")
            return v

        def uint(key: str) -> int:
            v = data.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**256:
                return v
            if isinstance(v, str) and _UINT.match(v) and int(v) < 2**256:
                return int(v)
            raise ValueError(f"receipt.{key} is missing or not a whole number")

        return cls(text("payer", _ADDRESS), text("payTo", _ADDRESS), text("nonce", _BYTES32).lower(),
                   uint("maxAmount"), uint("amount"), uint("inputTokens"), uint("outputTokens"),
                   uint("inputPrice"), uint("outputPrice"), text("bodyHash", _BYTES32).lower(),
                   text("signature", _SIGNATURE))
