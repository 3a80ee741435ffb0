"""History's details pane: every field of the selected row, whole — amounts to the last decimal, addresses and
the transaction hash with copy buttons — and for a payment its task: model, tokens, quote vs maximum vs
charged, the provider's note, a dispute with its evidence one click away. A pending transaction of the wallet's
can be sped up or cancelled from here."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ui.formatting import absolute_time, amount_full, whole_number
from ui.history_model import KIND_NAMES, counterparty_text
from ui.theme import colour
from ui.widgets.common import AddressLabel, plain_label, subtitle
from ui.widgets.status_badge import status_colour
from ui.widgets.tx import TxHashLabel

SPEEDS_UP = ("send", "topup", "cancel", "call")  # kinds of transaction the wallet sent itself


def _int(details: dict[str, Any], key: str) -> int | None:
    value = details.get(key)
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


class HistoryDetails(QScrollArea):
    speed_up = Signal(str)  # tx hash
    cancel = Signal(str)
    show_evidence = Signal(int)  # payment id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(250)  # a transaction hash in three lines and its Copy button
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # values wrap instead
        self.row: Any = None
        self.explorer: str | None = None
        inner = QWidget()
        self.column = QVBoxLayout(inner)
        self.column.setContentsMargins(12, 4, 4, 4)
        self.heading = plain_label()
        self.heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.heading.setWordWrap(True)
        self.column.addWidget(self.heading)
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        self.form.setContentsMargins(0, 4, 0, 0)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # narrow pane: value under its label
        self.form.setVerticalSpacing(3)
        self.actions = QHBoxLayout()  # under the heading: a dispute's evidence is seen without scrolling
        self.speed_button = QPushButton("Speed up…")
        self.speed_button.setToolTip("Send it again with a higher fee, so that it is mined sooner")
        self.cancel_button = QPushButton("Cancel…")
        self.cancel_button.setToolTip("Replace it with a transaction that sends nothing (it costs only its fee)")
        self.evidence_button = QPushButton("Show evidence…")
        self.speed_button.clicked.connect(lambda: self.row and self.speed_up.emit(self.row.tx_hash))
        self.cancel_button.clicked.connect(lambda: self.row and self.cancel.emit(self.row.tx_hash))
        self.evidence_button.clicked.connect(self._evidence)
        for b in (self.speed_button, self.cancel_button, self.evidence_button):
            self.actions.addWidget(b)
        self.actions.addStretch(1)
        self.column.addLayout(self.actions)
        self.column.addWidget(self.form_box)
        self.column.addStretch(1)
        self.setWidget(inner)
        self.values: dict[str, str] = {}
        self.show_row(None)

    def show_row(self, row: Any) -> None:
        self.row = row
        while self.form.rowCount():
            self.form.removeRow(0)
        self.values = {}
        for b in (self.speed_button, self.cancel_button, self.evidence_button):
            b.hide()
        if row is None:
            self.heading.setText("Select a row to see its details.")
            self.heading.setStyleSheet("color: palette(placeholder-text);")
            return
        self.heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        sign = "+" if row.direction == "in" else "−"
        self.heading.setText(KIND_NAMES.get(row.kind, row.kind))
        self._add("status", "Status", row.status, tone=status_colour(row.status).name())
        if row.kind == "payment" and row.details.get("dispute"):  # first, in the wallet's words
            self._dispute(row.details["dispute"])
        self._add("time", "Time", absolute_time(row.timestamp))
        self._add("amount", "Amount", f"{sign}{amount_full(row.amount, row.asset)}")
        if row.fee is not None:
            self._add("fee", "Network fee", amount_full(row.fee, "ETH"))
        self._address("account", "Account", row.account)
        if row.counterparty:
            who = "Provider's payee" if row.kind == "payment" else ("From" if row.direction == "in" else "To")
            self._address("counterparty", who, row.counterparty)
        if row.tx_hash:
            tx = TxHashLabel()
            tx.set_hash(row.tx_hash, self.explorer, whole=True)
            self.values["tx"] = row.tx_hash
            self.form.addRow(subtitle("Transaction"), tx)
        if row.block_number is not None:
            self._add("block", "Block", whole_number(row.block_number))
        if row.kind == "payment":
            self._payment(row)
        elif row.kind == "topup" and _int(row.details, "paid_wei") is not None:
            self._add("paid", "Paid", amount_full(_int(row.details, "paid_wei") or 0, "ETH"))
        if row.status == "pending" and row.kind in SPEEDS_UP and row.tx_hash:
            self.speed_button.show()
            self.cancel_button.show()

    def _payment(self, row: Any) -> None:
        d = row.details
        self._add("provider", "Provider", counterparty_text(row))
        if row.model:
            self._add("model", "Model", row.model)
        tokens_in, tokens_out = d.get("input_tokens"), d.get("output_tokens")
        if tokens_in is not None or tokens_out is not None:
            budget = _int(d, "max_output_tokens")
            asked = f" (of {_count(budget)} asked)" if budget is not None else ""
            self._add("tokens", "Tokens", f"{_count(tokens_in)} in · {_count(tokens_out)} out{asked}")
        quote, most, charged = _int(d, "quote_base_units"), _int(d, "max_base_units"), _int(d, "charged_base_units")
        if quote is not None:
            self._add("quote", "Quoted", amount_full(quote))
        if most is not None and (most != quote or d.get("scheme") == "upto"):
            self._add("max", "Most authorized", amount_full(most))
        self._add("charged", "Charged", "not charged" if charged is None else amount_full(charged),
                  tone=None if charged is None or quote is None or charged <= quote else colour("danger"))
        if d.get("scheme"):
            self._add("scheme", "Scheme", "metered (upto)" if d["scheme"] == "upto" else str(d["scheme"]))
        if d.get("response_id"):
            response = str(d["response_id"])
            self._add("response", "Response id", response if len(response) <= 26 else f"{response[:24]}…")
            self.values["response"] = response  # whole: the label is cut to fit the narrow pane
        dispute = d.get("dispute")
        if d.get("note") and not (dispute and str(d["note"]) == _dispute_text(dispute)):  # said once
            self._add("note", "Note", str(d["note"]))
        if d.get("payment_id") is not None:
            self.evidence_button.setVisible(bool(d.get("dispute")) or row.status in ("failed", "pending"))
            self.evidence_button.setText("Show evidence…" if d.get("dispute") else "Show the record…")

    def _dispute(self, dispute: object) -> None:
        self._add("dispute", "Dispute", _dispute_text(dispute), tone=colour("danger"))
        expected = _int(dispute, "expected_base_units") if isinstance(dispute, dict) else None
        if expected is not None:
            self._add("expected", "By the wallet's count", amount_full(expected))

    def _evidence(self) -> None:
        payment_id = _int(self.row.details, "payment_id") if self.row is not None else None
        if payment_id is not None:
            self.show_evidence.emit(payment_id)

    def _add(self, key: str, label: str, text: str, tone: str | None = None) -> None:
        value = plain_label(text)  # provider names, models and notes come from outside: never markup
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if tone:
            value.setStyleSheet(f"color: {tone}; font-weight: 600;")
        self.values[key] = text
        self.form.addRow(subtitle(label), value)

    def _address(self, key: str, label: str, address: str) -> None:
        widget = AddressLabel(address, two_lines=True)
        self.values[key] = address
        self.form.addRow(subtitle(label), widget)


def _count(n: object) -> str:
    return whole_number(n) if isinstance(n, int) and not isinstance(n, bool) else "?"


def _dispute_text(dispute: object) -> str:
    """The dispute's own words: the problems the wallet found (an object), or a text kept as it is."""
    if isinstance(dispute, dict):
        problems = dispute.get("problems")
        if isinstance(problems, list) and problems:
            return " ".join(str(p) for p in problems)
        return str(dispute.get("reason") or dispute.get("message") or "The charge does not match the answer.")
    return str(dispute)
