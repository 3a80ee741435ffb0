"""A one-line notice above the pages for what happened while the user looked elsewhere — AIT or ETH received —
with a button to see it in History; it goes by itself after a while, or with its close button."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton, QWidget

from ui.formatting import amount_full, amount_short, short_address
from ui.theme import colour
from ui.widgets.common import plain_label

SHOWN_MS = 12_000


def received_text(asset: str, amount: int, sender: str | None, account: str) -> str:
    source = f"from {short_address(sender)}" if sender else "(newly minted)"
    return f"Received {amount_short(amount, asset)} {source} on {short_address(account)}."


class NoticeBar(QFrame):
    show_history = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.text = plain_label()
        self.view = QPushButton("Show in History")
        self.view.clicked.connect(self._view)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(40, 14, 36, 6)  # inside the sheet's margin
        layout.addWidget(self.text, 1)
        layout.addWidget(self.view)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SHOWN_MS)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def received(self, account: str, asset: str, amount: int, sender: str | None, _tx: str) -> None:
        self.text.setText(received_text(asset, amount, sender, account))
        self.text.setToolTip(amount_full(amount, asset))
        tone = colour("success")
        self.setStyleSheet(f"QFrame#notice {{ border: 1px solid {tone}; border-radius: 6px; "
                           "margin: 8px 28px 0 28px; }")
        self.text.setStyleSheet(f"color: {tone}; font-weight: 600;")
        self.show()
        self._timer.start()

    def _view(self) -> None:
        self.hide()
        self.show_history.emit()
