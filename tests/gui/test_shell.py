"""The shell against real parts: the connection dot follows the RPC going away and coming back; auto-lock
covers the window; the window keeps working offline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from guikit import keep_window
from pytestqt.qtbot import QtBot

from ui.controller import AppController
from ui.main_window import MainWindow
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetManager
from wallet.service import WalletService

pytestmark = pytest.mark.gui
PASSWORD = "correct horse battery"


@pytest.fixture
def window(tmp_path: Path, qtbot: QtBot) -> Iterator[MainWindow]:
    data_dir = DataDir(tmp_path / "wd").ensure()
    DevnetManager(data_dir).up(free_port())
    service = WalletService(data_dir)
    controller = AppController(service)
    win = MainWindow(controller)
    keep_window(qtbot, win, controller)
    win.show()
    yield win
    controller.shutdown()
    DevnetManager(data_dir).down()


def test_status_bar_shows_reconnecting_and_recovers(window: MainWindow, qtbot: QtBot) -> None:
    controller = window.controller
    controller.start()
    qtbot.waitUntil(lambda: window.status.state.text() == "connected", timeout=20_000)
    qtbot.waitUntil(lambda: window.status.block.text().startswith("block "), timeout=5_000)
    assert controller.mode == "onboarding"  # no wallet yet in this data dir

    DevnetManager(controller.service.data_dir).down()
    qtbot.waitUntil(lambda: window.status.state.text() == "reconnecting…", timeout=10_000)
    assert "Cannot reach the network" in window.status.dot.toolTip()

    DevnetManager(controller.service.data_dir).up()
    qtbot.waitUntil(lambda: window.status.state.text() == "connected", timeout=20_000)


def test_auto_lock_covers_the_window(window: MainWindow, qtbot: QtBot) -> None:
    controller = window.controller
    service = controller.service
    service.create_wallet(PASSWORD)
    controller.start()
    qtbot.waitUntil(lambda: controller.mode in ("main", "locked"), timeout=20_000)
    if controller.mode == "locked":
        service.unlock(PASSWORD)
        qtbot.waitUntil(lambda: controller.mode == "main", timeout=5_000)
    service.set_idle_timeout(0.5)
    service.touch()
    qtbot.waitUntil(lambda: controller.mode == "locked", timeout=10_000)
    lock_view = window.view("locked")
    assert window.modes.currentWidget() is lock_view
    assert service.is_locked()

    lock_view.password.setText("not the password")  # type: ignore[attr-defined]
    lock_view.unlock()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "Wrong password" in lock_view.error.text(), timeout=15_000)  # type: ignore[attr-defined]
    assert controller.mode == "locked"

    lock_view.password.setText(PASSWORD)  # type: ignore[attr-defined]
    lock_view.unlock()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: controller.mode == "main", timeout=15_000)
    assert not service.is_locked()


def test_the_connection_dot_follows_a_theme_switch(tmp_path: Path, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication

    from ui.theme import SUCCESS, SUCCESS_DARK, apply_theme

    controller = AppController(WalletService(DataDir(tmp_path / "wd2").ensure()))
    win = MainWindow(controller)
    keep_window(qtbot, win, controller)
    app = QApplication.instance()
    try:
        apply_theme(app, dark=False)  # type: ignore[arg-type]
        win.status._set_state("connected", "")
        assert SUCCESS in win.status.dot.styleSheet()
        apply_theme(app, dark=True)  # type: ignore[arg-type]
        qtbot.waitUntil(lambda: SUCCESS_DARK in win.status.dot.styleSheet(), timeout=5_000)
    finally:
        apply_theme(app, dark=False)  # type: ignore[arg-type]
        controller.shutdown()
