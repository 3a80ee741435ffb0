"""Changing the wallet password: the current one, then the new one twice with its strength.

Every secret is re-encrypted under the new password in the background (a second or two of scrypt each);
the dialog stays open and busy until that is done, and a wrong current password is said in place.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from ui.dialogs.layout import add_buttons, dialog_layout
from ui.dialogs.secret import SecretDialog
from ui.errors import user_message
from ui.ops import change_op
from ui.widgets.common import error_label, primary_button, show_error_text, subtitle
from ui.widgets.password import NewPasswordFields, password_field
from wallet.service import WalletService


class ChangePasswordDialog(SecretDialog):
    def __init__(self, service: WalletService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.busy = False
        self.setWindowTitle("Change password")
        self.setMinimumWidth(460)
        layout = dialog_layout(self, "Change the wallet password")
        layout.addWidget(subtitle(
            "The password unlocks this wallet on this computer. Your recovery phrase stays the same."))
        layout.addSpacing(4)
        layout.addWidget(QLabel("Current password"))
        self.current = password_field("Current password")
        self.current.setAccessibleName("Current password")
        layout.addWidget(self.current)
        layout.addSpacing(6)
        self.new = NewPasswordFields("New password")
        layout.addWidget(self.new)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAutoDefault(False)
        self.ok_button = primary_button("Change password")
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        add_buttons(layout, buttons)
        self.current.textChanged.connect(self._update)
        self.current.returnPressed.connect(self.new.password.setFocus)
        self.new.changed.connect(self._update)
        # Changing the password reveals nothing, so Enter in the last field may confirm it.
        self.new.submitted.connect(self.submit)
        self._update()

    def ready(self) -> bool:
        return bool(self.current.text()) and self.new.acceptable()

    def _update(self) -> None:
        show_error_text(self.error, "")
        self.ok_button.setEnabled(self.ready() and not self.busy)

    def submit(self) -> None:
        if self.busy or not self.ready():
            return
        old, new = self.current.text(), self.new.text()
        self._set_busy(True)
        change_op(lambda: self.service.change_password(old, new), parent=self).success(
            lambda _: self._done()).failure(self._failed).finally_(lambda: self._set_busy(False)).run()

    def _done(self) -> None:
        self.accept()  # also after a lock closed the dialog: the password did change, and the page says so

    def _failed(self, exc: BaseException) -> None:
        show_error_text(self.error, user_message(exc))
        self.current.selectAll()
        self.current.setFocus()

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        self.current.setEnabled(not on)
        self.new.set_enabled(not on)
        self.ok_button.setText("Re-encrypting…" if on else "Change password")
        self.ok_button.setEnabled(not on and self.ready())

    def wipe(self) -> None:
        self.current.clear()
        self.new.clear()

    def reject(self) -> None:
        if not self.busy:
            super().reject()
