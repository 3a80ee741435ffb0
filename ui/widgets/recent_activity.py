"""Home's recent activity: the last few rows of the history, each opening History at that row; with no history
yet, the next step."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.errors import report
from ui.formatting import absolute_time, amount_full, relative_time
from ui.history_model import KIND_NAMES, counterparty_text, signed_amount
from ui.ops import op
from ui.theme import colour
from ui.widgets.common import card, plain_label, subtitle
from ui.widgets.status_badge import status_colour

ROWS = 5
RELOAD_MS = 300


class RecentActivity(QWidget):
    open_row = Signal(int)  # a row's id: show it in History
    open_history = Signal()
    top_up = Signal()

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = controller.service
        self.rows: list[Any] = []
        frame, v = card()
        head = QLabel("Recent activity")
        head.setStyleSheet("font-weight: 600;")
        v.addWidget(head)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(4)
        v.addLayout(self.grid)
        self.empty = subtitle("No transactions yet.")  # the balance card above says how to get AIT
        self.top_up_button = QPushButton("Top up…")
        self.top_up_button.clicked.connect(self.top_up)
        v.addWidget(self.empty)
        v.addWidget(self.top_up_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.all_button = QPushButton("All history…")
        self.all_button.clicked.connect(self.open_history)
        v.addWidget(self.all_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(RELOAD_MS)
        self._soon.timeout.connect(self.reload)
        signals = controller.signals
        for signal in (signals.history_changed, signals.network_switched, signals.account_selected):
            signal.connect(lambda *_: self._soon.start())
        self._show([])

    def reload(self) -> None:
        op(lambda: self.service.history_page(None, 0, ROWS), parent=self).success(
            lambda page: self._show(page.rows)).failure(lambda e: report(e, "reading the recent activity")).run()

    def _show(self, rows: list[Any]) -> None:
        self.rows = list(rows)
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for r, row in enumerate(self.rows):
            when = plain_label(relative_time(row.timestamp))
            when.setToolTip(absolute_time(row.timestamp))
            what = QPushButton(f"{KIND_NAMES.get(row.kind, row.kind)} · {counterparty_text(row)}")
            what.setFlat(True)
            what.setStyleSheet("text-align: left; padding: 2px 4px;")
            what.setToolTip("Show it in History")
            what.clicked.connect(lambda _c=False, row_id=row.id: self.open_row.emit(row_id))
            amount = plain_label(signed_amount(row))
            amount.setToolTip(amount_full(row.amount, row.asset))
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            amount.setStyleSheet(f"color: {colour('success') if row.direction == 'in' else colour('muted')};")
            status = plain_label(row.status)
            status.setStyleSheet(f"color: {status_colour(row.status).name()};")
            for c, w in enumerate((when, what, amount, status)):
                self.grid.addWidget(w, r, c)
        self.grid.setColumnStretch(1, 1)
        self.empty.setVisible(not self.rows)
        self.top_up_button.setVisible(not self.rows)
        self.all_button.setVisible(bool(self.rows))
