"""The confirmation of a transaction the wallet is about to sign (a send, a top-up, a speed-up, a cancellation):
every figure of the plan the core prepared, addresses whole, and its warnings. Cancel is the default button
(Enter and Esc cancel). A warning must be acknowledged — a tick that says what it accepts — before the sign
button is enabled."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from ui.dialogs.layout import add_buttons, dialog_layout, grow_to_fit
from ui.theme import colour
from ui.widgets.common import AddressLabel, plain_label, primary_button, subtitle

Row = tuple[str, str]  # (label, value); a value starting with 0x and 42 long is shown as a whole address


class ConfirmTransactionDialog(QDialog):
    def __init__(self, heading: str, rows: Sequence[Row], confirm_text: str, *, warnings: Sequence[str] = (),
                 note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confirm")
        self.setMinimumWidth(560)
        layout = dialog_layout(self, heading)
        if note:
            layout.addWidget(subtitle(note))
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(6)
        self.values: dict[str, str] = {}
        for label, value in rows:
            self.values[label] = value
            if value.startswith("0x") and len(value) == 42:
                form.addRow(label, AddressLabel(value, full=True))
            else:
                text = plain_label(value)
                text.setWordWrap(True)
                text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                form.addRow(label, text)
        layout.addLayout(form)
        self.warning_labels: list[QLabel] = []
        for w in warnings:
            label = plain_label(f"⚠ {w}")
            label.setWordWrap(True)
            label.setStyleSheet(f"color: {colour('danger')};")
            self.warning_labels.append(label)
            layout.addWidget(label)
        which = "warning" if len(warnings) == 1 else "warnings"
        self.acknowledge = QCheckBox(f"I have checked the {which} above and want to go ahead")
        self.acknowledge.setVisible(bool(warnings))
        layout.addWidget(self.acknowledge)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = primary_button(confirm_text)
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._confirm)
        buttons.rejected.connect(self.reject)
        self.cancel_button.setDefault(True)
        self.confirm_button.setDefault(False)
        self.confirm_button.setEnabled(not warnings)
        self.acknowledge.toggled.connect(self.confirm_button.setEnabled)
        add_buttons(layout, buttons)
        self.cancel_button.setFocus()
        grow_to_fit(self)

    @property
    def warnings_accepted(self) -> bool:
        return bool(self.warning_labels) and self.acknowledge.isChecked()

    def _confirm(self) -> None:
        if self.confirm_button.isEnabled():
            self.accept()
