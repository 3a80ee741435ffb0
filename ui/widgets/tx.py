"""A transaction hash: shortened, whole on hover, a copy button, and a link to the network's explorer if it has one."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from ui.widgets.common import CopyButton, plain_label, plain_tip


def short_hash(tx_hash: str) -> str:
    return f"{tx_hash[:10]}…{tx_hash[-8:]}" if len(tx_hash) > 20 else tx_hash


class TxHashLabel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tx_hash = ""
        self.explorer: str | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.label = plain_label()
        self.label.setStyleSheet("font-family: monospace;")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy = CopyButton()
        self.view = QToolButton()
        self.view.setText("View")
        self.view.setToolTip("Open the transaction in the network's block explorer")
        self.view.clicked.connect(self._open)
        layout.addWidget(self.label)
        layout.addWidget(self.copy)
        layout.addWidget(self.view)
        layout.addStretch(1)
        self.set_hash("")

    def set_hash(self, tx_hash: str, explorer: str | None = None, *, whole: bool = False) -> None:
        """``whole``: every digit, in three lines for a narrow pane (the copy button copies it in one)."""
        self.tx_hash, self.explorer = tx_hash, explorer
        lines = "\n".join(tx_hash[i:i + 22] for i in range(0, len(tx_hash), 22))
        self.label.setText((lines if whole else short_hash(tx_hash)) or "—")
        self.label.setToolTip(plain_tip(tx_hash))
        self.copy.set_text_to_copy(tx_hash)
        self.copy.setVisible(bool(tx_hash))
        self.view.setVisible(bool(tx_hash and explorer))

    def _open(self) -> None:
        if self.tx_hash and self.explorer:
            QDesktopServices.openUrl(QUrl(f"{self.explorer.rstrip('/')}/tx/{self.tx_hash}"))
