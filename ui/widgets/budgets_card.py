"""Home's "Spending today": what today's payments have used of the daily limit, and the per-task limit.

Follows the core's announcements: a payment recorded or settled, the limits changed (here, in Settings or from
the command line), another network.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QWidget

from ui.controller import AppController
from ui.errors import report
from ui.formatting import amount_full, amount_short
from ui.ops import op
from ui.widgets.common import card, subtitle

BAR_STEPS = 1000
COALESCE_MS = 100


class BudgetsCard(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = controller.service
        self.loaded: tuple[int | None, int | None, int] | None = None  # per task, daily, spent today
        frame, v = card()
        head = QLabel("Spending today")
        head.setStyleSheet("font-weight: 600;")
        self.spent = QLabel("…")
        self.spent.setStyleSheet("font-size: 16px;")
        self.spent.setWordWrap(True)  # beside Recent activity at the window's minimum size: two lines, not cut
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.limits = subtitle("")
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(head, 0, 0)
        grid.addWidget(self.spent, 1, 0)
        grid.addWidget(self.bar, 2, 0)
        grid.addWidget(self.limits, 3, 0)
        v.addLayout(grid)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)
        self.frame: QFrame = frame
        # A payment announces itself several times (recorded, settled): one read after the burst.
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(COALESCE_MS)
        self._soon.timeout.connect(self.reload)
        signals = controller.signals
        for signal in (signals.payment_recorded, signals.payment_settled, signals.payment_budgets_changed,
                       signals.network_switched):
            signal.connect(lambda *_: self._soon.start())

    def reload(self) -> None:
        service = self.service

        def read() -> tuple[int | None, int | None, int]:
            budgets = service.payment_budgets()
            return budgets.per_task, budgets.daily, service.spent_today()

        op(read, parent=self).success(self.show_spent).failure(
            lambda e: report(e, "reading today's spending")).run()

    def show_spent(self, loaded: tuple[int | None, int | None, int]) -> None:
        self.loaded = loaded
        per_task, daily, spent = loaded
        if daily is None:
            self.spent.setText(f"{amount_short(spent)} spent · no daily limit")
            self.bar.hide()
        else:
            left = max(daily - spent, 0)
            self.spent.setText(f"{_whole(amount_short(spent))} of {_whole(amount_short(daily))} · "
                               f"{_whole(amount_short(left))} left")
            self.bar.show()
            self.bar.setValue(BAR_STEPS if daily == 0 else min(BAR_STEPS, spent * BAR_STEPS // daily))
        self.spent.setToolTip(amount_full(spent))
        each = "no limit per task" if per_task is None else f"at most {amount_short(per_task)} per task"
        self.limits.setText(f"Payments on this network since midnight; {each}. Limits are in Settings.")


def _whole(amount: str) -> str:
    """An amount and its unit kept on one line when the text wraps."""
    return amount.replace(" ", "\u00a0")
