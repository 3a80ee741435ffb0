"""A paid task's progress, its answer (read-only, copy, save) and its receipt: tokens in and out, quoted vs
charged (for a metered payment: the maximum authorized, the charge and the wallet's own count of the output),
the transaction; a disputed charge in words, with its evidence one click away.

Steps follow the core's payment progress: asking the provider (done before the confirmation), signing,
waiting for the answer, checking the payment on chain, settled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSaveFile, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.formatting import amount_full, amount_short, amount_short_price, whole_number
from ui.theme import colour
from ui.widgets.common import copy_to_clipboard, plain_label
from ui.widgets.model_picker import THEME_EVENTS, restyle
from ui.widgets.tx import TxHashLabel

if TYPE_CHECKING:
    from wallet.payments.flow import PaymentResult

STEPS = (("requesting", "Asking the provider"), ("signing", "Signing"),
         ("waiting for the provider", "Waiting for the answer"), ("verifying", "Checking on chain"),
         ("settled", "Settled"))
STAGES = [s for s, _ in STEPS]


class StepRow(QWidget):
    """Where the payment is: "Step 3 of 5 · Waiting for the answer…" beside a bar of the steps done; one line,
    so it fits the narrowest editor column. Every step is listed in its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current = -1
        self.failed = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.label = plain_label()
        self.bar = QProgressBar()
        self.bar.setRange(0, len(STEPS))
        self.bar.setTextVisible(False)
        self.bar.setMaximumWidth(140)
        self.bar.setMaximumHeight(8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        self.setToolTip(" → ".join(text for _, text in STEPS))
        self.set_stage(-1)

    def set_stage(self, index: int, failed: bool = False) -> None:
        self.current, self.failed = index, failed
        self._colour()

    def stage_text(self) -> str:
        return STEPS[self.current][1] if 0 <= self.current < len(STEPS) else ""

    def _colour(self) -> None:
        last = len(STEPS) - 1
        self.setVisible(self.current >= 0)
        settled = self.current == last and not self.failed
        self.bar.setValue(self.current + 1 if settled else max(self.current, 0))
        if settled:
            self.label.setText(f"✓ {self.stage_text()}")
            tone = colour("success")
        elif self.failed:
            self.label.setText(f"✕ Stopped at step {self.current + 1} of {len(STEPS)}: {self.stage_text()}")
            tone = colour("danger")
        else:
            self.label.setText(f"Step {self.current + 1} of {len(STEPS)} · {self.stage_text()}…")
            tone = colour("accent")
        restyle(self.label, f"color: {tone}; font-weight: 600;")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in THEME_EVENTS:
            self._colour()


class TaskResultPanel(QFrame):
    show_evidence = Signal(int)  # payment id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskResult")
        self.text = ""
        self.explorer: str | None = None
        self.payment_id: int | None = None
        heading = QLabel("Answer")
        heading.setStyleSheet("font-weight: 600;")
        self.provider = plain_label()
        self.provider.setProperty("role", "subtitle")
        self.provider.setWordWrap(True)  # a long provider or model name takes two lines in a narrow column
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the answer to the clipboard")
        self.copy_button.clicked.connect(self.copy_answer)
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the answer as a text file")
        self.save_button.clicked.connect(self.save_answer)
        head = QHBoxLayout()
        head.addWidget(heading)
        head.addWidget(self.provider, 1)
        head.addWidget(self.copy_button)
        head.addWidget(self.save_button)

        self.steps = StepRow()
        self.problem = plain_label()
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.hide()
        self.answer = QPlainTextEdit()
        self.answer.setReadOnly(True)
        self.answer.setTabChangesFocus(True)
        self.answer.setPlaceholderText("The provider's answer appears here.")
        font = QFont(self.answer.font())
        font.setPointSizeF(font.pointSizeF() * 1.08)
        self.answer.setFont(font)
        self.answer.document().setDocumentMargin(10)

        self.tokens = plain_label()
        self.costs = plain_label()
        self.costs.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.costs.setWordWrap(True)
        self.tx = TxHashLabel()
        self.receipt = QWidget()
        receipt = QGridLayout(self.receipt)
        receipt.setContentsMargins(0, 0, 0, 0)
        receipt.setHorizontalSpacing(12)
        receipt.setVerticalSpacing(3)
        self.dispute = plain_label()
        self.dispute.setWordWrap(True)
        self.dispute.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.evidence_button = QPushButton("Show evidence…")
        self.evidence_button.setToolTip("The 402, the signed authorization, the answer, the receipt and the "
                                        "transaction, as kept")
        self.evidence_button.clicked.connect(self._evidence)
        self.disputed = QWidget()
        dispute_line = QHBoxLayout(self.disputed)
        dispute_line.setContentsMargins(0, 0, 0, 0)
        dispute_line.addWidget(self.dispute, 1)
        dispute_line.addWidget(self.evidence_button, 0, Qt.AlignmentFlag.AlignTop)
        self.dispute_label = QLabel("Disputed")
        rows = (("Tokens", self.tokens), ("Cost", self.costs), ("Transaction", self.tx),
                (self.dispute_label, self.disputed))
        for r, (text, w) in enumerate(rows):
            label = text if isinstance(text, QLabel) else QLabel(text)
            label.setProperty("role", "subtitle")
            receipt.addWidget(label, r, 0)
            receipt.addWidget(w, r, 1)
        receipt.setColumnStretch(1, 1)
        receipt.setAlignment(self.dispute_label, Qt.AlignmentFlag.AlignTop)  # beside the first line of the words

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self.steps)
        layout.addWidget(self.problem)
        layout.addWidget(self.answer, 1)
        layout.addWidget(self.receipt)
        self.clear()

    # --- states ---
    def clear(self) -> None:
        self.text = ""
        self.answer.setPlainText("")
        self.problem.hide()
        self.receipt.hide()
        self.payment_id = None
        self._show_dispute("")
        self.provider.setText("")
        self.copy_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.steps.set_stage(-1)

    def start(self, provider_name: str, model: str, explorer: str | None) -> None:
        """Confirmed: the provider has been asked; signing comes next."""
        self.clear()
        self.explorer = explorer
        self.provider.setText(f"{provider_name} · {model}")
        self.steps.set_stage(STAGES.index("signing"))

    def set_stage(self, stage: str) -> None:
        if stage in STAGES:
            self.steps.set_stage(STAGES.index(stage))

    def show_result(self, r: PaymentResult) -> None:
        self.text = r.response_text
        self.answer.setPlainText(r.response_text)
        self.copy_button.setEnabled(True)
        self.save_button.setEnabled(True)
        settled = r.paid_base_units is not None
        self.steps.set_stage(len(STEPS) - 1 if settled else STAGES.index("verifying"), failed=not settled)
        self.payment_id = r.intent_id
        metered = r.scheme == "upto"
        usage = r.usage or {}
        into, out = usage.get("prompt_tokens"), usage.get("completion_tokens")
        differs = metered and r.output_tokens is not None and r.output_tokens != out  # the provider's count is off
        counted = f" · your count {_count(r.output_tokens)} out" if differs else ""
        self.tokens.setText(f"{_count(into)} in · {_count(out)} out{counted}")
        self.tokens.setToolTip(f"As quoted: {whole_number(r.quote.input_tokens)} in, at most "
                               f"{whole_number(r.quote.max_output_tokens)} out"
                               + (f"; the wallet counted {_count(r.output_tokens)} out" if metered else ""))
        quoted = amount_short_price(r.quote.price_base_units)
        charged = "not settled yet" if r.paid_base_units is None else amount_short(r.paid_base_units)
        most = f" · at most {amount_short_price(r.max_base_units)} authorized" \
            if metered and r.max_base_units != r.quote.price_base_units else ""
        kind = "metered: " if metered else ""
        self.costs.setText(f"{kind}quoted {quoted}{most} · charged {charged}")
        self.costs.setToolTip(f"Quoted {amount_full(r.quote.price_base_units)}"
                              + (f"; authorized at most {amount_full(r.max_base_units)}" if metered else "")
                              + ("" if r.paid_base_units is None else f"; charged {amount_full(r.paid_base_units)}")
                              + f" (payment {r.intent_id})")
        self.tx.set_hash(r.tx_hash or "", self.explorer)
        self.receipt.show()
        disputed = r.status == "disputed"
        self._show_dispute(" ".join(r.notes) if disputed else "")
        self.say("" if disputed else "\n".join(r.notes))

    def show_failure(self, message: str) -> None:
        """The payment went wrong after the confirmation: where it stopped, and the core's words."""
        self.steps.set_stage(max(self.steps.current, 0), failed=True)
        self.say(message)

    def say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self._colour()

    def _show_dispute(self, text: str) -> None:
        """The wallet's words on a charge it disputes (they name what did not hold); empty: no dispute."""
        self.dispute.setText(text or "")
        self.disputed.setVisible(bool(text))
        self.dispute_label.setVisible(bool(text))
        self._colour()

    def _evidence(self) -> None:
        if self.payment_id is not None:
            self.show_evidence.emit(self.payment_id)

    def _colour(self) -> None:
        restyle(self.problem, f"color: {colour('danger')};")
        restyle(self.dispute, f"color: {colour('danger')}; font-weight: 600;")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in THEME_EVENTS:
            self._colour()

    # --- copy, save ---
    def copy_answer(self) -> None:
        if self.text:
            copy_to_clipboard(self.text)

    def save_answer(self) -> None:
        if not self.text:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save the answer", "answer.txt", "Text files (*.txt *.md)")
        if path:
            self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Written whole or not at all (a temporary file renamed into place)."""
        out = QSaveFile(path)
        ok = out.open(QSaveFile.OpenModeFlag.WriteOnly) and out.write(self.text.encode("utf-8")) >= 0
        ok = ok and out.commit()
        if not ok:
            out.cancelWriting()
            self.say(f"The answer could not be saved to {path}: {out.errorString()}")
        return bool(ok)


def _count(n: object) -> str:
    return whole_number(n) if isinstance(n, int) and not isinstance(n, bool) else "?"
