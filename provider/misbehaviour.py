"""Ways to make a gateway misbehave on purpose, for testing payers against a real, dishonest provider.

Only ``provider.app.create_app(..., misbehaviour=Misbehaviour(...))`` accepts one; no command-line option or
environment variable reaches it. Each switch changes one thing a payer must catch:

* ``overcharge`` — demand this many base units more than the metering rule's price (the demand is real: a
  payer that signs it is charged that much).
* ``pay_to`` — demand payment to this address instead of the registry's payTo (real: the facilitator settles
  it to that address).
* ``asset`` — demand this token contract instead of AIT (real, on the same chain).
* ``network`` — announce this CAIP-2 network (e.g. ``"eip155:1"``) in the 402. Only the announcement changes:
  the facilitator cannot settle on another chain, so a payment signed for it is refused.
* ``max_timeout_seconds`` — a validity window this long (a payer caps it; the honest gateway asks for 120 s).
* ``payment_required_header`` — send this text as the whole ``PAYMENT-REQUIRED`` header (malformed base64,
  JSON that is not a demand, or something enormous: see ``oversized_header``).
* ``fail_after_settlement`` — settle the payment on chain, then answer 500 with no ``PAYMENT-RESPONSE``.
* ``never_answer`` — ``"before_settlement"`` keeps a paid request open without settling it (the authorization
  expires unused); ``"after_settlement"`` settles it first and then never answers.
* ``replay_settlement`` — after settling, submit the same authorization to the facilitator again (it must be
  refused: the facilitator remembers it and the chain marks the nonce used). Each refusal reason is appended
  to ``app.state.replay_refusals``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from wallet.payments.upto import MeteringFacts


@dataclass(frozen=True)
class Misbehaviour:
    overcharge: int = 0
    pay_to: str | None = None
    asset: str | None = None
    network: str | None = None
    max_timeout_seconds: int | None = None
    payment_required_header: str | None = None
    fail_after_settlement: bool = False
    never_answer: Literal["before_settlement", "after_settlement"] | None = None
    replay_settlement: bool = False
    metered_charge: Literal["max"] | None = None
    metered_token_skew: int = 0
    receipt: Literal["none", "other_key", "other_body"] | None = None
    report_zero_and_hold: bool = False
    never_settle: bool = False
    payee_key: LocalAccount | None = None

    def metered(self, facts: MeteringFacts, output_text: str) -> tuple[int, int]:
        """The (amount, output tokens) this gateway reports for a metered answer: the metering rule on the
        output actually generated, unless told to cheat."""
        from wallet.metering import settle_tokens

        honest = facts.settle(output_text)
        if self.metered_charge == "max":
            return facts.maximum, facts.max_output_tokens
        if self.metered_token_skew:
            tokens = max(0, honest.output_tokens + self.metered_token_skew)
            return settle_tokens(facts.request, tokens).price, tokens
        return honest.price, honest.output_tokens

    @property
    def settles_itself(self) -> bool:
        return self.payee_key is not None

    def rewrite_payment_required(self, header: str) -> str:
        """The ``PAYMENT-REQUIRED`` header as this gateway sends it."""
        if self.payment_required_header is not None:
            return self.payment_required_header
        if self.network is None:
            return header
        demand = json.loads(base64.b64decode(header))
        for option in demand.get("accepts", []):
            option["network"] = self.network
        return base64.b64encode(json.dumps(demand).encode()).decode()


def oversized_header(size: int = 64 * 1024) -> str:
    """A well-formed base64 ``PAYMENT-REQUIRED`` of at least ``size`` characters (an honest one is well under
    1 KiB): a demand padded with junk. 64 KiB still passes an HTTP client's own header limit (httpx: 100 KiB),
    so it reaches the payer's code."""
    text = json.dumps({"x402Version": 2, "accepts": [], "padding": "x" * (size * 3 // 4)})
    return base64.b64encode(text.encode()).decode()
