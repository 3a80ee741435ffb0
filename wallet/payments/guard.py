"""The guard: what the wallet checks in a provider's 402 before anything is signed.

A pure function of the decoded demand and the facts the wallet holds (its network, its token, the registry's
payee, its own quote, its budgets, its balance), so it is quick, deterministic and testable without a network.
Every reason is a sentence a person can act on; a refused verdict ends with "Nothing was signed."

Schemes are a table, each row with its own amount rule: ``exact`` over EIP-3009 (the amount at most the quote)
and metered ``upto`` over ``eip3009-upto`` (the metering facts in the demand must be the wallet's own — input
tokens as it counts them, the output budget it asked for, the registry's prices and encoding — and the maximum
must be the metering rule on them, which is the quote). Which options are considered, and in which order, is the
scheme preference: ``auto`` (metered first when offered, else exact), ``upto`` or ``exact`` alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wallet.payments.budgets import Budgets, over_budget
from wallet.payments.upto import METERING, UPTO, MeteringFacts
from wallet.units import format_amount

if TYPE_CHECKING:
    from x402.schemas import PaymentRequired, PaymentRequirements

SCHEME_PREFERENCES = ("auto", "upto", "exact")
_ORDER = {"auto": (UPTO, "exact"), "upto": (UPTO,), "exact": ("exact",)}

TOKEN_NAME = "AI Token"       # the AIT contract's EIP-712 domain, pinned: a demand naming another is refused
TOKEN_VERSION = "1"
VALIDITY_CAP_SECONDS = 300
MAX_UINT256 = 2**256 - 1
NO_BUDGETS = Budgets(None, None)
_DIGITS = re.compile(r"^[0-9]{1,78}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


@dataclass(frozen=True)
class Reason:
    code: str      # network, asset, scheme, domain, pay_to, amount, validity, per_task_budget, daily_budget,
    message: str   # balance, pending_task, unpaid_answer, malformed


@dataclass(frozen=True)
class PendingTask:
    """An earlier payment for the same task that may still settle, or settled without delivering its answer."""

    intent_id: int
    amount: int
    valid_before: int | None
    settled: bool


@dataclass(frozen=True)
class GuardFacts:
    chain_id: int
    token: str                    # this network's AIT address
    pay_to: str                   # the registry's payee for the provider
    provider_name: str
    quote: int                    # the wallet's own price for this exact request, base units
    balance: int                  # AIT balance of the paying account
    outstanding: int = 0          # what this account's pending payments may still take
    budgets: Budgets = NO_BUDGETS
    spent_today: int = 0
    validity_cap: int = VALIDITY_CAP_SECONDS
    earlier: PendingTask | None = None
    repeat: bool = False          # the user asked to pay again for a task paid without an answer
    metering: MeteringFacts | None = None   # the wallet's own count and prices for this request
    preference: str = "auto"      # auto | upto | exact


@dataclass(frozen=True)
class Verdict:
    ok: bool
    requirement: PaymentRequirements | None   # the option the wallet would sign (when ok)
    reasons: tuple[Reason, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def amount(self) -> int | None:
        return int(self.requirement.amount) if self.requirement is not None else None

    @property
    def message(self) -> str:
        if self.ok:
            return "The provider's demand matches the quote, the registry and your budgets."
        return " ".join(r.message for r in self.reasons) + " Nothing was signed."

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "message": self.message, "reasons": [r.code for r in self.reasons],
                "notes": list(self.notes)}


def ait(amount: int) -> str:
    return f"{format_amount(amount)} AIT"


def short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


# --- the scheme table ---

def _exact_amount(req: PaymentRequirements, facts: GuardFacts, amount: int) -> list[Reason]:
    if amount > facts.quote:
        return [Reason("amount", f"The provider asked for {ait(amount)} but the quote was {ait(facts.quote)}.")]
    return []


def _upto_amount(req: PaymentRequirements, facts: GuardFacts, amount: int) -> list[Reason]:
    own = facts.metering
    if own is None:
        return [Reason("metering", "The wallet has no count of this request to check a metered payment by.")]
    try:
        stated = MeteringFacts.from_json((req.extra or {}).get(METERING))
    except ValueError as e:
        return [Reason("metering", f"The provider's metering facts cannot be read: {e}.")]
    reasons = []
    for label, theirs, ours in (
            ("model", stated.model, own.model), ("encoding", stated.encoding, own.encoding),
            ("input tokens", stated.input_tokens, own.input_tokens),
            ("output budget", stated.max_output_tokens, own.max_output_tokens),
            ("input price", stated.input_price, own.input_price),
            ("output price", stated.output_price, own.output_price)):
        if theirs != ours:
            reasons.append(Reason("metering", f"The provider states the {label} as {_printable(theirs)}, but the "
                                              f"wallet's own figure is {_printable(ours)}."))
    if amount != own.maximum:
        reasons.append(Reason("amount", f"The provider asked for at most {ait(amount)}, but the metering rule on "
                                        f"the whole output budget gives {ait(own.maximum)}."))
    return reasons


SCHEMES: dict[tuple[str, str], Callable[[PaymentRequirements, GuardFacts, int], list[Reason]]] = {
    ("exact", "eip3009"): _exact_amount,
    (UPTO, "eip3009-upto"): _upto_amount,
}


def transfer_method(req: PaymentRequirements) -> str:
    return str((req.extra or {}).get("assetTransferMethod") or "eip3009")


# --- the checks ---

def check(demand: PaymentRequired, facts: GuardFacts) -> Verdict:
    """The first option of the demand that passes every check (in the order of the scheme preference), else the
    reasons of the closest one."""
    order = _ORDER.get(facts.preference, _ORDER["auto"])
    options = sorted((r for r in demand.accepts if r.scheme in order), key=lambda r: order.index(r.scheme))
    if not options:
        offered = ", ".join(sorted({_printable(r.scheme) for r in demand.accepts})) or "nothing"
        return Verdict(False, None, (Reason("scheme", f"The provider offers {offered}; the wallet was asked to pay "
                                                      f"with {' or '.join(order)}."),))
    verdicts = [_check_one(req, facts) for req in options]
    for i, (req, reasons) in enumerate(zip(options, verdicts, strict=True)):
        if not reasons:
            passed_over = tuple(f"The provider's {options[j].scheme} option was not taken: "
                                f"{' '.join(r.message for r in verdicts[j])}" for j in range(i)
                                if options[j].scheme != req.scheme)
            return Verdict(True, req, (), passed_over + _notes(req, facts))
    # Report the option that came closest: it is the one the provider most likely meant.
    best = min(range(len(options)), key=lambda i: (len(verdicts[i]), i))
    return Verdict(False, None, tuple(verdicts[best]))


def _check_one(req: PaymentRequirements, facts: GuardFacts) -> list[Reason]:
    reasons: list[Reason] = []
    network = f"eip155:{facts.chain_id}"
    if req.network != network:
        reasons.append(Reason("network", f"The provider asked to be paid on {_printable(req.network)}, "
                                         f"but the wallet is connected to {network}."))
    if not _ADDRESS.match(req.asset or "") or req.asset.lower() != facts.token.lower():
        reasons.append(Reason("asset", f"The provider asked to be paid in the token at {_printable(req.asset)}, "
                                       f"which is not this network's AI Token ({facts.token})."))
    rule = SCHEMES.get((req.scheme, transfer_method(req)))
    if rule is None:
        reasons.append(Reason("scheme", f"The provider asked for the payment scheme {_printable(req.scheme)} "
                                        f"({_printable(transfer_method(req))}), which this wallet does not sign."))
    extra = req.extra or {}
    if extra.get("name") != TOKEN_NAME or str(extra.get("version")) != TOKEN_VERSION:
        reasons.append(Reason("domain", "The provider asked for a signature over the token named "
                                        f"{_printable(extra.get('name'))} version "
                                        f"{_printable(extra.get('version'))}, not {TOKEN_NAME} version "
                                        f"{TOKEN_VERSION}."))
    if not _ADDRESS.match(req.pay_to or "") or req.pay_to.lower() != facts.pay_to.lower():
        reasons.append(Reason("pay_to", f"The provider asked to be paid at {_printable(req.pay_to)}, but the "
                                        f"registry's payee for {facts.provider_name} is {facts.pay_to}."))
    amount = _amount(req.amount)
    if amount is None:
        reasons.append(Reason("malformed", f"The provider asked for the amount {_printable(req.amount)}, "
                                           "which is not a whole number of base units."))
        return reasons
    if amount == 0:
        reasons.append(Reason("amount", "The provider asked for a payment of 0; the wallet signs no such thing."))
    if rule is not None:
        reasons += rule(req, facts, amount)
    if not 0 < req.max_timeout_seconds <= facts.validity_cap:
        reasons.append(Reason("validity", f"The provider asked for a signature valid for "
                                          f"{req.max_timeout_seconds:,} seconds; the wallet signs for at most "
                                          f"{facts.validity_cap} seconds."))
    reasons += [Reason(code, text) for code, text in over_budget(amount, facts.budgets, facts.spent_today)]
    if facts.balance - facts.outstanding < amount:
        held = f" ({ait(facts.outstanding)} is held by payments still pending)" if facts.outstanding else ""
        reasons.append(Reason("balance", f"The balance of {ait(facts.balance)}{held} does not cover "
                                         f"{ait(amount)}."))
    reasons += earlier_payment_reasons(facts.earlier, facts.repeat)
    return reasons


def earlier_payment_reasons(earlier: PendingTask | None, repeat: bool) -> list[Reason]:
    if earlier is None:
        return []
    if not earlier.settled:
        return [Reason("pending_task", f"An earlier payment for this same task (payment {earlier.intent_id}, "
                                       f"{ait(earlier.amount)}) may still settle. The wallet will not sign again "
                                       "until it has settled or expired; check with `ai-wallet payments "
                                       "reconcile`.")]
    if not repeat:
        return [Reason("unpaid_answer", f"This same task was already paid (payment {earlier.intent_id}, "
                                        f"{ait(earlier.amount)}) and its answer never arrived. Paying again "
                                        "needs your explicit consent (--pay-again).")]
    return []


def _notes(req: PaymentRequirements, facts: GuardFacts) -> tuple[str, ...]:
    amount = int(req.amount)
    if amount < facts.quote:
        return (f"The provider asked for {ait(amount)}, less than the quote of {ait(facts.quote)}.",)
    return ()


def _amount(text: object) -> int | None:
    if not isinstance(text, str) or not _DIGITS.match(text):
        return None
    value = int(text)
    return value if value <= MAX_UINT256 else None


def _printable(value: object, limit: int = 64) -> str:
    """A provider-chosen string, shown safely: repr-quoted and cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def same_requirement(a: PaymentRequirements, b: PaymentRequirements) -> bool:
    fields: Sequence[str] = ("scheme", "network", "asset", "amount", "pay_to", "max_timeout_seconds")
    return all(getattr(a, f) == getattr(b, f) for f in fields) and (a.extra or {}) == (b.extra or {})
