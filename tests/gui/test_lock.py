"""Locking: it happens at once, even behind a slow operation, and leaves nothing readable over or behind the
lock screen (dialogs close and forget their secrets; results still on their way are dropped). Dialogs that
take a password forget it whenever they close."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from ui import ops
from ui.dialogs.change_password import ChangePasswordDialog
from ui.dialogs.export_keystore import ExportKeystoreDialog
from ui.dialogs.mnemonic import MnemonicDialog
from ui.dialogs.network import NetworkDialog
from ui.dialogs.password import PasswordDialog
from ui.main_window import MainWindow
from ui.ops import change_op
from ui.pages.settings import SettingsPage
from ui.views.lock import LockView

pytestmark = pytest.mark.gui
PASSWORD = "correct horse battery"
FILE_PASSWORD = "File Pass 12345!"
TEST_PHRASE = "test test test test test test test test test test test junk"  # public (anvil's, Hardhat's)
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(unlocked_window: MainWindow) -> MainWindow:
    return unlocked_window


@pytest.fixture
def page(settings_page: SettingsPage) -> SettingsPage:
    return settings_page


def open_dialogs() -> list[QDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def reveal(page: SettingsPage, qtbot: QtBot) -> PasswordDialog:
    qtbot.mouseClick(page.reveal_button, LEFT)
    ask = page.dialog
    assert isinstance(ask, PasswordDialog)
    ask.password.setText(PASSWORD)
    qtbot.mouseClick(ask.ok_button, LEFT)
    return ask


def test_idle_lock_closes_the_recovery_phrase(window: MainWindow, page: SettingsPage, qtbot: QtBot) -> None:
    reveal(page, qtbot)
    qtbot.waitUntil(lambda: isinstance(page.dialog, MnemonicDialog), timeout=15_000)
    shown = page.dialog
    assert isinstance(shown, MnemonicDialog) and shown.grid.words() == TEST_PHRASE.split()
    network = NetworkDialog(page.service, None, page)  # any other dialog closes too
    network.open()

    page.service.set_idle_timeout(0.5)  # what the auto-lock setting does, in seconds
    qtbot.waitUntil(lambda: window.controller.mode == "locked", timeout=10_000)
    assert isinstance(window.modes.currentWidget(), LockView)
    assert not shown.isVisible() and not network.isVisible() and open_dialogs() == []
    assert shown.grid.words() == [] and shown.grid.word_labels == []
    assert page.dialog is None


def test_a_lock_while_decrypting_drops_the_phrase(window: MainWindow, page: SettingsPage, qtbot: QtBot) -> None:
    ask = reveal(page, qtbot)
    assert ask.busy  # scrypt takes a moment: the wallet locks meanwhile
    qtbot.mouseClick(window.view("main").lock_button, LEFT)  # type: ignore[attr-defined]
    assert not ask.isVisible() and ask.password.text() == ""
    qtbot.waitUntil(ops.idle, timeout=30_000)  # the reveal's result has reached the GUI thread
    assert ask.result_value is None
    assert open_dialogs() == [] and page.dialog is None
    assert not any(isinstance(w, MnemonicDialog) for w in page.findChildren(QDialog))


def test_a_lock_while_exporting_saves_nothing(window: MainWindow, page: SettingsPage, qtbot: QtBot,
                                              tmp_path: Path) -> None:
    qtbot.mouseClick(page.export_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, ExportKeystoreDialog)
    asked: list[str] = []
    dialog.choose_path = lambda suggested: asked.append(suggested) or tmp_path / "k.json"  # type: ignore
    dialog.password.setText(PASSWORD)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.busy
    window.controller.lock()
    assert not dialog.isVisible() and dialog.password.text() == ""
    qtbot.waitUntil(ops.idle, timeout=30_000)
    assert asked == [] and not (tmp_path / "k.json").exists() and open_dialogs() == []


def test_lock_does_not_wait_behind_a_slow_operation(window: MainWindow, qtbot: QtBot) -> None:
    service = window.controller.service
    release = threading.Event()
    change_op(lambda: release.wait(60)).run()  # like a devnet start or a keystore import on the worker
    try:
        qtbot.mouseClick(window.view("main").lock_button, LEFT)  # type: ignore[attr-defined]
        assert window.controller.mode == "locked"  # the window is covered at once
        qtbot.waitUntil(service.is_locked, timeout=10_000)  # and the keys go while the worker is still busy
        assert not release.is_set()
    finally:
        release.set()


def test_export_forgets_both_passwords(page: SettingsPage, qtbot: QtBot, tmp_path: Path) -> None:
    qtbot.mouseClick(page.export_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, ExportKeystoreDialog)
    dialog.choose_path = lambda suggested: tmp_path / "out.json"  # type: ignore[method-assign]
    dialog.password.setText(PASSWORD)
    dialog.separate.setChecked(True)
    dialog.file_password.password.setText(FILE_PASSWORD)
    dialog.file_password.repeat.setText(FILE_PASSWORD)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: dialog.saved_path is not None, timeout=60_000)
    assert (tmp_path / "out.json").exists()
    assert (dialog.password.text(), dialog.file_password.password.text(), dialog.file_password.repeat.text()) \
        == ("", "", "")
    assert page.dialog is None

    qtbot.mouseClick(page.export_button, LEFT)  # typed, then cancelled
    dialog = page.dialog
    assert isinstance(dialog, ExportKeystoreDialog)
    dialog.password.setText(PASSWORD)
    dialog.separate.setChecked(True)
    dialog.file_password.password.setText(FILE_PASSWORD)
    dialog.file_password.repeat.setText(FILE_PASSWORD)
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert not dialog.isVisible()
    assert (dialog.password.text(), dialog.file_password.password.text(), dialog.file_password.repeat.text()) \
        == ("", "", "")
    assert page.dialog is None


def test_password_dialogs_forget_what_was_typed(page: SettingsPage, qtbot: QtBot) -> None:
    ask = reveal(page, qtbot)
    qtbot.waitUntil(lambda: isinstance(page.dialog, MnemonicDialog), timeout=15_000)
    assert ask.password.text() == "" and ask.result_value is None
    page.dialog.reject()  # type: ignore[union-attr]
    qtbot.mouseClick(page.reveal_button, LEFT)
    ask = page.dialog
    assert isinstance(ask, PasswordDialog)
    ask.password.setText("not the password")
    ask.reject()
    assert ask.password.text() == "" and page.dialog is None

    qtbot.mouseClick(page.change_password_button, LEFT)
    change = page.dialog
    assert isinstance(change, ChangePasswordDialog)
    change.current.setText(PASSWORD)
    change.new.password.setText(FILE_PASSWORD)
    change.new.repeat.setText(FILE_PASSWORD)
    qtbot.mouseClick(change.cancel_button, LEFT)
    assert (change.current.text(), change.new.password.text(), change.new.repeat.text()) == ("", "", "")
    assert page.dialog is None


def test_the_lock_screen_forgets_the_password(window: MainWindow, qtbot: QtBot) -> None:
    controller = window.controller
    controller.lock()
    qtbot.waitUntil(controller.service.is_locked, timeout=2_000)
    lock = window.modes.currentWidget()
    assert isinstance(lock, LockView)
    lock.password.setText(PASSWORD)
    qtbot.mouseClick(lock.unlock_button, LEFT)
    qtbot.waitUntil(lambda: controller.mode == "main", timeout=15_000)
    assert lock.password.text() == ""


def test_the_password_is_gone_when_the_wallet_opens(window: MainWindow, qtbot: QtBot) -> None:
    controller = window.controller
    controller.lock()
    qtbot.waitUntil(controller.service.is_locked, timeout=2_000)
    lock = window.modes.currentWidget()
    assert isinstance(lock, LockView)
    seen: list[str] = []  # connected after the view, so it sees the field as the view left it
    controller.signals.lock_changed.connect(lambda locked: locked or seen.append(lock.password.text()))
    lock.password.setText(PASSWORD)
    qtbot.mouseClick(lock.unlock_button, LEFT)
    qtbot.waitUntil(lambda: seen != [], timeout=15_000)
    assert seen == [""]  # not only once the unlock's result comes back
