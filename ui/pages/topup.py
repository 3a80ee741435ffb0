"""Top up: buy AIT with ETH from the network's token sale. "I want N AIT" and "I pay N ETH" drive each other; the
core prepares the purchase (``prepare_topup``) as they settle, and the rate, the ETH cost and the network fee are
shown before anything is signed; the confirmation repeats them with the sale's address whole. On the devnet, its
faucet (labelled as such) gives test ETH and AIT for nothing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.dialogs.confirm_tx import ConfirmTransactionDialog
from ui.errors import user_message
from ui.formatting import amount_full, amount_short, amount_short_price
from ui.ops import change_op, op
from ui.pages.base import Page
from ui.pages.settings_parts import say, section, status_label
from ui.theme import colour
from ui.widgets.common import plain_label, primary_button, subtitle, title
from ui.widgets.faucet import FaucetCard
from ui.widgets.tx import short_hash
from wallet.units import format_amount

PREPARE_MS = 350


class TopUpPage(Page):
    name = "Top up"

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.plan: Any = None
        self.sent: Any = None
        self.dialog: ConfirmTransactionDialog | None = None
        self._driver = "ait"  # the field the user typed in last: the other follows it
        self._generation = 0
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(28, 24, 28, 24)
        column.setSpacing(16)
        column.addWidget(title("Top up"))
        frame, v = section("Buy AIT with ETH", "From the network's token sale, at its published rate. The network "
                                               "fee is paid in ETH too.")
        self.ait = QLineEdit()
        self.eth = QLineEdit()
        for edit, unit in ((self.ait, "AIT"), (self.eth, "ETH")):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setPlaceholderText("0.0")
            edit.setMaximumWidth(220)
            edit.setToolTip(f"An amount of {unit}; the other field follows")
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.addRow("I want", self._unit_row(self.ait, "AIT"))
        form.addRow("I pay", self._unit_row(self.eth, "ETH"))
        v.addLayout(form)
        self.figures = plain_label()  # what is going on, or what is wrong
        self.figures.setWordWrap(True)
        v.addWidget(self.figures)
        self.terms: dict[str, QLabel] = {}
        self.terms_box = QWidget()
        terms = QFormLayout(self.terms_box)
        terms.setContentsMargins(0, 0, 0, 0)
        terms.setHorizontalSpacing(14)
        for key in ("Rate", "ETH cost", "Network fee", "In all, at most", "This account holds"):
            value = plain_label()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.terms[key] = value
            terms.addRow(subtitle(key), value)
        self.terms_box.hide()
        v.addWidget(self.terms_box)
        self.review = primary_button("Review top-up…")
        self.review.setEnabled(False)
        self.review.clicked.connect(self.confirm)
        v.addWidget(self.review, 0, Qt.AlignmentFlag.AlignLeft)
        self.status = status_label()
        v.addWidget(self.status)
        column.addWidget(frame)
        self.faucet = FaucetCard(controller, self.service.current_account)
        column.addWidget(self.faucet)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREPARE_MS)
        self._timer.timeout.connect(self.prepare)
        self.ait.textEdited.connect(lambda _t: self._edited("ait"))
        self.eth.textEdited.connect(lambda _t: self._edited("eth"))
        for edit in (self.ait, self.eth):
            edit.returnPressed.connect(self.confirm)
        signals = controller.signals
        signals.transaction_status_changed.connect(self._status_changed)
        signals.account_selected.connect(lambda _a: self._edited(self._driver))
        signals.network_switched.connect(lambda *_: self._edited(self._driver))

    @staticmethod
    def _unit_row(edit: QLineEdit, unit: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(edit)
        row.addWidget(QLabel(unit))
        row.addStretch(1)
        return row

    def main_field(self) -> QWidget | None:
        return self.ait

    # --- as the fields change ---
    def _edited(self, driver: str) -> None:
        self._driver = driver
        self._generation += 1
        self.plan = None
        self.review.setEnabled(False)
        follower = self.eth if driver == "ait" else self.ait
        if not (self.ait if driver == "ait" else self.eth).text().strip():
            follower.clear()
            self._show("")
            self._timer.stop()
            return
        self._show("Asking the token sale…")
        self._timer.start()

    def prepare(self) -> None:
        generation, service, driver = self._generation, self.service, self._driver
        account = service.current_account()
        text = (self.ait if driver == "ait" else self.eth).text().strip()
        if account is None or not text:
            return
        kwargs = {"ait": text} if driver == "ait" else {"eth": text}
        op(lambda: service.prepare_topup(account, **kwargs), parent=self).success(
            lambda plan: generation == self._generation and self._prepared(plan)).failure(
            lambda e: generation == self._generation and self._failed(e)).run()

    def _prepared(self, plan: Any) -> None:
        self.plan = plan
        follower, value = (self.eth, plan.eth_cost) if self._driver == "ait" else (self.ait, plan.tokens)
        follower.setText(format_amount(value))  # plain digits: the field parses what it shows
        self._show("")
        for key, text in (("Rate", plan.rate_text),
                          ("ETH cost", f"{amount_full(plan.eth_cost, 'ETH')} for {amount_full(plan.tokens)}"),
                          ("Network fee", f"about {amount_short(plan.fees.likely_cost, 'ETH')}, at most "
                                          f"{amount_short_price(plan.fees.max_cost, 'ETH')}"),
                          ("In all, at most", amount_short_price(plan.total_eth, "ETH")),
                          ("This account holds", amount_short(plan.eth_balance, "ETH"))):
            self.terms[key].setText(text)
        self.terms_box.show()
        self.review.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self._show(user_message(exc, "preparing a top-up"), error=True)

    def _show(self, text: str, error: bool = False) -> None:
        self.terms_box.hide()
        self.figures.setText(text)
        self.figures.setStyleSheet(f"color: {colour('danger')};" if error else "")
        self.figures.setVisible(bool(text))

    # --- confirming, buying ---
    def confirm(self) -> None:
        plan = self.plan
        if plan is None or not self.review.isEnabled():
            return
        rows = [("From", plan.account), ("Token sale", plan.sale), ("You pay", amount_full(plan.eth_cost, "ETH")),
                ("You receive", f"{amount_full(plan.tokens)} (the purchase fails rather than give less)"),
                ("Rate", plan.rate_text),
                ("Network fee", f"about {amount_full(plan.fees.likely_cost, 'ETH')}, at most "
                                f"{amount_full(plan.fees.max_cost, 'ETH')}"),
                ("In all, at most", amount_full(plan.total_eth, "ETH"))]
        dialog = ConfirmTransactionDialog(f"Buy {amount_short(plan.tokens)}?", rows,
                                          f"Buy for {amount_short(plan.eth_cost, 'ETH')}", parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._buy(plan))
        self.dialog = dialog
        dialog.open()

    def _buy(self, plan: Any) -> None:
        self.review.setEnabled(False)
        say(self.status, "Signing and sending…")

        def sent(record: Any) -> None:
            self.sent = record
            say(self.status, f"Sent: {short_hash(record.tx_hash)}, waiting for a block.")

        change_op(lambda: self.service.topup(plan), parent=self).success(sent).failure(
            lambda e: say(self.status, user_message(e), True)).finally_(
            lambda: self.review.setEnabled(self.plan is not None)).run()

    def _status_changed(self, tx_hash: str, status: str, _kind: str) -> None:
        if self.sent is not None and tx_hash.lower() == self.sent.tx_hash.lower():
            if status == "confirmed":
                say(self.status, f"Done: {amount_short(self.sent.amount)} bought ({short_hash(tx_hash)}).")
                self._edited(self._driver)  # the balance and the fee changed: what is shown must not be stale
            else:
                say(self.status, f"{short_hash(tx_hash)} is {status}.", error=status in ("failed", "expired"))
