"""A payment's record in full: its status and the wallet's words about it, and the evidence kept with it (the
provider's 402, the signed authorization, the response, the receipt, the transaction), as read-only JSON to copy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QPushButton, QWidget

from ui.dialogs.layout import add_buttons, dialog_layout
from ui.formatting import absolute_time
from ui.widgets.common import copy_to_clipboard, plain_label

MAX_SHOWN = 512 * 1024  # characters: the record keeps each field bounded already; the view stays responsive


def evidence_text(intent: Any) -> str:
    doc = {"payment": intent.id, "status": intent.status, "provider": intent.provider_name,
           "model": intent.model, "scheme": intent.scheme, "tx": intent.tx_hash, "evidence": intent.evidence}
    text = json.dumps(doc, indent=2, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "\n… (cut here; `ai-wallet payments show` has it all)"


class EvidenceDialog(QDialog):
    def __init__(self, intent: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Payment {intent.id}")
        self.resize(720, 520)
        layout = dialog_layout(self, f"Payment {intent.id} to {intent.provider_name}")
        when = plain_label(f"{intent.status} · recorded {absolute_time(intent.created_at)}")
        when.setProperty("role", "subtitle")
        layout.addWidget(when)
        if intent.reason:
            reason = plain_label(intent.reason)
            reason.setWordWrap(True)
            layout.addWidget(reason)
        self.text = evidence_text(intent)
        view = QPlainTextEdit(self.text)
        view.setReadOnly(True)
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view = view
        layout.addWidget(view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy")
        copy.clicked.connect(lambda: copy_to_clipboard(self.text))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        add_buttons(layout, buttons)


def open_evidence(service: Any, payment_id: int, parent: QWidget, shown: Callable[[QDialog], None],
                  failed: Callable[[BaseException], None]) -> None:
    """Read the payment's record off the GUI thread, then open it in a dialog of ``parent``."""
    from ui.ops import op

    def show(intent: Any) -> None:
        dialog = EvidenceDialog(intent, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        shown(dialog)
        dialog.open()

    op(lambda: service.payment(payment_id), parent=parent).success(show).failure(failed).run()
