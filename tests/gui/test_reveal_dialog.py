"""Show recovery phrase: Enter in the password field goes ahead, and "Wrong password." grows the dialog instead
of clipping its text and buttons."""

from __future__ import annotations

import pytest
from fit import clipped
from guikit import PASSWORD, TEST_PHRASE
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.dialogs.mnemonic import MnemonicDialog
from ui.dialogs.password import PasswordDialog
from ui.pages.settings import SettingsPage

pytestmark = pytest.mark.gui


def test_enter_reveals_and_a_wrong_password_fits(settings_page: SettingsPage, qtbot: QtBot) -> None:
    page = settings_page
    qtbot.mouseClick(page.reveal_button, Qt.MouseButton.LeftButton)
    ask = page.dialog
    assert isinstance(ask, PasswordDialog)
    qtbot.waitExposed(ask)
    assert clipped(ask) == []

    qtbot.keyClicks(ask.password, "not the password")
    qtbot.keyClick(ask.password, Qt.Key.Key_Return)
    assert ask.isVisible(), "Enter in the field is not the default button (Cancel)"
    qtbot.waitUntil(lambda: ask.error.isVisible(), timeout=15_000)
    assert ask.error.text().startswith("Wrong password.")
    assert clipped(ask) == []

    ask.password.setText(PASSWORD)
    qtbot.keyClick(ask.password, Qt.Key.Key_Enter)  # the keypad's Enter too
    qtbot.waitUntil(lambda: isinstance(page.dialog, MnemonicDialog), timeout=15_000)
    shown = page.dialog
    assert isinstance(shown, MnemonicDialog) and shown.grid.words() == TEST_PHRASE.split()
    shown.reject()
