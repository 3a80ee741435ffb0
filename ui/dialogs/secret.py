"""Dialogs that show or take a secret (a password, a recovery phrase): they forget it whenever they close,
and locking the wallet closes them at once, even mid-operation.

A dialog is a window of its own, above the lock screen; so locking closes it, and a result still on its way
from the worker (a decrypted phrase, a keystore) is dropped instead of being shown or saved after the lock.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialog


class SecretDialog(QDialog):
    closed_by_lock = False

    def wipe(self) -> None:
        """Clear every field and view holding a secret."""
        raise NotImplementedError

    def done(self, result: int) -> None:
        self.wipe()  # accept and reject both end here
        super().done(result)

    def close_for_lock(self) -> None:
        """Close now, whether or not an operation is running; its result is dropped (``closed_by_lock``)."""
        self.closed_by_lock = True
        self.done(QDialog.DialogCode.Rejected)


def close_all_dialogs() -> None:
    """On lock: reject every open dialog of the app, secret ones first wiped, so nothing stays readable over
    or behind the lock screen."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            if isinstance(widget, SecretDialog):
                widget.close_for_lock()
            else:
                widget.reject()
