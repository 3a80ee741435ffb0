"""The wallet's transactions still waiting for a block, each with Speed up and Cancel; empty, it says so.

Follows the core: a transaction's status changing, the history changing, another network.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.errors import user_message
from ui.formatting import amount_short, relative_time, short_address, whole_number
from ui.history_model import KIND_NAMES
from ui.ops import op
from ui.replace_tx import replace_transaction
from ui.widgets.common import plain_label, subtitle
from ui.widgets.tx import short_hash

RELOAD_MS = 200


def describe(record: Any) -> str:
    what = KIND_NAMES.get(str(record.kind), str(record.kind))
    amount = f" {amount_short(record.amount, record.asset)}" if record.amount else ""
    to = f" to {short_address(record.recipient)}" if record.recipient else ""
    return f"{what}{amount}{to} · nonce {whole_number(record.nonce)} · {relative_time(record.created_at)}"


class PendingList(QWidget):
    def __init__(self, controller: AppController, say: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = controller.service
        self._say = say  # say(text, is_error): where the outcome of a speed-up or cancellation is told
        self.records: list[Any] = []
        self.rows: dict[str, tuple[QPushButton, QPushButton]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QLabel("Pending transactions")
        head.setStyleSheet("font-weight: 600;")
        layout.addWidget(head)
        self.empty = subtitle("None: every transaction this wallet sent is in a block.")
        layout.addWidget(self.empty)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        layout.addLayout(self.grid)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(RELOAD_MS)
        self._soon.timeout.connect(self.reload)
        signals = controller.signals
        for signal in (signals.transaction_status_changed, signals.history_changed, signals.network_switched):
            signal.connect(lambda *_: self._soon.start())

    def reload(self) -> None:
        op(lambda: self.service.transactions("pending"), parent=self).success(self._show).failure(
            lambda e: self._say(user_message(e, "reading the pending transactions"), True)).run()

    def _show(self, records: list[Any]) -> None:
        self.records = list(records)
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.rows.clear()
        self.empty.setVisible(not self.records)
        for r, record in enumerate(self.records):
            text = plain_label(describe(record))
            text.setToolTip(record.tx_hash)
            speed, cancel = QPushButton("Speed up…"), QPushButton("Cancel…")
            speed.setToolTip(f"Send {short_hash(record.tx_hash)} again with a higher fee")
            cancel.setToolTip(f"Replace {short_hash(record.tx_hash)} with a transaction that sends nothing")
            speed.clicked.connect(lambda _c=False, tx=record.tx_hash: self._replace(tx, "speed_up"))
            cancel.clicked.connect(lambda _c=False, tx=record.tx_hash: self._replace(tx, "cancel"))
            self.grid.addWidget(text, r, 0)
            self.grid.addWidget(speed, r, 1)
            self.grid.addWidget(cancel, r, 2)
            self.rows[record.tx_hash] = (speed, cancel)
        self.grid.setColumnStretch(0, 1)

    def _replace(self, tx_hash: str, how: str) -> None:
        replace_transaction(self, self.service, tx_hash, how, self._say)
