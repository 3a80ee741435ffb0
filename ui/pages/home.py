"""Home: the current account, its address (copy, QR), ETH and AIT balances, the devnet faucet, and what was
spent today against the limits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.errors import report
from ui.formatting import amount_full, amount_short
from ui.ops import op
from ui.pages.base import Page
from ui.widgets.budgets_card import BudgetsCard
from ui.widgets.common import AddressLabel, card, subtitle, title
from ui.widgets.faucet import FaucetCard
from ui.widgets.qr import QrDialog
from ui.widgets.recent_activity import RecentActivity


class HomePage(Page):
    name = "Home"

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.address: str | None = None
        self.balances: tuple[int, int] | None = None
        self.qr_dialog: QrDialog | None = None
        self.is_devnet = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 24)
        outer.setSpacing(16)
        outer.addWidget(title("Home"))

        acct_card, acct = card()
        self.account_label = QLabel()
        self.account_label.setProperty("role", "subtitle")
        self.address_label = AddressLabel(full=True)
        self.qr_button = QPushButton("Show QR code")
        self.qr_button.clicked.connect(self._show_qr)
        self.qr_button.setEnabled(False)  # until the account is known
        row = QHBoxLayout()
        row.addWidget(self.address_label, 1)
        row.addWidget(self.qr_button)
        acct.addWidget(self.account_label)
        acct.addLayout(row)
        outer.addWidget(acct_card)

        bal_card, bal = card()
        grid = QGridLayout()
        self.ait_value = QLabel("…")
        self.ait_value.setProperty("role", "amount")
        self.eth_value = QLabel("…")
        self.eth_value.setStyleSheet("font-size: 16px;")
        grid.addWidget(subtitle("AI Token"), 0, 0)
        grid.addWidget(self.ait_value, 1, 0)
        grid.addWidget(subtitle("Ether (for network fees)"), 0, 1)
        grid.addWidget(self.eth_value, 1, 1, Qt.AlignmentFlag.AlignBottom)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 1)
        bal.addLayout(grid)
        self.hint = subtitle("")
        bal.addWidget(self.hint)
        outer.addWidget(bal_card)

        self.faucet_card = FaucetCard(controller, lambda: self.address)
        self.faucet_button = self.faucet_card.button
        outer.addWidget(self.faucet_card)
        self.budgets = BudgetsCard(controller)
        self.recent = RecentActivity(controller)
        self.recent.open_row.connect(lambda row_id: self.navigate.emit("History", row_id))
        self.recent.open_history.connect(lambda: self.navigate.emit("History", None))
        self.recent.top_up.connect(lambda: self.navigate.emit("Top up", None))
        lower = QHBoxLayout()
        lower.setSpacing(16)
        lower.addWidget(self.recent, 3)
        lower.addWidget(self.budgets, 2)
        outer.addLayout(lower)
        outer.addStretch(1)

        controller.signals.balances_changed.connect(self._on_balances)
        controller.signals.accounts_changed.connect(self.on_shown)
        controller.signals.account_selected.connect(lambda _address: self.on_shown())
        controller.signals.network_switched.connect(self._on_network_switched)

    def on_shown(self) -> None:
        self.budgets.reload()
        self.recent.reload()
        self.is_devnet = self.service.profile.is_devnet
        self.faucet_card.follow(self.is_devnet)
        op(self._load, parent=self).success(self._show_account).failure(
            lambda e: report(e, "reading the current account")).run()

    def _on_network_switched(self, _name: str, _chain_id: int, is_devnet: bool) -> None:
        """The old network's balances are not this one's: they go at once, and are read again."""
        self.is_devnet = is_devnet
        self._clear_balances()
        if self.address:
            self._read_balances(self.address)

    def _clear_balances(self) -> None:
        self.balances = None
        for label in (self.ait_value, self.eth_value):
            label.setText("…")
            label.setToolTip("")
        self.hint.setText("")

    def _read_balances(self, address: str) -> None:
        # Offline is quiet here: the status bar says so, and the watcher publishes the balances once it can.
        op(lambda: self.service.publish_balances(address), parent=self).failure(
            lambda e: report(e, "reading the balances")).run()

    def _load(self) -> tuple[str | None, str]:
        address = self.service.current_account()
        label = next((a.label for a in self.service.accounts() if a.address == address), "")
        return address, label

    def _show_account(self, result: tuple[str | None, str]) -> None:
        address, label = result
        if address != self.address:
            self._clear_balances()
        self.address = address
        self.account_label.setText(label or "Account")
        self.address_label.set_address(address or "")
        self.qr_button.setEnabled(bool(address))
        if address:
            self._read_balances(address)

    def _on_balances(self, address: str, eth: int, ait: int) -> None:
        if address != self.address:
            return
        self.balances = (eth, ait)
        self.ait_value.setText(amount_short(ait))
        self.ait_value.setToolTip(amount_full(ait))
        self.eth_value.setText(amount_short(eth, "ETH"))
        self.eth_value.setToolTip(amount_full(eth, "ETH"))
        if ait == 0:
            self.hint.setText("No AIT yet — " + (
                "use the devnet faucet below to get started." if self.is_devnet
                else "top up to get started."))
        else:
            self.hint.setText("")

    def _show_qr(self) -> None:
        if self.address:
            self.qr_dialog = QrDialog(self.address, self.service.profile.chain_id, self)
            self.qr_dialog.open()
