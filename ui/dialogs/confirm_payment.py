"""The confirmation sheet: exactly what will be signed, and the guard's verdict, before anything is.

It opens at once, saying the provider is being asked for its demand; then it shows the terms. When the guard
approves, "Pay" signs exactly those terms (for a metered payment: its maximum, shown beside the charge to
expect); Cancel is the default button, so Enter and Esc both cancel. When the guard refuses, the sheet says why
and offers nothing to sign.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from ui.dialogs.layout import add_buttons, dialog_layout, grow_to_fit
from ui.formatting import amount_full, amount_short, amount_short_price, whole_number
from ui.payment_terms import Terms
from ui.theme import colour
from ui.widgets.common import AddressLabel, plain_label, primary_button
from ui.widgets.model_picker import THEME_EVENTS, VerifiedBadge, restyle

HEADING = "Pay and run this task?"


def budgets_text(t: Terms) -> str:
    per_task = "no per-task limit" if t.per_task is None else f"per task at most {amount_short(t.per_task)}"
    left = t.daily_left_after
    after = " after this payment" if t.amount is not None else ""
    if left is None:
        daily = "no daily limit"
    elif left >= 0:
        daily = f"{amount_short(left)} of today's {amount_short(t.daily or 0)} left{after}"
    else:
        daily = f"today's {amount_short(t.daily or 0)} would be exceeded"
    return f"{per_task[0].upper()}{per_task[1:]}; {daily}."


def amount_note(t: Terms) -> str:
    if t.amount is None:
        return ""
    if t.amount == t.quote:
        return "the same as your quote"
    return f"less than your quote of {amount_short_price(t.quote)}"


def expected_text(t: Terms) -> str:
    return (f"about {amount_full(t.expected or 0)} for ~{whole_number(t.expected_output or 0)} output tokens "
            f"({t.expected_basis}). You are charged for the tokens the model generates, checked against the "
            "wallet's own count.")


def validity_text(seconds: int) -> str:
    return (f"{whole_number(seconds)} seconds from signing; a signature the provider has not used by then can "
            "never be charged")


class ConfirmPaymentDialog(QDialog):
    """``accepted`` means: sign and pay the terms shown. Anything else leaves nothing signed."""

    def __init__(self, provider_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confirm payment")
        self.setMinimumWidth(600)
        self.terms: Terms | None = None
        self.layout_ = dialog_layout(self, HEADING)
        self.heading = self.layout_.itemAt(0).widget()
        self.waiting = plain_label(f"Asking {provider_name} what it charges for this task… Nothing is signed.")
        self.waiting.setProperty("role", "subtitle")
        self.waiting.setWordWrap(True)
        self.layout_.addWidget(self.waiting)

        self.verdict = plain_label()
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict.hide()
        self.layout_.addWidget(self.verdict)

        self.details = QWidget()
        self.form = QFormLayout(self.details)
        self.form.setContentsMargins(0, 6, 0, 0)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(7)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.details.hide()
        self.layout_.addWidget(self.details)
        self.rows: dict[str, QWidget] = {}

        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.pay_button = primary_button("Pay")
        self.pay_button.setDefault(False)
        self.pay_button.hide()
        self.buttons.addButton(self.pay_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.buttons.accepted.connect(self._pay)
        self.cancel_button.setDefault(True)
        add_buttons(self.layout_, self.buttons)
        self.cancel_button.setFocus()

    # --- states ---
    def show_terms(self, t: Terms) -> None:
        self.terms = t
        self.waiting.hide()
        self._fill(t)
        self.details.show()
        self.verdict.show()
        if t.ok:
            self.heading.setText(f"Pay {t.provider_name} and run this task?")  # type: ignore[attr-defined]
            self.verdict.setText("✓ " + t.verdict + "".join(f"\n{n}" for n in t.notes))
            most = "at most " if t.metered else ""
            self.pay_button.setText(f"Pay {most}{amount_short_price(t.amount or 0)}")
            self.pay_button.show()
        else:
            self.heading.setText("The wallet will not pay this")  # type: ignore[attr-defined]
            self.verdict.setText("\n".join(f"✕ {r}" for r in t.reasons) + "\nNothing was signed.")
            self.cancel_button.setText("Close")
            self.pay_button.hide()
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus()
        self._colour()
        grow_to_fit(self)

    def show_failure(self, message: str) -> None:
        """The demand could not be had (provider unreachable, network down): say so; nothing to sign."""
        self.terms = None
        self.waiting.hide()
        self.heading.setText("The provider could not be asked")  # type: ignore[attr-defined]
        self.verdict.setText(message)
        self.verdict.show()
        self.cancel_button.setText("Close")
        self.pay_button.hide()
        self._colour(refused=True)
        grow_to_fit(self)

    def _pay(self) -> None:
        if self.terms is not None and self.terms.ok:
            self.accept()

    # --- the terms ---
    def row_text(self, key: str) -> str:
        """What a row says, as text (its labels joined)."""
        row = self.rows[key]
        labels = [row] if isinstance(row, QLabel) else row.findChildren(QLabel)
        return " ".join(label.text() for label in labels)

    def _row(self, key: str, label: str, widget: QWidget) -> None:
        self.rows[key] = widget
        self.form.addRow(label, widget)

    def _text(self, text: str, tip: str = "") -> QLabel:
        label = plain_label(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if tip:
            label.setToolTip(tip)
        return label

    def _fill(self, t: Terms) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.rows.clear()
        if t.amount is not None:
            amount = self._text(f"{amount_full(t.amount)} — {amount_note(t)}",
                                f"{t.amount:,} base units")
            amount.setStyleSheet("font-weight: 600;")
            self._row("amount", "Most authorized" if t.metered else "Amount", amount)
            if t.metered and t.expected is not None:
                self._row("expected", "Expected charge", self._text(expected_text(t), f"{t.expected:,} base units"))
            self._row("scheme", "Payment", self._text(
                "metered (upto): only what the answer's tokens cost, never more than the amount above"
                if t.metered else "exact: the whole amount"))
        pay_to = AddressLabel(t.pay_to, full=True)
        pay_to.setToolTip(f"The payee {t.provider_name} registered in the provider registry")
        self._row("pay_to", "Pay to", pay_to)
        provider = QWidget()
        line = QHBoxLayout(provider)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(plain_label(t.provider_name))
        line.addWidget(VerifiedBadge(t.verified))
        line.addStretch(1)
        self._row("provider", "Provider", provider)
        self._row("endpoint", "Endpoint", self._text(t.url))
        if t.amount is not None:
            self._row("asset", "Asset", self._text(f"AI Token (AIT) {t.asset} on {t.network}"))
            self._row("validity", "Valid for", self._text(validity_text(t.validity_seconds or 0)))
        self._row("task", "Task", self._text(
            f"{t.model}: {whole_number(t.input_tokens)} input tokens, up to {whole_number(t.max_output)} output "
            f"tokens; your quote {amount_short_price(t.quote)}"))
        self._row("from", "From", self._text(t.account))
        self._row("budgets", "Budgets", self._text(budgets_text(t)))
        if t.balance_after is not None:
            self._row("balance", "Balance after", self._text(amount_short(t.balance_after),
                                                             amount_full(t.balance_after)))
        line_ = QFrame()
        line_.setFrameShape(QFrame.Shape.HLine)
        line_.setStyleSheet("color: palette(mid);")
        self.form.insertRow(0, line_)

    # --- colours ---
    def _colour(self, refused: bool | None = None) -> None:
        bad = (self.terms is None or not self.terms.ok) if refused is None else refused
        tone = colour("danger") if bad else colour("success")
        restyle(self.verdict, f"color: {tone}; border: 1px solid {tone}; border-radius: 6px; padding: 8px;")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in THEME_EVENTS and self.verdict.isVisible():
            self._colour()
