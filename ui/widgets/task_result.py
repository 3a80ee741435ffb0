"""A paid task's progress, its answer (read-only, copy, save) and its receipt: tokens in and out, quoted vs
charged, the transaction.

Steps follow the core's payment progress: asking the provider (done before the confirmation), signing,
waiting for the answer, checking the payment on chain, settled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSaveFile, Qt
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
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskResult")
        self.text = ""
        self.explorer: str | None = None
        heading = QLabel("Answer")
        heading.setStyleSheet("font-weight: 600;")
        self.provider = plain_label()
        self.provider.setProperty("role", "subtitle")
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
        for r, (text, w) in enumerate((("Tokens", self.tokens), ("Cost", self.costs), ("Transaction", self.tx))):
            label = QLabel(text)
            label.setProperty("role", "subtitle")
            receipt.addWidget(label, r, 0)
            receipt.addWidget(w, r, 1)
        receipt.setColumnStretch(1, 1)

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
        usage = r.usage or {}
        into, out = usage.get("prompt_tokens"), usage.get("completion_tokens")
        self.tokens.setText(f"{_count(into)} in · {_count(out)} out")
        self.tokens.setToolTip(f"Your count: {whole_number(r.quote.input_tokens)} in, at most "
                               f"{whole_number(r.quote.max_output_tokens)} out")
        quoted = amount_short_price(r.quote.price_base_units)
        charged = "not settled yet" if r.paid_base_units is None else amount_short(r.paid_base_units)
        self.costs.setText(f"quoted {quoted} · charged {charged}")
        self.costs.setToolTip(f"Quoted {amount_full(r.quote.price_base_units)}"
                              + ("" if r.paid_base_units is None else f"; charged {amount_full(r.paid_base_units)}")
                              + f" (payment {r.intent_id})")
        self.tx.set_hash(r.tx_hash or "", self.explorer)
        self.receipt.show()
        self._say("\n".join(r.notes))

    def show_failure(self, message: str) -> None:
        """The payment went wrong after the confirmation: where it stopped, and the core's words."""
        self.steps.set_stage(max(self.steps.current, 0), failed=True)
        self._say(message)

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self._colour()

    def _colour(self) -> None:
        restyle(self.problem, f"color: {colour('danger')};")

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
            self._say(f"The answer could not be saved to {path}: {out.errorString()}")
        return bool(ok)


def _count(n: object) -> str:
    return whole_number(n) if isinstance(n, int) and not isinstance(n, bool) else "?"
