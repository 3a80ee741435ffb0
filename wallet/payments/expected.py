"""The expected charge of a metered task, shown beside its maximum.

With metered payment (``upto``) a task costs at most its quote — the metering rule on the whole output budget —
and in the end the metering rule on the output actually generated. What that will be is not known before the
model answers, so the wallet shows an expectation, defined plainly:

    expected output tokens = ceil(output budget × fill ratio)
    expected charge        = the metering rule on (input tokens, expected output tokens)

where the fill ratio is the share of their budget that this wallet's latest answers (up to 20) from the same
model at the same provider actually used (output tokens received ÷ budgets asked), and one half when this
wallet has no such answer yet. It is an estimate for display only: what is signed is the maximum, and what is
charged is checked against the wallet's own count of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wallet.metering import ceil_div, price_for
from wallet.quote import Quote

DEFAULT_FILL = (1, 2)   # no history: expect half the budget


@dataclass(frozen=True)
class ExpectedCharge:
    maximum: int              # base units: the quote, what a metered payment authorizes
    expected: int             # base units
    expected_output_tokens: int
    fill_numerator: int       # fill ratio = numerator / denominator
    fill_denominator: int
    answers: int              # how many past answers the ratio comes from (0: the default)

    @property
    def fill_percent(self) -> int:
        return self.fill_numerator * 100 // self.fill_denominator

    @property
    def basis(self) -> str:
        if not self.answers:
            return "no earlier answers from this model here: half the output budget assumed"
        return (f"this wallet's last {self.answers} answer{'s' if self.answers != 1 else ''} from this model here "
                f"used {self.fill_percent}% of their budget")

    def to_json(self) -> dict[str, Any]:
        return {"max_base_units": str(self.maximum), "expected_base_units": str(self.expected),
                "expected_output_tokens": self.expected_output_tokens, "fill_percent": self.fill_percent,
                "answers": self.answers, "basis": self.basis}


@dataclass(frozen=True)
class FillRatio:
    """The share of their output budget this wallet's earlier answers used, for one model at one provider.
    Read once (it reads the database) and applied to every quote as the prompt changes (it does not)."""

    numerator: int
    denominator: int
    answers: int              # how many past answers the ratio comes from (0: the default)

    @classmethod
    def from_history(cls, history: list[tuple[int, int]]) -> FillRatio:
        """``history``: (output tokens received, output budget) of earlier answers, newest first."""
        used = sum(min(out, budget) for out, budget in history)
        asked = sum(budget for _, budget in history)
        if asked <= 0:
            return cls(*DEFAULT_FILL, 0)
        return cls(used, asked, len(history))

    def apply(self, quote: Quote) -> ExpectedCharge:
        tokens = min(quote.max_output_tokens, ceil_div(quote.max_output_tokens * self.numerator, self.denominator))
        expected = price_for(quote.input_tokens, tokens, quote.input_price, quote.output_price)
        return ExpectedCharge(quote.price_base_units, expected, tokens, self.numerator, self.denominator,
                              self.answers)


def expected_charge(quote: Quote, history: list[tuple[int, int]]) -> ExpectedCharge:
    """``history``: (output tokens received, output budget) of earlier answers, newest first."""
    return FillRatio.from_history(history).apply(quote)
