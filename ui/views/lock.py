"""The lock screen: covers the whole window; only the account address, a password field and Unlock, and the
way back in for a forgotten password (the recovery phrase sets a new one).

It is the app's first screen and shows before the key library is loaded: an Unlock pressed early waits for
it and says so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.ops import change_op, op
from ui.widgets.common import error_label, primary_button, show_error_text, subtitle, title


class LockView(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.service = controller.service
        self.dialog: QWidget | None = None
        self._imported = 0
        controller.signals.lock_changed.connect(self._on_lock_changed)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        box = QWidget()
        box.setMaximumWidth(420)
        layout = QVBoxLayout(box)
        layout.setSpacing(10)
        layout.addWidget(title("Wallet locked"), 0, Qt.AlignmentFlag.AlignHCenter)
        self.address = QLabel()
        self.address.setStyleSheet("font-family: monospace;")
        self.address.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.address)
        hint = subtitle("Enter your wallet password to unlock.")
        hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)  # the text, not the label: it keeps the full width
        layout.addWidget(hint)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.returnPressed.connect(self.unlock)
        layout.addWidget(self.password)
        self.error = error_label()
        layout.addWidget(self.error)
        self.unlock_button = primary_button("Unlock")
        self.unlock_button.clicked.connect(self.unlock)
        layout.addWidget(self.unlock_button)
        self.forgot = QPushButton("Forgot your password? Restore from your recovery phrase…")
        self.forgot.setFlat(True)
        self.forgot.setToolTip("Typing your recovery phrase again sets a new password.")
        self.forgot.clicked.connect(self.restore)
        self.forgot.hide()  # only for a wallet that has a recovery phrase
        layout.addWidget(self.forgot)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(3)

    def _on_lock_changed(self, locked: bool) -> None:
        # Forgotten the moment the wallet is open, before the unlock's own result arrives; a bound method, so
        # the connection goes with this view.
        if not locked:
            self.password.clear()

    def on_shown(self) -> None:
        self.password.clear()
        show_error_text(self.error, "")
        self.unlock_button.setEnabled(True)
        self.password.setFocus()
        op(self._read_wallet, parent=self).success(self._show_wallet).run()

    def _read_wallet(self) -> tuple[str, bool, int]:
        """(address shown, has a recovery phrase, imported accounts): from accounts.json, no key library."""
        accounts = self.service.accounts()
        imported = sum(1 for a in accounts if a.kind == "imported")
        return self.service.current_account() or "", self.service.has_mnemonic(), imported

    def _show_wallet(self, wallet: tuple[str, bool, int]) -> None:
        address, has_phrase, self._imported = wallet
        self.address.setText(address)
        self.forgot.setVisible(has_phrase)

    def restore(self) -> None:
        from ui.dialogs.restore import RestoreDialog

        dialog = RestoreDialog(self.service, self._imported, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    def unlock(self) -> None:
        password = self.password.text()
        if not self.unlock_button.isEnabled():  # Enter again while it runs
            return
        if not password:
            show_error_text(self.error, "Enter your password.")
            return
        self.unlock_button.setEnabled(False)
        show_error_text(self.error, "")
        if self.service.keys_ready():
            self._unlock(password)
            return
        self.unlock_button.setText("Loading the key library…")  # a second at most, right after launch
        op(self.service.prepare_keys, parent=self).success(lambda _: self._unlock(password)).failure(
            self._failed).run()

    def _unlock(self, password: str) -> None:
        self.unlock_button.setText("Unlocking…")
        change_op(lambda: self.service.unlock(password), parent=self).success(
            lambda _: self.password.clear()).failure(self._failed).finally_(self._idle).run()

    def _failed(self, exc: BaseException) -> None:
        from ui.errors import user_message

        show_error_text(self.error, user_message(exc))
        self._idle()
        self.password.selectAll()
        self.password.setFocus()

    def _idle(self) -> None:
        self.unlock_button.setEnabled(True)
        self.unlock_button.setText("Unlock")
