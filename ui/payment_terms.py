"""What the confirmation sheet states: the core's prepared payment read as plain facts.

The core prepares a payment (``WalletService.prepare_payment``: the provider's decoded 402 and the guard's
verdict, nothing signed) and signs exactly the option the guard approved: an EIP-3009 authorization from the
account to the registry's payee for that amount, valid for that many seconds, over this network's AI Token.
These are those values, taken from the approved option, with the budgets and balance they leave. A metered
payment (``upto``) signs a maximum and is charged for what the model generates: the sheet shows that maximum and
the charge to expect (``WalletService.expected_charge``); budgets and balance are counted at the maximum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wallet.payments.budgets import Budgets
    from wallet.payments.expected import ExpectedCharge
    from wallet.payments.flow import PreparedPayment


@dataclass(frozen=True)
class Terms:
    ok: bool                     # the guard approved: there is something to sign
    provider_name: str
    provider_id: int
    verified: bool
    url: str                     # where the request goes
    account: str                 # who pays
    pay_to: str                  # the registry's payee (the guard checked the demand names it)
    model: str
    input_tokens: int
    max_output: int
    quote: int                   # the wallet's own price, base units
    amount: int | None           # what will be signed (None when refused)
    asset: str | None            # the token contract the demand names
    network: str | None          # CAIP-2, e.g. eip155:31337
    scheme: str | None
    validity_seconds: int | None
    per_task: int | None         # the budgets; None = no limit
    daily: int | None
    spent_today: int
    balance: int | None
    verdict: str                 # the guard's verdict in words
    reasons: tuple[str, ...]     # each refusal reason, in words
    notes: tuple[str, ...]
    refusal_id: int | None       # the recorded refusal
    expected: int | None = None  # metered: the charge to expect, base units (None: exact, or refused)
    expected_output: int | None = None  # metered: the output tokens that expectation assumes
    expected_basis: str = ""     # metered: where the expectation comes from, in words

    @property
    def metered(self) -> bool:
        return self.scheme == "upto"

    @property
    def daily_left_after(self) -> int | None:
        """What is left of today's budget once this payment is made (None: no daily limit)."""
        if self.daily is None:
            return None
        return self.daily - self.spent_today - (self.amount or 0)

    @property
    def balance_after(self) -> int | None:
        return None if self.balance is None or self.amount is None else self.balance - self.amount


def terms_of(prepared: PreparedPayment, budgets: Budgets, spent_today: int, balance: int | None,
             expected: ExpectedCharge | None = None) -> Terms:
    """``expected``: for a metered payment, ``WalletService.expected_charge(prepared.quote)``."""
    verdict = prepared.verdict
    req = verdict.requirement if verdict.ok else None
    quote = prepared.quote
    metered = req is not None and req.scheme == "upto" and expected is not None
    return Terms(
        ok=verdict.ok and req is not None,
        provider_name=prepared.provider.name, provider_id=prepared.provider.id,
        verified=prepared.provider.verified, url=prepared.url, account=prepared.account,
        pay_to=prepared.provider.pay_to, model=quote.model, input_tokens=quote.input_tokens,
        max_output=quote.max_output_tokens, quote=int(quote.price_base_units),
        amount=None if req is None else int(req.amount),
        asset=None if req is None else req.asset,
        network=None if req is None else req.network,
        scheme=None if req is None else req.scheme,
        validity_seconds=None if req is None else req.max_timeout_seconds,
        per_task=budgets.per_task, daily=budgets.daily, spent_today=spent_today, balance=balance,
        verdict=verdict.message, reasons=tuple(r.message for r in verdict.reasons), notes=tuple(verdict.notes),
        refusal_id=prepared.refusal_id,
        expected=expected.expected if metered and expected else None,
        expected_output=expected.expected_output_tokens if metered and expected else None,
        expected_basis=expected.basis if metered and expected else "",
    )
