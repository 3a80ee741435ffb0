"""Send: a recipient (an address, checked as it is typed, or a pasted EIP-681 payment request), AIT or ETH, an
amount or Max; the core prepares the send (``prepare_send``: the fee estimate, the balance check, the warnings) as
the fields settle, and the confirmation shows the recipient whole before anything is signed. Below, the
transactions still pending, each with Speed up and Cancel."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.dialogs.confirm_tx import ConfirmTransactionDialog
from ui.errors import user_message
from ui.formatting import amount_full, amount_short, amount_short_price, short_address
from ui.ops import change_op, op
from ui.pages.settings_parts import say, section, status_label
from ui.theme import colour
from ui.widgets.common import card, plain_label, primary_button
from ui.widgets.pending_list import PendingList
from ui.widgets.tx import short_hash
from wallet.addresses import parse_address
from wallet.errors import WalletError

PREPARE_MS = 350  # the send is prepared once typing pauses this long
MAX = "max"


def recipient_problem(text: str, token: str | None) -> str:
    """What is wrong with the recipient as typed ("" when nothing is); a payment request is the core's to check."""
    text = text.strip()
    if not text or text.lower().startswith("ethereum:"):
        return ""
    try:
        address = parse_address(text)
    except WalletError as e:
        return e.user_message
    if token and address.lower() == token.lower():
        return "That is the AI Token contract itself: tokens sent to it are lost for good."
    return ""


class SendPanel(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = controller.service
        self.plan: Any = None  # the SendPlan the fields describe now, once prepared
        self.sent: Any = None  # the last TxRecord sent
        self.dialog: ConfirmTransactionDialog | None = None
        self._generation = 0
        frame, v = section("Send", "AIT or ETH to any address. The network fee is paid in ETH.")
        self.to = QLineEdit()
        self.to.setPlaceholderText("0x… address, or paste a payment request (ethereum:…)")
        self.to_problem = plain_label()
        self.to_problem.setWordWrap(True)
        self.to_problem.hide()
        self.asset = QComboBox()
        self.asset.addItem("AIT", "AIT")
        self.asset.addItem("ETH", "ETH")
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("0.0")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.max_button = QPushButton("Max")
        self.max_button.setToolTip("Everything this account holds (for ETH, less the network fee)")
        self.max_button.clicked.connect(lambda: self.amount.setText(MAX))
        self.to.setMaximumWidth(560)  # an address and a request fit; wider only spreads the eye
        self.amount.setMaximumWidth(260)
        amount_row = QHBoxLayout()
        for w in (self.amount, self.asset, self.max_button):
            amount_row.addWidget(w)
        amount_row.addStretch(1)
        self.summary = plain_label()
        self.summary.setWordWrap(True)
        self.warnings = plain_label()
        self.warnings.setWordWrap(True)
        self.summary.hide()
        self.warnings.hide()
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.addRow("To", self.to)
        form.addRow("", self.to_problem)
        form.addRow("Amount", amount_row)
        v.addLayout(form)
        v.addWidget(self.summary)
        v.addWidget(self.warnings)
        self.review = primary_button("Review and send…")
        self.review.setEnabled(False)
        self.review.clicked.connect(self.confirm)
        v.addWidget(self.review, 0, Qt.AlignmentFlag.AlignLeft)
        self.status = status_label()
        v.addWidget(self.status)
        self.pending = PendingList(controller, lambda text, error: say(self.status, text, error))
        pending_frame, pv = card()
        pv.addWidget(self.pending)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(frame)
        layout.addWidget(pending_frame)
        layout.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREPARE_MS)
        self._timer.timeout.connect(self.prepare)
        self.to.textChanged.connect(self._edited)
        self.amount.textChanged.connect(self._edited)
        self.asset.currentIndexChanged.connect(lambda _i: self._edited())
        self.to.returnPressed.connect(self.amount.setFocus)
        self.amount.returnPressed.connect(self.confirm)
        controller.signals.transaction_status_changed.connect(self._status_changed)
        controller.signals.account_selected.connect(lambda _a: self._edited())

    # --- as the fields change ---
    def _edited(self) -> None:
        self._generation += 1
        self.plan = None
        self.review.setEnabled(False)
        token = self.service.profile.contracts.get("AIToken")
        problem = recipient_problem(self.to.text(), token)
        self._show(self.to_problem, problem, error=True)
        is_request = self.to.text().strip().lower().startswith("ethereum:")
        self.asset.setEnabled(not is_request)
        self._show(self.summary, "")
        self._show(self.warnings, "")
        if problem or not self.to.text().strip() or (not self.amount.text().strip() and not is_request):
            self._timer.stop()
            return
        self._show(self.summary, "Estimating the network fee…")
        self._timer.start()

    def prepare(self) -> None:
        generation, service = self._generation, self.service
        account, to = service.current_account(), self.to.text().strip()
        amount = self.amount.text().strip() or None
        asset = None if to.lower().startswith("ethereum:") else self.asset.currentData()
        if account is None:
            return
        op(lambda: service.prepare_send(account, to, amount, asset), parent=self).success(
            lambda plan: generation == self._generation and self._prepared(plan)).failure(
            lambda e: generation == self._generation and self._failed(e)).run()

    def _prepared(self, plan: Any) -> None:
        self.plan = plan
        after = plan.balance - plan.amount if plan.asset == "AIT" else plan.balance - plan.amount - plan.fees.max_cost
        self._show(self.summary, f"Sends {amount_full(plan.amount, plan.asset)} to {plan.to}. Network fee about "
                                 f"{amount_short(plan.fees.likely_cost, 'ETH')}, at most "
                                 f"{amount_short_price(plan.fees.max_cost, 'ETH')}. {plan.asset} left after: "
                                 f"{amount_short(max(after, 0), plan.asset)}.")
        self._show(self.warnings, "\n".join(f"⚠ {w.message}" for w in plan.warnings), error=True)
        self.review.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self.plan = None
        self._show(self.summary, user_message(exc, "preparing a send"), error=True)

    def _show(self, label: Any, text: str, error: bool = False) -> None:
        label.setText(text)
        label.setStyleSheet(f"color: {colour('danger')};" if error and text else "")
        label.setVisible(bool(text))

    # --- confirming, sending ---
    def confirm(self) -> None:
        plan = self.plan
        if plan is None or not self.review.isEnabled():
            return
        rows = [("From", plan.account), ("To", plan.to), ("Amount", amount_full(plan.amount, plan.asset)),
                ("Network fee", f"about {amount_full(plan.fees.likely_cost, 'ETH')}, at most "
                                f"{amount_full(plan.fees.max_cost, 'ETH')}")]
        if plan.asset == "AIT":
            rows.append(("Token", f"AI Token (AIT) {plan.tx_to}"))
        dialog = ConfirmTransactionDialog(f"Send {amount_short(plan.amount, plan.asset)}?", rows,
                                          f"Send {amount_short(plan.amount, plan.asset)}",
                                          warnings=[w.message for w in plan.warnings], parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._send(plan, dialog.warnings_accepted))
        self.dialog = dialog
        dialog.open()

    def _send(self, plan: Any, accept_warnings: bool) -> None:
        self.review.setEnabled(False)
        say(self.status, "Signing and sending…")

        def sent(record: Any) -> None:
            self.sent = record
            say(self.status, f"Sent: {short_hash(record.tx_hash)}, waiting for a block.")
            self.amount.clear()
            self.pending.reload()

        change_op(lambda: self.service.send(plan, accept_warnings=accept_warnings), parent=self).success(
            sent).failure(lambda e: (say(self.status, user_message(e), True), self.review.setEnabled(True))).run()

    def _status_changed(self, tx_hash: str, status: str, _kind: str) -> None:
        if self.sent is not None and tx_hash.lower() == self.sent.tx_hash.lower():
            sent = self.sent
            what = f"{amount_short(sent.amount, sent.asset)} to {short_address(sent.recipient or sent.tx_to or '')}"
            say(self.status, f"{what}: {status} ({short_hash(tx_hash)}).", error=status in ("failed", "expired"))

