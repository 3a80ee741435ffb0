"""The one place errors reach the user: UserCancelled is silent, WalletError shows its message, anything
else is logged with its traceback and shown with a "Copy details" button."""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from wallet.errors import UserCancelled, WalletError

log = logging.getLogger(__name__)


def user_message(exc: BaseException) -> str:
    if isinstance(exc, WalletError):
        return exc.user_message
    return "Something unexpected went wrong. Nothing was signed or sent."


def show_error(parent: QWidget | None, exc: BaseException, title: str = "AI Token Wallet") -> None:
    if isinstance(exc, UserCancelled):
        return
    box = QMessageBox(parent or QApplication.activeWindow())
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote registry names, which are never markup
    box.setText(user_message(exc))
    if not isinstance(exc, WalletError):
        details = "".join(traceback.format_exception(exc))
        log.error("unexpected error\n%s", details)
        box.setDetailedText(details)
        copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    box.addButton(QMessageBox.StandardButton.Ok)
    box.open()
