"""Receive: the account's address whole, and an EIP-681 payment request for AIT or ETH — optionally for an
amount — as a QR code and as text, each with a copy button. The request is the core's
(``WalletService.payment_request``): this network's chain id and token are in it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.errors import user_message
from ui.ops import op
from ui.pages.settings_parts import section
from ui.theme import colour
from ui.widgets.common import AddressLabel, CopyButton, plain_label, subtitle
from ui.widgets.qr import qr_pixmap

UPDATE_MS = 250


class ReceivePanel(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = controller.service
        self.uri = ""
        self._generation = 0
        frame, v = section("Receive", "Share your address, or a payment request that fills in the token, the "
                                      "network and, if you like, the amount.")
        self.address = AddressLabel(full=True)
        v.addWidget(self.address)
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("any amount")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.asset = QComboBox()
        self.asset.addItem("AIT", "AIT")
        self.asset.addItem("ETH", "ETH")
        row = QHBoxLayout()
        row.addWidget(self.amount)
        row.addWidget(self.asset)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow("Request", row)
        v.addLayout(form)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setMinimumSize(200, 200)
        v.addWidget(self.qr)
        self.uri_label = plain_label()
        self.uri_label.setWordWrap(True)
        self.uri_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.uri_label.setStyleSheet("font-family: monospace;")
        self.copy_uri = CopyButton()
        self.copy_uri.setToolTip("Copy the payment request")
        uri_row = QHBoxLayout()
        uri_row.addWidget(self.uri_label, 1)
        uri_row.addWidget(self.copy_uri)
        v.addLayout(uri_row)
        self.problem = subtitle("")
        self.problem.hide()
        v.addWidget(self.problem)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)
        layout.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(UPDATE_MS)
        self._timer.timeout.connect(self.update_request)
        self.amount.textChanged.connect(lambda _t: self._timer.start())
        self.asset.currentIndexChanged.connect(lambda _i: self.update_request())
        signals = controller.signals
        signals.account_selected.connect(lambda _a: self.update_request())
        signals.network_switched.connect(lambda *_: self.update_request())

    def update_request(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation, service = self._generation, self.service
        amount, asset = self.amount.text().strip() or None, self.asset.currentData()

        def request() -> dict[str, str]:
            account = service.current_account()
            if account is None:
                return {"address": "", "uri": ""}
            return service.payment_request(account, amount, asset)

        op(request, parent=self).success(lambda r: generation == self._generation and self._show(r)).failure(
            lambda e: generation == self._generation and self._failed(e)).run()

    def _show(self, request: dict[str, str]) -> None:
        self.uri = request["uri"]
        self.address.set_address(request["address"])
        self.uri_label.setText(self.uri)
        self.copy_uri.set_text_to_copy(self.uri)
        # Black on white in either theme: what every scanner reads best.
        self.qr.setPixmap(qr_pixmap(self.uri, scale=5) if self.uri else self.qr.pixmap())
        self.qr.setToolTip(self.uri)
        self.problem.hide()

    def _failed(self, exc: BaseException) -> None:
        self.problem.setText(user_message(exc, "making a payment request"))
        self.problem.setStyleSheet(f"color: {colour('danger')};")
        self.problem.show()
