"""The lock screen: covers the whole window; only the account address, a password field and Unlock."""

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
        layout.addWidget(subtitle("Enter your wallet password to unlock."))
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
        self.forgot.setToolTip("Importing your recovery phrase again sets a new password.")
        self.forgot.hide()
        layout.addWidget(self.forgot)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(3)

    def on_shown(self) -> None:
        self.password.clear()
        show_error_text(self.error, "")
        self.unlock_button.setEnabled(True)
        self.password.setFocus()
        op(self.service.current_account, parent=self).success(lambda a: self.address.setText(a or "")).run()

    def unlock(self) -> None:
        password = self.password.text()
        if not password:
            show_error_text(self.error, "Enter your password.")
            return
        self.unlock_button.setEnabled(False)
        self.unlock_button.setText("Unlocking…")
        show_error_text(self.error, "")

        def failed(exc: BaseException) -> None:
            from ui.errors import user_message

            show_error_text(self.error, user_message(exc))
            self.password.selectAll()
            self.password.setFocus()

        def done() -> None:
            self.unlock_button.setEnabled(True)
            self.unlock_button.setText("Unlock")

        change_op(lambda: self.service.unlock(password), parent=self).success(
            lambda _: self.password.clear()).failure(failed).finally_(done).run()
