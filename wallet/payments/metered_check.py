"""Checking a metered settlement against the wallet's own count, after the chain has moved the money.

A pure function of what the wallet holds: its own metering facts (the quote it signed for), its own count of the
output it received (or that it received none), the amount the chain shows was transferred, the provider's usage
receipt and the hash of the body it received. Any mismatch is a plain-words problem; a payment with problems
becomes a dispute.

    amount ≤ the signed maximum (the ledger checks the chain's side)
    amount = the metering rule on the wallet's own counts (no answer received: the rule on 0 output tokens)
    the receipt is there, recovers to the payTo, names this payer, nonce, maximum and amount, the wallet's
    own token counts and the prices, and binds the body the wallet received
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet.metering import settle_tokens
from wallet.payments.receipt import UsageReceipt
from wallet.payments.upto import MeteringFacts
from wallet.units import format_amount

if TYPE_CHECKING:
    from wallet.payments.intents import Intent


@dataclass(frozen=True)
class MeteredCheck:
    expected: int                      # the metering rule on the wallet's own counts, base units
    output_tokens: int | None          # the wallet's own count of the output it received (None: nothing received)
    receipt: UsageReceipt | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"expected_base_units": str(self.expected), "own_output_tokens": self.output_tokens,
                "problems": list(self.problems)}


def ait(amount: int) -> str:
    return f"{format_amount(amount)} AIT ({amount} base units)"


def check_metered(*, facts: MeteringFacts, payer: str, pay_to: str, nonce: str, maximum: int, charged: int,
                  output_tokens: int | None, body_sha256: str | None, receipt_json: object,
                  chain_id: int, token: str) -> MeteredCheck:
    own = settle_tokens(facts.request, output_tokens or 0)
    problems: list[str] = []
    if charged > maximum:
        problems.append(f"The provider took {ait(charged)}, more than the {ait(maximum)} authorized.")
    if output_tokens is None:
        if charged > own.price:
            problems.append(f"The provider took {ait(charged)} for an answer the wallet never received; the input "
                            f"alone costs {ait(own.price)}.")
    elif charged != own.price:
        side = "more" if charged > own.price else "less"
        problems.append(f"The provider took {ait(charged)}, {side} than the metering rule gives for the "
                        f"{output_tokens:,} output tokens the wallet counted in the answer ({ait(own.price)}).")
    receipt = None
    if receipt_json is None:
        problems.append("The provider sent no usage receipt for this charge.")
    else:
        try:
            receipt = UsageReceipt.from_json(receipt_json)
        except ValueError as e:
            problems.append(f"The provider's usage receipt cannot be read: {e}.")
    if receipt is not None:
        problems += _receipt_problems(receipt, facts, payer, pay_to, nonce, maximum, charged, output_tokens,
                                      body_sha256, chain_id, token)
    return MeteredCheck(own.price, output_tokens, receipt, tuple(problems))


def _receipt_problems(r: UsageReceipt, facts: MeteringFacts, payer: str, pay_to: str, nonce: str, maximum: int,
                      charged: int, output_tokens: int | None, body_sha256: str | None, chain_id: int,
                      token: str) -> list[str]:
    signer = r.signer(chain_id, token)
    if signer is None or signer.lower() != pay_to.lower():
        return [f"The usage receipt is not signed by the payee {pay_to}"
                + (f" (it recovers to {signer})." if signer else ".")]
    out = []
    for label, theirs, ours in (
            ("payer", r.payer.lower(), payer.lower()), ("payee", r.pay_to.lower(), pay_to.lower()),
            ("authorization nonce", r.nonce.lower(), nonce.lower()), ("maximum", r.max_amount, maximum),
            ("amount", r.amount, charged), ("input tokens", r.input_tokens, facts.input_tokens),
            ("input price", r.input_price, facts.input_price), ("output price", r.output_price, facts.output_price)):
        if theirs != ours:
            out.append(f"The usage receipt gives the {label} as {theirs}, not {ours}.")
    if output_tokens is not None and r.output_tokens != output_tokens:
        out.append(f"The usage receipt reports {r.output_tokens:,} output tokens; the answer holds "
                   f"{output_tokens:,}.")
    if body_sha256 is not None and r.body_hash.lower() != ("0x" + body_sha256.lower().removeprefix("0x")):
        out.append("The usage receipt is for another response body than the one the wallet received.")
    return out


def check_recorded(intent: Intent, charged: int, token: str) -> MeteredCheck | None:
    """The check of a metered payment found settled later (reconciliation), from what its record holds: the
    wallet's count of the answer if one arrived, and the receipt that came with it. None when the wallet cannot
    judge the charge: not a metered payment, or no answer at all (a timeout, or the wallet stopped first)."""
    from wallet.payments.upto import UPTO

    if intent.scheme != UPTO or "metering" not in intent.evidence:
        return None
    response = intent.evidence.get("response")
    answered = isinstance(response, dict)
    if intent.output_tokens is None and not answered:
        return None
    payment_response = intent.evidence.get("payment_response")
    extra = payment_response.get("extra") if isinstance(payment_response, dict) else None
    return check_metered(facts=MeteringFacts.from_json(intent.evidence["metering"]), payer=intent.account,
                         pay_to=intent.pay_to, nonce=intent.nonce or "", maximum=intent.authorized, charged=charged,
                         output_tokens=intent.output_tokens, body_sha256=intent.evidence.get("response_sha256"),
                         receipt_json=extra.get("receipt") if isinstance(extra, dict) else None,
                         chain_id=intent.chain_id, token=token)
