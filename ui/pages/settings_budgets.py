"""Settings → Spending limits: the per-task and daily budgets the guard holds every payment to.

The budgets live in the wallet's database (the app and the command line share them); the service announces a
change (``payment_budgets_changed``) whoever made it, and this section follows it, like what was spent today.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.errors import user_message
from ui.formatting import amount_full, amount_short
from ui.ops import change_op, op
from ui.pages.settings_parts import row, say, section, status_label
from ui.widgets.budgets_card import COALESCE_MS
from ui.widgets.common import subtitle
from wallet.errors import InvalidInput
from wallet.units import format_amount, parse_amount


class BudgetField(QWidget):
    """An AIT amount, or "No limit"."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self.edit = QLineEdit()
        self.edit.setMaximumWidth(160)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.edit.setPlaceholderText("e.g. 1.5")
        self.unlimited = QCheckBox("No limit")
        self.unlimited.toggled.connect(lambda on: self.edit.setEnabled(not on))
        line = row(self.edit, subtitle("AIT"), self.unlimited)
        line.setContentsMargins(0, 0, 0, 0)
        self.setLayout(line)

    def set_value(self, value: int | None) -> None:
        self.unlimited.setChecked(value is None)
        self.edit.setText("" if value is None else format_amount(value))

    def value(self) -> int | None:
        """Base units, None for no limit; InvalidInput naming the field for anything else."""
        if self.unlimited.isChecked():
            return None
        text = self.edit.text()
        if not text.strip():
            raise InvalidInput(f"Enter the {self.what} in AIT, or tick No limit.")
        try:
            return parse_amount(text)
        except InvalidInput as e:
            raise InvalidInput(f"{self.what[0].upper()}{self.what[1:]}: {e.user_message}") from None


class BudgetsSection(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, v = section("Spending limits", "The wallet signs no payment over these: at most this much per "
                                              "task, and at most this much per day (pending and settled "
                                              "payments, since local midnight). They hold in the app and the "
                                              "command line alike.")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.service = controller.service
        self.per_task = BudgetField("per-task limit")
        self.daily = BudgetField("daily limit")
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.addRow("Per task", self.per_task)
        form.addRow("Per day", self.daily)
        v.addLayout(form)
        self.spent = subtitle("")
        v.addWidget(self.spent)
        self.save_button = QPushButton("Save limits")
        self.save_button.clicked.connect(self.save)
        for field in (self.per_task, self.daily):
            field.edit.returnPressed.connect(self.save)
        v.addLayout(row(self.save_button))
        self.status = status_label()
        v.addWidget(self.status)
        self._soon = QTimer(self)  # a payment announces itself several times: one read after the burst
        self._soon.setSingleShot(True)
        self._soon.setInterval(COALESCE_MS)
        self._soon.timeout.connect(self._reload_spent)
        signals = controller.signals
        signals.payment_budgets_changed.connect(lambda *_: self.reload())
        signals.payment_recorded.connect(lambda *_: self._soon.start())
        signals.network_switched.connect(lambda *_: self._soon.start())
        self.reload()

    def reload(self) -> None:
        service = self.service

        def shown(result: tuple[object, int]) -> None:
            budgets, spent = result
            self.per_task.set_value(budgets.per_task)  # type: ignore[attr-defined]
            self.daily.set_value(budgets.daily)  # type: ignore[attr-defined]
            self._show_spent(spent)

        op(lambda: (service.payment_budgets(), service.spent_today()), parent=self).success(shown).failure(
            lambda e: say(self.status, user_message(e), error=True)).run()

    def _reload_spent(self) -> None:
        op(self.service.spent_today, parent=self).success(self._show_spent).failure(
            lambda e: say(self.status, user_message(e), error=True)).run()

    def _show_spent(self, spent: int) -> None:
        self.spent.setText(f"Spent today on this network: {amount_short(spent)}.")
        self.spent.setToolTip(amount_full(spent))

    def save(self) -> None:
        try:
            per_task, daily = self.per_task.value(), self.daily.value()
        except InvalidInput as e:
            say(self.status, e.user_message, error=True)
            return
        self.save_button.setEnabled(False)

        def done(budgets: object) -> None:
            note = budgets.note()  # type: ignore[attr-defined]
            say(self.status, "Saved. Payments over these limits are refused before anything is signed."
                + (f" Note: {note}" if note else ""))

        change_op(lambda: self.service.set_payment_budgets(per_task, daily), parent=self).success(done).failure(
            lambda e: say(self.status, user_message(e), error=True)).finally_(
            lambda: self.save_button.setEnabled(True)).run()
