"""The one place errors reach the user: UserCancelled is silent, WalletError shows its message, anything else
is logged with its traceback (``wallet.logs``) and shown with a "Copy details" button.

A widget that shows a failure its own way (a status line, an empty state) still hands the exception here —
``user_message`` or ``report`` — so that nothing unexpected is ever dropped unlogged.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from wallet.errors import UserCancelled, WalletError
from wallet.logs import log_failure

log = logging.getLogger(__name__)
UNEXPECTED = "Something unexpected went wrong. Nothing was signed or sent."


def report(exc: BaseException, what: str = "a background operation") -> None:
    """A failure the widget shows by its own state: quiet for a WalletError, logged with traceback otherwise."""
    log_failure(exc, what, log)


def user_message(exc: BaseException, what: str = "a background operation") -> str:
    """What to tell the user about ``exc``; an unexpected one is logged on the way."""
    if isinstance(exc, WalletError):
        return exc.user_message
    report(exc, what)
    return UNEXPECTED


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
        box.setDetailedText(details)
        copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    box.addButton(QMessageBox.StandardButton.Ok)
    box.open()
