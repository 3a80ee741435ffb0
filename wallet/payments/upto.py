"""Metered settlement (x402 scheme ``upto`` over ``eip3009-upto``): the facts both sides agree on, and the
EIP-712 messages the payer signs.

The 402's ``upto`` option carries, in ``extra``:

* ``assetTransferMethod: "eip3009-upto"`` — settled by AIToken's ``receiveWithAuthorizationUpTo``, which only
  the payee may call, choosing any value up to the signed maximum;
* ``name`` / ``version`` — the token's EIP-712 domain (with the chain id and the token address it is complete);
* ``metering`` — what the settlement will be computed from (``MeteringFacts``): the model, its encoding, the
  input tokens of the request, the output budget and the two prices. The maximum (the option's ``amount``) is
  the metering rule on the budget; the settled amount is the same rule on the output actually generated.

The gateway writes these facts, its facilitator settles by them, and the wallet checks them against its own
count before it signs and against its own count of the answer after settlement. One definition, both sides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wallet.metering import MeteredRequest, Settlement, settle

UPTO = "upto"
UPTO_METHOD = "eip3009-upto"
METERING = "metering"
MAX_TOKENS = 10**9          # far beyond any context window: a count past it is not a count
MAX_PRICE = 2**128          # base units per 1M tokens; the registry's prices are far below
_DIGITS = re.compile(r"^[0-9]{1,40}$")
_MODEL = re.compile(r"^[\x21-\x7e]{1,128}$")

DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
RECEIVE_UP_TO_TYPE = [
    {"name": "from", "type": "address"},
    {"name": "to", "type": "address"},
    {"name": "maxValue", "type": "uint256"},
    {"name": "validAfter", "type": "uint256"},
    {"name": "validBefore", "type": "uint256"},
    {"name": "nonce", "type": "bytes32"},
]
CANCEL_TYPE = [
    {"name": "authorizer", "type": "address"},
    {"name": "nonce", "type": "bytes32"},
]


@dataclass(frozen=True)
class MeteringFacts:
    """What a metered payment's amount is computed from, as the 402 states it."""

    model: str
    encoding: str
    input_tokens: int
    max_output_tokens: int
    input_price: int       # AIT base units per 1,000,000 tokens
    output_price: int

    @classmethod
    def of(cls, request: MeteredRequest) -> MeteringFacts:
        return cls(request.model, request.encoding, request.input_tokens, request.max_tokens,
                   request.input_price, request.output_price)

    @property
    def request(self) -> MeteredRequest:
        return MeteredRequest(self.model, self.encoding, self.input_tokens, self.max_output_tokens,
                              self.input_price, self.output_price)

    @property
    def maximum(self) -> int:
        """The metering rule on the whole output budget: what the payer authorizes at most."""
        return self.request.price

    def settle(self, output_text: str) -> Settlement:
        """The metering rule on the output actually generated (counted under the model's encoding)."""
        return settle(self.request, output_text)

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "encoding": self.encoding, "inputTokens": self.input_tokens,
                "maxOutputTokens": self.max_output_tokens, "inputPrice": str(self.input_price),
                "outputPrice": str(self.output_price)}

    @classmethod
    def from_json(cls, data: object) -> MeteringFacts:
        """Strictly: ValueError names the first field that is missing or wrong."""
        if not isinstance(data, Mapping):
            raise ValueError("the metering facts are missing")
        model, encoding = data.get("model"), data.get("encoding")
        if not isinstance(model, str) or not _MODEL.match(model):
            raise ValueError("metering.model is not a model id")
        if encoding not in ("o200k_base", "cl100k_base"):
            raise ValueError("metering.encoding is not o200k_base or cl100k_base")
        return cls(model, encoding, _count(data, "inputTokens"), _count(data, "maxOutputTokens"),
                   _price(data, "inputPrice"), _price(data, "outputPrice"))


def _count(data: Mapping[str, Any], key: str) -> int:
    v = data.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_TOKENS:
        raise ValueError(f"metering.{key} is not a token count")
    return v


def _price(data: Mapping[str, Any], key: str) -> int:
    v = data.get(key)
    if not isinstance(v, str) or not _DIGITS.match(v) or int(v) >= MAX_PRICE:
        raise ValueError(f"metering.{key} is not a price in base units")
    return int(v)


def is_upto(requirements: Any) -> bool:
    """An x402 option (the SDK's ``PaymentRequirements``) of this metered kind."""
    extra = requirements.extra or {}
    return requirements.scheme == UPTO and extra.get("assetTransferMethod") == UPTO_METHOD


def token_domain(name: str, version: str, chain_id: int, token: str) -> dict[str, Any]:
    return {"name": name, "version": version, "chainId": chain_id, "verifyingContract": token}


def receive_up_to_message(domain: dict[str, Any], payer: str, pay_to: str, max_value: int, valid_after: int,
                          valid_before: int, nonce: str) -> dict[str, Any]:
    """The full EIP-712 message of a ``ReceiveUpToAuthorization`` (for ``encode_typed_data(full_message=…)``)."""
    return {"types": {"EIP712Domain": DOMAIN_TYPE, "ReceiveUpToAuthorization": RECEIVE_UP_TO_TYPE},
            "primaryType": "ReceiveUpToAuthorization", "domain": domain,
            "message": {"from": payer, "to": pay_to, "maxValue": max_value, "validAfter": valid_after,
                        "validBefore": valid_before, "nonce": nonce}}


def cancel_message(domain: dict[str, Any], authorizer: str, nonce: str) -> dict[str, Any]:
    """The full EIP-712 message of EIP-3009's ``CancelAuthorization``."""
    return {"types": {"EIP712Domain": DOMAIN_TYPE, "CancelAuthorization": CANCEL_TYPE},
            "primaryType": "CancelAuthorization", "domain": domain,
            "message": {"authorizer": authorizer, "nonce": nonce}}
