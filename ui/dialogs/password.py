"""Asking the wallet password for one action (reveal the recovery phrase, export a keystore).

The action runs in the background with the password; a wrong password keeps the dialog open with the
reason, so a typo costs a retry, not a restart of the whole flow. These dialogs lead to a secret leaving the
wallet, so Cancel is the default button: Enter goes ahead only from the password field, where it ends the
typing of the password the action asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialogButtonBox, QPushButton, QWidget

from ui.dialogs.layout import add_buttons, dialog_layout, grow_to_fit
from ui.dialogs.secret import SecretDialog
from ui.errors import user_message
from ui.ops import change_op
from ui.widgets.common import error_label, show_error_text, subtitle
from ui.widgets.password import password_field


class EnterDoesNotConfirm(QObject):
    """Takes Enter/Return in the fields it watches away from the dialog, so its default button (Cancel) is not
    pressed by the key that usually ends typing a password; ``then``, if given, runs instead."""

    def __init__(self, parent: QObject, then: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self._then = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        enter = event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in (
            Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self._then is not None:
            self._then()
        return enter


class PasswordDialog(SecretDialog):
    """``PasswordDialog(parent, action=lambda pw: ...)``: after ``exec()`` returns Accepted, ``result_value``
    holds what the action returned."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        action: Callable[[str], Any],
        title: str = "Enter your password",
        text: str = "Enter your wallet password to continue.",
        ok_text: str = "Continue",
        busy_text: str = "Checking…",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self._action = action
        self._ok_text = ok_text
        self._busy_text = busy_text
        self.result_value: Any = None
        self.busy = False
        layout = dialog_layout(self, title)
        layout.addWidget(subtitle(text))
        self.password = password_field("Wallet password")
        self.password.setAccessibleName("Wallet password")
        self._enter_filter = EnterDoesNotConfirm(self, then=self.submit)
        self.password.installEventFilter(self._enter_filter)
        layout.addWidget(self.password)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = QPushButton(ok_text)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        add_buttons(layout, buttons)
        self.password.textChanged.connect(lambda _: show_error_text(self.error, ""))
        self.password.setFocus()

    def submit(self) -> None:
        password = self.password.text()
        if self.busy:
            return
        if not password:
            show_error_text(self.error, "Enter your password.")
            return
        self._set_busy(True)
        action = self._action
        change_op(lambda: action(password), parent=self).success(self._done).failure(self._failed).finally_(
            lambda: self._set_busy(False)).run()

    def _done(self, result: Any) -> None:
        if self.closed_by_lock:  # the wallet locked meanwhile: what the action returned is not shown
            return
        self.result_value = result
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        show_error_text(self.error, user_message(exc))
        grow_to_fit(self)
        self.password.selectAll()
        self.password.setFocus()

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        self.password.setEnabled(not on)
        self.ok_button.setEnabled(not on)
        self.ok_button.setText(self._busy_text if on else self._ok_text)

    def wipe(self) -> None:
        self.password.clear()

    def reject(self) -> None:
        if not self.busy:  # the operation will finish either way; closing now would hide its outcome
            super().reject()

