"""The first screen a person can use — the lock screen or onboarding — comes up without the key, chain or
tokenizer libraries, which load behind it; an Unlock pressed before the key library is in waits for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fit import clipped
from guikit import PASSWORD, TEST_PHRASE, keep_window
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shots import WINDOW_SIZE, save_shot

from ui import ops
from ui.controller import AppController
from ui.dialogs.restore import RestoreDialog
from ui.main_window import MainWindow
from ui.views.lock import LockView
from wallet.config import DataDir
from wallet.service import WalletService

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]
HEAVY = ("web3", "eth_account", "eth_keys", "tiktoken", "keyring", "x402")
OTHER_PHRASE = "legal winner thank year wave sausage worth useful legal winner thank yellow"
NEW_PASSWORD = "a new password 2"

# `ai-wallet --data-dir D` as a person starts it. When the first screen that is not the start-up view paints,
# it prints which screen, whether its main field has focus, and which heavy libraries are loaded, then quits.
APP = """
import json, os, sys
import ui  # first, as the app's entry point does
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from ui.main_window import MainWindow

HEAVY = sys.argv[2].split(",")
class Painted(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            window = watched.window()
            focus = QApplication.focusWidget()
            print("FIRST:" + json.dumps({
                "mode": window.controller.mode, "view": type(watched).__name__,
                "focus": type(focus).__name__ if focus is not None else None,
                "loaded": [m for m in HEAVY if m in sys.modules]}), flush=True)
            os._exit(0)  # before anything loads behind the screen
        return False

painted = Painted()
_set_mode = MainWindow.set_mode
def set_mode(self, mode):
    _set_mode(self, mode)
    self.modes.currentWidget().installEventFilter(painted)
MainWindow.set_mode = set_mode
from wallet.cli.main import main
sys.exit(main(["--data-dir", sys.argv[1]]))
"""


def first_screen(data_dir: Path, tmp_path: Path) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "AI_WALLET_KEYRING": "file"}
    proc = subprocess.run([sys.executable, "-c", APP, str(data_dir), ",".join(HEAVY)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("FIRST:")]
    assert lines, proc.stdout + proc.stderr
    return json.loads(lines[0].removeprefix("FIRST:"))


def test_onboarding_comes_before_any_heavy_library(tmp_path: Path) -> None:
    shown = first_screen(tmp_path / "new", tmp_path)
    assert shown == {"mode": "onboarding", "view": "OnboardingView", "focus": shown["focus"], "loaded": []}


def test_the_lock_screen_comes_before_any_heavy_library(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "wd").ensure()
    service = WalletService(data_dir)
    service.import_mnemonic(TEST_PHRASE, PASSWORD)
    service.close()
    shown = first_screen(data_dir.root, tmp_path)
    assert shown == {"mode": "locked", "view": "LockView", "focus": "QLineEdit", "loaded": []}


@pytest.fixture
def locked(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[MainWindow, LockView]]:
    """A fresh app process's view of a wallet: locked, key library not loaded, no network started."""
    data_dir = DataDir(tmp_path / "wd").ensure()
    setup = WalletService(data_dir)
    setup.import_mnemonic(TEST_PHRASE, PASSWORD)
    setup.close()
    controller = AppController(WalletService(data_dir))
    win = MainWindow(controller)
    keep_window(qtbot, win, controller)
    win.resize(*WINDOW_SIZE)
    win.show()
    controller.show_first_screen()
    view = win.modes.currentWidget()
    assert isinstance(view, LockView) and controller.mode == "locked"
    qtbot.waitUntil(lambda: view.forgot.isVisible(), timeout=5_000)
    yield win, view
    qtbot.waitUntil(ops.idle, timeout=30_000)
    controller.shutdown()


def test_an_early_unlock_waits_for_the_key_library(locked: tuple[MainWindow, LockView], qtbot: QtBot) -> None:
    window, view = locked
    service = window.controller.service
    assert not service.keys_ready()
    qtbot.keyClicks(view.password, PASSWORD)
    qtbot.keyClick(view.password, Qt.Key.Key_Return)
    assert view.unlock_button.text() == "Loading the key library…" and not view.unlock_button.isEnabled()
    qtbot.keyClick(view.password, Qt.Key.Key_Return)  # pressed again meanwhile: still one unlock
    qtbot.waitUntil(lambda: window.controller.mode == "main", timeout=30_000)
    assert service.keys_ready() and not service.is_locked()


def test_a_forgotten_password_is_reset_with_the_phrase(locked: tuple[MainWindow, LockView], qtbot: QtBot) -> None:
    window, view = locked
    service = window.controller.service
    assert view.address.text() == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    qtbot.mouseClick(view.forgot, Qt.MouseButton.LeftButton)
    dialog = view.dialog
    assert isinstance(dialog, RestoreDialog)
    qtbot.waitExposed(dialog)
    assert not dialog.ok_button.isEnabled()
    save_shot(dialog, "dialog-restore")

    dialog.phrase.setPlainText(OTHER_PHRASE)
    qtbot.keyClicks(dialog.new.password, NEW_PASSWORD)
    qtbot.keyClicks(dialog.new.repeat, NEW_PASSWORD)
    qtbot.keyClick(dialog.new.repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=30_000)
    assert "not this wallet's" in dialog.error.text()
    assert clipped(dialog) == []
    assert window.controller.mode == "locked" and service.is_locked()

    left_in_fields: list[str] = []
    dialog.finished.connect(lambda _: left_in_fields.append(dialog.phrase.toPlainText() + dialog.new.text()))
    dialog.phrase.setPlainText(TEST_PHRASE)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.controller.mode == "main", timeout=30_000)
    qtbot.waitUntil(lambda: left_in_fields == [""], timeout=5_000)  # closed, phrase and password wiped

    service.lock()
    qtbot.waitUntil(lambda: window.controller.mode == "locked", timeout=5_000)
    service.unlock(NEW_PASSWORD)
    qtbot.waitUntil(lambda: window.controller.mode == "main", timeout=5_000)
