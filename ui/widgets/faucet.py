"""The devnet faucet, labelled as such: free test ETH and AIT that exist only on the local devnet. Shown on Home
and Top up while the devnet is the network in use."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.errors import show_error
from ui.ops import change_op
from ui.widgets.common import card, subtitle
from wallet.units import format_amount


class FaucetCard(QWidget):
    def __init__(self, controller: AppController, account: Callable[[], str | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = controller.service
        self._account = account
        frame, v = card()
        v.addWidget(subtitle(
            "Local test network: the faucet gives free test ETH and AIT. They exist only on this devnet."))
        eth, ait = self.service.faucet_amounts()
        self.text = f"Get {format_amount(ait)} test AIT and {format_amount(eth)} test ETH (devnet faucet)"
        self.button = QPushButton(self.text)
        self.button.clicked.connect(self.ask)
        v.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)
        self.follow(self.service.profile.is_devnet)
        controller.signals.network_switched.connect(lambda _n, _c, is_devnet: self.follow(is_devnet))

    def follow(self, is_devnet: bool) -> None:
        self.setVisible(is_devnet)

    def ask(self) -> None:
        address = self._account()
        if not address:
            return
        self.button.setEnabled(False)
        self.button.setText("Asking the faucet…")
        service = self.service

        def work() -> None:
            service.devnet_faucet(address)  # one press: the amounts the button names
            service.publish_balances(address)

        def done() -> None:
            self.button.setEnabled(True)
            self.button.setText(self.text)

        change_op(work, parent=self).failure(lambda e: show_error(self, e)).finally_(done).run()
