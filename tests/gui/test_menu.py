"""The menu bar: Wallet (Lock Ctrl+L, Quit Ctrl+Q), Go (the pages, Ctrl+1…), Help. Behind the lock screen
only Quit and About work."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow
from ui.shell import Shell

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier


def menu_titles(window: MainWindow) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def test_keyboard_reaches_pages_lock_and_quit(unlocked_window: MainWindow, qtbot: QtBot) -> None:
    window = unlocked_window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    assert menu_titles(window) == ["&Wallet", "&Go", "&Help"]
    shell = window.modes.currentWidget()
    assert isinstance(shell, Shell)
    go = [a.text() for a in window.menus.go.actions()]
    assert go == [p.name for p in shell.page_list]
    assert window.menus.quit_action.shortcut() == QKeySequence("Ctrl+Q")

    assert not shell.accounts.hasFocus()  # typing must not pick an account
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    assert shell.pages.currentWidget() is shell.page_list[1]
    assert shell.page_list[1].prompt.hasFocus()  # Run a task: straight to the prompt
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    assert shell.pages.currentWidget() is shell.page_list[0]

    qtbot.keyClick(window, Qt.Key.Key_L, CTRL)
    assert window.controller.mode == "locked"
    assert not window.menus.lock_action.isEnabled() and not window.menus.go.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)  # nothing behind the lock screen is reachable
    assert window.modes.currentWidget() is window.view("locked")

    qtbot.keyClick(window, Qt.Key.Key_Q, CTRL)
    assert not window.isVisible()
