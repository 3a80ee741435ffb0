"""A forgotten password: this wallet's recovery phrase sets a new one, from the lock screen.

The phrase is checked against the wallet's first account, so another wallet's phrase changes nothing. The
keys of imported accounts were sealed under the forgotten password: the dialog says so before anything
happens, and afterwards they wait to be imported again (their addresses and labels stay).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPlainTextEdit, QWidget

from ui.dialogs.layout import add_buttons, dialog_layout, grow_to_fit
from ui.dialogs.secret import SecretDialog
from ui.errors import user_message
from ui.ops import change_op
from ui.widgets.common import error_label, primary_button, show_error_text, subtitle
from ui.widgets.password import NewPasswordFields
from wallet.service import WalletService

OK_TEXT = "Set password and unlock"


def imported_note(count: int) -> str:
    if not count:
        return ""
    which = "account was" if count == 1 else f"{count} accounts were"
    return (f"The imported {which} protected by the forgotten password, so the phrase cannot restore "
            f"{'its key' if count == 1 else 'their keys'}: afterwards, import each again from its private key "
            "or keystore file. Addresses and names stay.")


class RestoreDialog(SecretDialog):
    def __init__(self, service: WalletService, imported: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.busy = False
        self.setWindowTitle("Forgotten password")
        self.setMinimumWidth(500)
        layout = dialog_layout(self, "Set a new password with your recovery phrase")
        layout.addWidget(subtitle(
            "Type this wallet's recovery phrase — the words you wrote down when you created it — and choose a "
            "new password. Your accounts and their funds stay the same."))
        self.note = subtitle(imported_note(imported))
        self.note.setVisible(imported > 0)
        layout.addWidget(self.note)
        layout.addSpacing(4)
        layout.addWidget(QLabel("Recovery phrase"))
        self.phrase = QPlainTextEdit()
        self.phrase.setPlaceholderText("The 12 or 24 words, separated by spaces")
        self.phrase.setAccessibleName("Recovery phrase")
        self.phrase.setTabChangesFocus(True)
        self.phrase.setFixedHeight(72)
        layout.addWidget(self.phrase)
        layout.addSpacing(6)
        self.new = NewPasswordFields("New password")
        layout.addWidget(self.new)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAutoDefault(False)
        self.ok_button = primary_button(OK_TEXT)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        add_buttons(layout, buttons)
        self.phrase.textChanged.connect(self._update)
        self.new.changed.connect(self._update)
        self.new.submitted.connect(self.submit)  # nothing is revealed: Enter in the last field may go ahead
        self._update()
        self.phrase.setFocus()

    def ready(self) -> bool:
        return bool(self.phrase.toPlainText().split()) and self.new.acceptable()

    def _update(self) -> None:
        show_error_text(self.error, "")
        self.ok_button.setEnabled(self.ready() and not self.busy)

    def submit(self) -> None:
        if self.busy or not self.ready():
            return
        phrase, password = self.phrase.toPlainText(), self.new.text()
        self._set_busy(True)
        change_op(lambda: self.service.reset_password(phrase, password), parent=self).success(
            lambda _: self.accept()).failure(self._failed).finally_(lambda: self._set_busy(False)).run()

    def _failed(self, exc: BaseException) -> None:
        show_error_text(self.error, user_message(exc))
        grow_to_fit(self)
        self.phrase.setFocus()

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        self.phrase.setEnabled(not on)
        self.new.set_enabled(not on)
        self.ok_button.setText("Encrypting…" if on else OK_TEXT)
        self.ok_button.setEnabled(not on and self.ready())

    def wipe(self) -> None:
        self.phrase.clear()
        self.new.clear()

    def reject(self) -> None:
        if not self.busy:
            super().reject()
