"""The account's address as a QR code (an EIP-681 URI), one click away from Home."""

from __future__ import annotations

import io

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ui.widgets.common import AddressLabel, subtitle


def eip681_uri(address: str, chain_id: int | None) -> str:
    return f"ethereum:{address}@{chain_id}" if chain_id else f"ethereum:{address}"


def qr_pixmap(text: str, scale: int = 6, dark: bool = False) -> QPixmap:
    import segno  # 3 MiB resident: only once a QR is shown

    buf = io.BytesIO()
    qr = segno.make(text, error="m")
    qr.save(buf, kind="png", scale=scale, border=2,
            dark="#e6e6e6" if dark else "#000000", light="#17191b" if dark else "#ffffff")
    pm = QPixmap()
    pm.loadFromData(buf.getvalue(), "PNG")
    return pm


class QrDialog(QDialog):
    def __init__(self, address: str, chain_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Receive")
        layout = QVBoxLayout(self)
        uri = eip681_uri(address, chain_id)
        self.image = QLabel()
        self.image.setPixmap(qr_pixmap(uri))
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setToolTip(uri)
        layout.addWidget(subtitle("Scan to send ETH or AIT to this account on this network."))
        layout.addWidget(self.image)
        layout.addWidget(AddressLabel(address, full=True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
