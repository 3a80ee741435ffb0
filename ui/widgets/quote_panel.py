"""The quote panel: what the task in the editor costs, kept current as the user types.

States: "empty" (nothing typed: neutral), "loading" (tokenizer or price sheet not ready), "ok" (priced and
payable or no balance known), "refused" (red, with the reason: over the context window, budget over the
maximum, balance too low).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.formatting import amount_full, amount_short, amount_short_price, whole_number
from ui.theme import colour
from ui.widgets.common import plain_label, plain_tip, primary_button
from ui.widgets.model_picker import THEME_EVENTS, count_text, restyle
from wallet.quote import Quote
from wallet.registry import ModelPrice

if TYPE_CHECKING:
    from wallet.payments.expected import ExpectedCharge

DEFAULT_BUDGET = 1024
# QSpinBox holds a C int. The registry allows a max output up to 2**32 - 1 (anyone may register any value),
# so the box stops at the largest int; a larger model maximum is still what the quote engine checks against.
SPIN_MAX = 2**31 - 1
DASH = "—"


class BudgetBox(QSpinBox):
    """The output budget. A whole number out of the model's range stays as typed, for the panel to refuse in
    words: Qt's spin box would reject the keystroke that leaves the range, so "5000" under a maximum of 4,096
    silently became 500. Leaving the box (or Enter) then puts the nearest allowed value in it."""

    MAX_DIGITS = 12

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_name = ""

    def fixup(self, text: str) -> str:
        """Leaving the box with a number out of range: the nearest allowed one (Qt's own "nearest" is the
        bound nearest to zero, whatever was typed)."""
        digits = self.typed_digits(text)
        if not digits:
            return super().fixup(text)  # type: ignore[func-returns-value,no-any-return]
        return self.textFromValue(min(max(int(digits), self.minimum()), self.maximum())) + self.suffix()

    def validate(self, text: str, pos: int) -> object:
        state, text, pos = super().validate(text, pos)  # type: ignore[misc]
        digits = self.typed_digits(text)
        if state == QValidator.State.Invalid and digits and len(digits) <= self.MAX_DIGITS:
            state = QValidator.State.Intermediate
        return state, text, pos

    def typed_digits(self, text: str | None = None) -> str:
        """The digits typed (group separators and the suffix left out); "" when there is anything else."""
        raw = (self.lineEdit().text() if text is None else text).removesuffix(self.suffix())
        raw = raw.replace(self.locale().groupSeparator(), "").strip()
        return raw if raw.isascii() and raw.isdigit() else ""

    def problem(self) -> str:
        """Why the budget as typed cannot be used, in words; "" when it can."""
        digits = self.typed_digits()
        most = count_text(self.maximum())
        of_model = f"{self.model_name}'s" if self.model_name else "the model's"
        if not digits:
            return f"Enter an output budget: 1 to {most} tokens."
        n = int(digits)
        if n < self.minimum():
            return f"The output budget must be at least 1 token (up to {most})."
        if n > self.maximum():
            return f"{count_text(n)} tokens is over {of_model} output limit of {most} tokens. Lower the budget."
        return ""


def _share(cost: Decimal) -> tuple[str, str]:
    """(short text, tooltip) for an exact cost share in base units, which may carry a fraction of a unit.
    The short text is rounded up, like every amount the user will pay."""
    whole = int(cost)
    tip = amount_full(whole)
    if cost != whole:
        tip += f" and {cost - whole} of the smallest unit (the price is rounded up once, on the total)"
    return amount_short_price(math.ceil(cost)), tip


class QuotePanel(QFrame):
    budget_changed = Signal(int)  # a budget in the model's range
    budget_edited = Signal()  # anything typed in the box, in range or not
    compare_requested = Signal()
    pay_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quotePanel")
        self.setMinimumWidth(330)
        self.setMaximumWidth(360)
        self.state = ""
        self.busy = False  # a payment is being confirmed or paid
        self._budget_set = False

        heading = QLabel("Quote")
        heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        note = QLabel("Counted on this computer. Nothing is sent or paid.")
        note.setProperty("role", "subtitle")
        note.setWordWrap(True)
        self.price = plain_label(DASH)
        self.price.setProperty("role", "amount")
        self.price.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = plain_label()  # refusal reasons quote registry names
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(36)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.input_tokens = self._value()
        self.budget = BudgetBox()
        self.budget.setRange(1, DEFAULT_BUDGET)
        self.budget.setValue(DEFAULT_BUDGET)
        self.budget.setSuffix(" tokens")
        self.budget.setGroupSeparatorShown(True)
        self.budget.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.budget.setKeyboardTracking(True)
        self.budget.valueChanged.connect(self.budget_changed)
        self.budget.lineEdit().textChanged.connect(lambda _text: self.budget_edited.emit())
        self.budget_max = plain_label()
        self.budget_max.setProperty("role", "subtitle")
        self.budget_max.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.input_cost = self._value()
        self.output_cost = self._value()
        self.expected = self._value()  # the charge to expect if the provider meters (upto)
        self.balance = self._value()
        self.balance_after = self._value()

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(7)
        rows: list[tuple[str, QWidget]] = [
            ("Input tokens", self.input_tokens),
            ("Output &budget", self.budget),
            ("", self.budget_max),
            ("Input cost", self.input_cost),
            ("Output cost (budget)", self.output_cost),
            ("Expected if metered", self.expected),
        ]
        for r, (text, w) in enumerate(rows):
            if not text:  # the budget's limit, under the spin box, may be wider than the value column
                grid.addWidget(w, r, 0, 1, 2)
                continue
            label = QLabel(text)
            label.setProperty("role", "subtitle")
            label.setBuddy(w)
            grid.addWidget(label, r, 0)
            grid.addWidget(w, r, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: palette(mid);")
        grid.addWidget(line, len(rows), 0, 1, 2)
        for r, (text, w) in enumerate([("Your AIT balance", self.balance), ("Balance after", self.balance_after)],
                                      start=len(rows) + 1):
            label = QLabel(text)
            label.setProperty("role", "subtitle")
            grid.addWidget(label, r, 0)
            grid.addWidget(w, r, 1)
        grid.setColumnStretch(1, 1)

        self.compare_button = QPushButton("Compare providers…")
        self.compare_button.setToolTip("Price this prompt at every provider and model, cheapest first")
        self.compare_button.clicked.connect(self.compare_requested)
        self.pay_button = primary_button("Pay and run")
        self.pay_button.setToolTip("Ask the provider, confirm exactly what will be signed, then pay and get the "
                                   "answer (Ctrl+Enter)")
        self.pay_button.setMinimumHeight(32)
        self.pay_button.clicked.connect(self.pay_requested)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addSpacing(4)
        layout.addWidget(self.price)
        layout.addWidget(self.status)
        layout.addSpacing(4)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(self.pay_button)
        layout.addWidget(self.compare_button)
        self.show_empty()

    @staticmethod
    def _value() -> QLabel:
        label = plain_label(DASH)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # --- the model's limits ---
    def set_model(self, model: ModelPrice) -> None:
        """The budget's range follows the model; a budget over the new maximum is clamped to it."""
        limit = max(1, min(model.max_output, SPIN_MAX))
        self.budget.blockSignals(True)
        try:
            self.budget.setMaximum(limit)
            if not self._budget_set:
                self.budget.setValue(min(DEFAULT_BUDGET, limit))
                self._budget_set = True
        finally:
            self.budget.blockSignals(False)
        self.budget.model_name = model.model
        self.budget_max.setText(f"at most {count_text(model.max_output)} for {model.model}")

    def set_budget(self, value: int) -> None:
        """A budget chosen before (clamped to the model's maximum); emits ``budget_changed`` if it changes."""
        self._budget_set = True
        self.budget.setValue(value)

    def output_budget(self) -> int:
        return self.budget.value()

    def budget_problem(self) -> str:
        """Why the budget as typed cannot be priced ("" when it can): the quote is refused meanwhile."""
        return self.budget.problem()

    # --- states ---
    def _set_state(self, state: str) -> None:
        self.state = state

    def _colour(self) -> None:
        """Colours for the state; ``restyle`` skips unchanged sheets, since restyling on every keystroke
        would cost more than the quote."""
        refused = self.state == "refused"
        danger = colour("danger")
        restyle(self, f"QFrame#quotePanel {{ background: {colour('card')}; border: 1px solid "
                      f"{danger if refused else 'palette(mid)'}; border-radius: 6px; }}")
        restyle(self.status, f"color: {danger};" if refused else "color: palette(placeholder-text);")
        # A refusal with no price shows a muted dash; a price the balance cannot cover is red.
        restyle(self.price, f"color: {danger};" if refused and self.price.text() != DASH else "")
        restyle(self.balance_after, f"color: {danger};" if refused and self.balance_after.text() != DASH else "")
        self._sync_pay()

    def set_busy(self, busy: bool, paying: bool = False) -> None:
        self.busy = busy
        self.pay_button.setText("Paying…" if paying else "Pay and run")
        self._sync_pay()

    def payable(self) -> bool:
        """A price is shown that the balance covers (or the balance is not known: the guard checks it), and no
        other payment of this page is under way."""
        return self.state == "ok" and not self.busy

    def _sync_pay(self) -> None:
        self.pay_button.setEnabled(self.payable())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in THEME_EVENTS:
            self._colour()

    def show_empty(self) -> None:
        self._set_state("empty")
        self._clear_numbers()
        self.status.setText("Type a prompt to see its price.")
        self._colour()

    def show_loading(self, what: str) -> None:
        self._set_state("loading")
        self._clear_numbers()
        self.status.setText(what)
        self._colour()

    def show_refusal(self, reason: str, input_tokens: int | None) -> None:
        self._set_state("refused")
        self._clear_numbers()
        if input_tokens is not None:
            self.input_tokens.setText(count_text(input_tokens))
        self.status.setText(reason)
        self._colour()

    def show_quote(self, q: Quote) -> None:
        if q.balance_after is not None and q.balance_after < 0:
            self._set_state("refused")
            balance = q.balance_after + q.price_base_units
            self.status.setText(f"Your balance ({amount_short(balance)}) does not cover this price: "
                                f"{amount_short_price(-q.balance_after)} more is needed. Top up first.")
        else:
            self._set_state("ok")
            self.status.setText("The most it costs. Your balance covers it." if q.balance_after is not None
                                else "The most this task costs if you run it now.")
        self.price.setText(amount_short_price(q.price_base_units))
        self.price.setToolTip(f"{amount_full(q.price_base_units)} ({q.price_base_units:,} base units): the most, "
                              "for the whole output budget.\nA metered payment is charged only for the output "
                              "generated.")
        self.input_tokens.setText(count_text(q.input_tokens))
        self.input_tokens.setToolTip(plain_tip(f"Counted with {q.encoding}, as {q.provider_name} meters {q.model}"))
        for label, cost in ((self.input_cost, q.input_cost), (self.output_cost, q.output_cost)):
            text, tip = _share(cost)
            label.setText(text)
            label.setToolTip(tip)
        if q.balance_after is None:
            self._set_after(DASH, "")
        elif q.balance_after < 0:
            self._set_after("not enough AIT", f"{amount_full(-q.balance_after)} short")
        else:
            self._set_after(amount_short(q.balance_after), amount_full(q.balance_after))
        self._colour()

    def show_expected(self, expected: ExpectedCharge | None) -> None:
        """The charge to expect for the quote shown (``WalletService.expected_charge``); None: not known yet."""
        if expected is None or self.state not in ("ok", "refused") or self.price.text() == DASH:
            self.expected.setText(DASH)
            self.expected.setToolTip("")
            return
        self.expected.setText(amount_short_price(expected.expected))
        self.expected.setToolTip(plain_tip(
            f"{amount_full(expected.expected)} for about {whole_number(expected.expected_output_tokens)} output "
            f"tokens:\n{expected.basis}.\nA metered payment is charged for the output generated, at most the "
            "price above."))

    def set_balance(self, balance: int | None, why_none: str = "") -> None:
        if balance is None:
            self.balance.setText(DASH)
            self.balance.setToolTip(why_none)
        else:
            self.balance.setText(amount_short(balance))
            self.balance.setToolTip(amount_full(balance))

    def _set_after(self, text: str, tip: str) -> None:
        self.balance_after.setText(text)
        self.balance_after.setToolTip(tip)

    def _clear_numbers(self) -> None:
        self.price.setText(DASH)
        self.price.setToolTip("")
        for label in (self.input_tokens, self.input_cost, self.output_cost, self.expected):
            label.setText(DASH)
            label.setToolTip("")
        self._set_after(DASH, "")
