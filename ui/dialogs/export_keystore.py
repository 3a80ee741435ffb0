"""Exporting one account as a v3 keystore file (MetaMask, Geth): account, password, then where to save it.

The keystore is made first (checking the password) and only then is the user asked where to save it, so a
typo in the password never costs a trip through the file dialog. The file is written only readable by its
owner. Cancel is the default button and Enter does not export.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QWidget,
)

from ui.dialogs.layout import add_buttons, dialog_layout
from ui.dialogs.password import EnterDoesNotConfirm
from ui.dialogs.secret import SecretDialog
from ui.errors import user_message
from ui.formatting import short_address
from ui.ops import change_op
from ui.widgets.common import error_label, primary_button, show_error_text, subtitle
from ui.widgets.password import NewPasswordFields, password_field
from wallet.service import WalletService

if TYPE_CHECKING:
    from wallet.accounts import AccountInfo


class ExportKeystoreDialog(SecretDialog):
    """After Accepted, ``saved_path`` is where the file went."""

    def __init__(self, service: WalletService, accounts: Sequence[AccountInfo], current: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.saved_path: Path | None = None
        self.busy = False
        self.setWindowTitle("Export keystore file")
        self.setMinimumWidth(500)
        layout = dialog_layout(self, "Export a keystore file")
        layout.addWidget(subtitle(
            "A keystore file holds one account's private key, encrypted with a password; MetaMask and Geth "
            "can import it. Anyone who has the file and its password controls that account's funds."))
        layout.addSpacing(4)
        layout.addWidget(QLabel("Account"))
        self.account = QComboBox()
        for a in accounts:
            self.account.addItem(f"{a.label or 'Account'} · {short_address(a.address)}", a.address)
            self.account.setItemData(self.account.count() - 1, a.address, Qt.ItemDataRole.ToolTipRole)
        self.account.setCurrentIndex(max(self.account.findData(current), 0))
        layout.addWidget(self.account)
        layout.addSpacing(4)
        layout.addWidget(QLabel("Wallet password"))
        self.password = password_field("Wallet password")
        self.password.setAccessibleName("Wallet password")
        layout.addWidget(self.password)
        self.separate = QCheckBox("Protect the file with a different password")
        layout.addWidget(self.separate)
        self.file_password = NewPasswordFields("File password")
        self.file_password.hide()
        layout.addWidget(self.file_password)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)
        self.ok_button = primary_button("Export…")
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        add_buttons(layout, buttons)
        self._enter_filter = EnterDoesNotConfirm(self)
        for field in (self.password, self.file_password.password, self.file_password.repeat):
            field.installEventFilter(self._enter_filter)
        self.separate.toggled.connect(self._toggle_separate)
        self.password.textChanged.connect(self._update)
        self.file_password.changed.connect(self._update)
        self._update()

    def address(self) -> str:
        return str(self.account.currentData() or "")

    def ready(self) -> bool:
        if not self.password.text() or not self.address():
            return False
        return not self.separate.isChecked() or self.file_password.acceptable()

    def _toggle_separate(self, on: bool) -> None:
        self.file_password.setVisible(on)
        self.adjustSize()
        self._update()

    def _update(self) -> None:
        if not self.busy:
            show_error_text(self.error, "")
            self.ok_button.setEnabled(self.ready())

    def choose_path(self, suggested: str) -> Path | None:
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _ = QFileDialog.getSaveFileName(
            self, "Save keystore file", str(Path(start or Path.home()) / suggested),
            "Keystore files (*.json);;All files (*)")
        return Path(path) if path else None

    def submit(self) -> None:
        if self.busy or not self.ready():
            return
        address, password = self.address(), self.password.text()
        file_password = self.file_password.text() if self.separate.isChecked() else None
        self._set_busy(True, "Encrypting…")
        change_op(lambda: self.service.export_keystore(address, password, file_password), parent=self).success(
            lambda text: self._save(address, text)).failure(self._failed).run()

    def _save(self, address: str, text: str) -> None:
        if self.closed_by_lock:  # the wallet locked while encrypting: nothing is saved
            return
        self.password.clear()
        path = self.choose_path(f"keystore-{address}.json")
        if self.closed_by_lock:
            return
        if path is None:
            self._set_busy(False)
            show_error_text(self.error, "Not saved: no file was chosen. Enter the password again to export.")
            return
        self._set_busy(True, "Saving…")

        def saved(_: object) -> None:
            self.saved_path = path
            self._set_busy(False)
            self.accept()

        change_op(lambda: self.service.save_keystore(path, text), parent=self).success(saved).failure(
            self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        show_error_text(self.error, user_message(exc))  # a file that cannot be written says so (the service)
        self.password.setFocus()

    def _set_busy(self, on: bool, text: str = "") -> None:
        self.busy = on
        for w in (self.account, self.password, self.separate):
            w.setEnabled(not on)
        self.file_password.set_enabled(not on)
        self.ok_button.setText(text if on else "Export…")
        self.ok_button.setEnabled(not on and self.ready())

    def wipe(self) -> None:
        self.password.clear()
        self.file_password.clear()

    def reject(self) -> None:
        if not self.busy:
            super().reject()
