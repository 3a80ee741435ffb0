"""Onboarding and the lock screen through the real widgets, a real WalletService and the encrypted file
keyring (see conftest.py). No chain is needed: creating and importing keys works offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from guikit import keep_window
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shots import WINDOW_SIZE, save_shot, shots_enabled

from ui.controller import AppController
from ui.main_window import MainWindow
from ui.ops import wait_for_all
from ui.views.onboarding import OnboardingView
from wallet.config import DataDir
from wallet.service import WalletService

pytestmark = pytest.mark.gui
PASSWORD = "correct horse battery"
TEST_PHRASE = "test test test test test test test test test test test junk"  # public (anvil's, Hardhat's)
TEST_ADDR0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
LEFT = Qt.MouseButton.LeftButton
ESC = Qt.Key.Key_Escape
ENTER = Qt.Key.Key_Return


@pytest.fixture
def window(tmp_path: Path, qtbot: QtBot) -> Iterator[MainWindow]:
    service = WalletService(DataDir(tmp_path / "wd").ensure())
    controller = AppController(service)
    win = MainWindow(controller)
    keep_window(qtbot, win, controller)
    win.resize(*WINDOW_SIZE)
    win.show()
    yield win
    wait_for_all()
    controller.shutdown()


def onboarding(window: MainWindow) -> OnboardingView:
    window.controller._enter("onboarding")
    view = window.view("onboarding")
    assert isinstance(view, OnboardingView)
    assert window.modes.currentWidget() is view
    return view


def type_password(qtbot: QtBot, fields, password: str, repeat: str | None = None) -> None:  # type: ignore[no-untyped-def]
    fields.clear()
    qtbot.keyClicks(fields.password, password)
    qtbot.keyClicks(fields.repeat, password if repeat is None else repeat)


def test_create_wallet_confirms_the_phrase_then_opens_the_wallet(window: MainWindow, qtbot: QtBot) -> None:
    service = window.controller.service
    view = onboarding(window)
    assert view.current() is view.welcome
    save_shot(window, "onboarding-welcome")
    qtbot.mouseClick(view.welcome.create_button, LEFT)
    step = view.password_step
    assert view.current() is step
    assert not step.action_button.isEnabled()

    type_password(qtbot, step.fields, "password123")
    assert step.fields.strength().level == "weak"
    assert "Weak" in step.fields.meter.text.text()
    assert not step.action_button.isEnabled()
    type_password(qtbot, step.fields, PASSWORD, repeat=PASSWORD + "x")
    assert step.fields.strength().level == "strong"
    assert step.fields.match.isVisible()
    assert not step.action_button.isEnabled()
    type_password(qtbot, step.fields, PASSWORD)
    assert not step.fields.match.isVisible()
    assert step.action_button.isEnabled()
    save_shot(window, "onboarding-create-password")

    qtbot.mouseClick(step.action_button, LEFT)
    qtbot.waitUntil(lambda: view.current() is view.phrase_step, timeout=10_000)
    words = view.phrase_step.grid.words()
    assert len(words) == 12 and all(w.isalpha() for w in words)
    assert len(set(words)) > 1
    assert not view.phrase_step.action_button.isEnabled()  # until "I have written them down" is ticked
    if shots_enabled():  # publish the well-known test phrase, never a fresh one
        view.phrase_step.show_phrase(TEST_PHRASE.split())
        save_shot(window, "onboarding-phrase")
        view.phrase_step.show_phrase(words)
    view.phrase_step.written.setChecked(True)
    qtbot.mouseClick(view.phrase_step.action_button, LEFT)

    confirm = view.confirm_step
    assert view.current() is confirm
    assert len(set(confirm.positions)) == 3
    assert [label.text() for label in confirm.labels] == [f"Word #{p + 1}" for p in confirm.positions]
    for field, pos in zip(confirm.inputs, confirm.positions, strict=True):
        qtbot.keyClicks(field, "zoo" if words[pos] != "zoo" else "abandon")
    qtbot.mouseClick(confirm.action_button, LEFT)
    assert confirm.error.isVisible()
    assert "do not match" in confirm.error.text()
    save_shot(window, "onboarding-confirm")
    assert not service.has_wallet()  # nothing is stored before the backup is proven

    # Each word typed again leaves the message; the last one clears it.
    for i, (field, pos) in enumerate(zip(confirm.inputs, confirm.positions, strict=True)):
        field.clear()
        qtbot.keyClicks(field, words[pos].upper())  # case does not matter when copying from paper
        left = [f"#{p + 1}" for p in confirm.positions[i + 1:]]
        if left:
            assert re.findall(r"#\d+", confirm.error.text()) == left
        else:
            assert not confirm.error.isVisible() and confirm.error.text() == ""
    qtbot.mouseClick(confirm.action_button, LEFT)
    qtbot.waitUntil(lambda: window.controller.mode == "main", timeout=20_000)
    assert service.has_wallet()
    assert not service.is_locked()
    assert len(service.accounts()) == 1
    assert service.reveal_mnemonic(PASSWORD) == " ".join(words)  # the phrase shown is the one stored
    assert view.phrase_step.grid.words() == []  # and the view forgot it


def test_back_keeps_the_phrase_and_escape_goes_back(window: MainWindow, qtbot: QtBot) -> None:
    view = onboarding(window)
    qtbot.mouseClick(view.welcome.create_button, LEFT)
    type_password(qtbot, view.password_step.fields, PASSWORD)
    qtbot.keyClick(view.password_step.fields.repeat, ENTER)  # Enter continues from a complete password step
    qtbot.waitUntil(lambda: view.current() is view.phrase_step, timeout=10_000)
    first = view.phrase_step.grid.words()
    qtbot.keyClick(view.phrase_step, ESC)  # Esc
    assert view.current() is view.password_step
    qtbot.mouseClick(view.password_step.action_button, LEFT)
    qtbot.waitUntil(lambda: view.current() is view.phrase_step, timeout=10_000)
    assert view.phrase_step.grid.words() == first
    qtbot.keyClick(view.phrase_step.written, ESC)
    assert view.current() is view.password_step
    qtbot.keyClick(view.password_step.fields.password, ESC)
    assert view.current() is view.welcome
    assert view.password_step.fields.text() == ""  # back at Welcome, typed secrets are gone


def test_import_recovery_phrase(window: MainWindow, qtbot: QtBot) -> None:
    service = window.controller.service
    view = onboarding(window)
    qtbot.mouseClick(view.welcome.import_button, LEFT)
    page = view.import_step
    assert view.current() is page
    qtbot.keyClicks(page.phrase, "test test test")
    assert "3 words" in page.phrase_feedback.text()
    page.phrase.setPlainText(TEST_PHRASE)
    qtbot.waitUntil(lambda: "looks valid" in page.phrase_feedback.text(), timeout=10_000)
    assert not page.action_button.isEnabled()  # no password yet
    type_password(qtbot, page.fields, PASSWORD)
    assert page.action_button.isEnabled()
    save_shot(window, "onboarding-import")
    qtbot.mouseClick(page.action_button, LEFT)
    qtbot.waitUntil(lambda: window.controller.mode == "main", timeout=20_000)
    assert service.current_account() == TEST_ADDR0
    assert not service.is_locked()
    assert page.phrase.toPlainText() == ""


def test_import_with_a_wrong_checksum_says_so_and_creates_nothing(window: MainWindow, qtbot: QtBot) -> None:
    service = window.controller.service
    view = onboarding(window)
    qtbot.mouseClick(view.welcome.import_button, LEFT)
    page = view.import_step
    page.phrase.setPlainText("test " * 11 + "test")  # every word is real; the checksum is not
    qtbot.waitUntil(lambda: "checksum" in page.phrase_feedback.text(), timeout=10_000)
    type_password(qtbot, page.fields, PASSWORD)
    assert not page.action_button.isEnabled()
    page.submit()  # the service refuses it too, in the same words
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=10_000)
    assert page.error.text() == (
        "The recovery phrase's checksum does not match: a word is wrong or the words are out of order.")
    assert window.controller.mode == "onboarding"
    assert not service.has_wallet()
    assert not service.data_dir.accounts_file.exists()


def test_import_private_key(window: MainWindow, qtbot: QtBot) -> None:
    service = window.controller.service
    view = onboarding(window)
    qtbot.mouseClick(view.welcome.import_button, LEFT)
    page = view.import_step
    page.tabs.setCurrentIndex(1)
    qtbot.keyClicks(page.key, "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff8")
    assert "63" in page.key_feedback.text()
    qtbot.keyClicks(page.key, "0")
    type_password(qtbot, page.fields, PASSWORD)
    assert page.action_button.isEnabled()
    qtbot.mouseClick(page.action_button, LEFT)
    qtbot.waitUntil(lambda: window.controller.mode == "main", timeout=20_000)
    assert service.current_account() == TEST_ADDR0
    assert not service.has_mnemonic()


def test_wrong_password_on_the_lock_screen(window: MainWindow, qtbot: QtBot) -> None:
    controller = window.controller
    service = controller.service
    service.import_mnemonic(TEST_PHRASE, PASSWORD)
    service.lock()
    controller._enter("locked")
    lock = window.view("locked")
    assert window.modes.currentWidget() is lock
    qtbot.keyClicks(lock.password, "not the password")  # type: ignore[attr-defined]
    qtbot.mouseClick(lock.unlock_button, LEFT)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "Wrong password" in lock.error.text(), timeout=15_000)  # type: ignore[attr-defined]
    assert controller.mode == "locked"
    assert service.is_locked()
    save_shot(window, "lock-wrong-password")
    lock.password.setText(PASSWORD)  # type: ignore[attr-defined]
    qtbot.mouseClick(lock.unlock_button, LEFT)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: controller.mode == "main", timeout=15_000)
    assert not service.is_locked()


def test_import_keystore_file(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    # A keystore exported by a throwaway wallet of its own, as a user would bring from MetaMask or Geth.
    other = WalletService(DataDir(tmp_path / "other").ensure())
    other.import_mnemonic(TEST_PHRASE, PASSWORD)
    path = tmp_path / "account.json"
    path.write_text(other.export_keystore(TEST_ADDR0, PASSWORD, "file password 1"))
    other.close()

    service = window.controller.service
    view = onboarding(window)
    qtbot.mouseClick(view.welcome.import_button, LEFT)
    page = view.import_step
    page.load_keystore(path)  # what dropping the file or choosing it does
    qtbot.waitUntil(lambda: TEST_ADDR0 in page.file_label.text(), timeout=10_000)
    assert page.kind() == "keystore"
    qtbot.keyClicks(page.keystore_password, "not the file password")
    type_password(qtbot, page.fields, PASSWORD)
    save_shot(window, "onboarding-import-keystore")
    qtbot.mouseClick(page.action_button, LEFT)
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=20_000)
    assert "password" in page.error.text().lower()
    assert not service.has_wallet()

    page.keystore_password.setText("file password 1")
    qtbot.mouseClick(page.action_button, LEFT)
    qtbot.waitUntil(lambda: window.controller.mode == "main", timeout=20_000)
    assert service.current_account() == TEST_ADDR0
