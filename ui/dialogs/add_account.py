"""Add account…: the next account derived from the recovery phrase (as MetaMask does), with a name."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QWidget

from ui.dialogs.layout import add_buttons, dialog_layout, grow_to_fit
from ui.errors import user_message
from ui.ops import change_op
from ui.widgets.common import error_label, primary_button, show_error_text, subtitle
from wallet.accounts import MAX_LABEL, AccountInfo
from wallet.service import WalletService


class AddAccountDialog(QDialog):
    """After ``exec()``/``open()`` ends Accepted, ``added`` is the new account (already selected)."""

    def __init__(self, service: WalletService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.added: AccountInfo | None = None
        self.busy = False
        self.setWindowTitle("Add account")
        self.setMinimumWidth(440)
        layout = dialog_layout(self, "Add an account")
        layout.addWidget(subtitle(
            "The next account from your recovery phrase: the same phrase restores it anywhere, MetaMask too."))
        layout.addSpacing(4)
        label = QLabel("&Name")
        self.name = QLineEdit()
        self.name.setMaxLength(MAX_LABEL)
        self.name.setPlaceholderText("Optional, e.g. Savings or Work")
        self.name.setAccessibleName("Account name")
        label.setBuddy(self.name)
        layout.addWidget(label)
        layout.addWidget(self.name)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = primary_button("Add account")
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)  # nothing is revealed or spent: Enter may add it
        self.ok_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        add_buttons(layout, buttons)
        self.name.textChanged.connect(lambda _: show_error_text(self.error, ""))
        self.name.returnPressed.connect(self.submit)
        self.name.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        label = self.name.text().strip() or None
        self._set_busy(True)
        change_op(lambda: self.service.add_account(label), parent=self).success(self._done).failure(
            self._failed).finally_(lambda: self._set_busy(False)).run()

    def _done(self, info: AccountInfo) -> None:
        self.added = info
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        show_error_text(self.error, user_message(exc))
        grow_to_fit(self)
        self.name.setFocus()

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        self.name.setEnabled(not on)
        self.ok_button.setEnabled(not on)
        self.ok_button.setText("Adding…" if on else "Add account")

    def reject(self) -> None:
        if not self.busy:
            super().reject()
