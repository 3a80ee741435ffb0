"""Home on a devnet of its own: balances follow the chain, the faucet, the account switcher, the QR code;
and screenshots of the whole window (home, lock screen)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from guikit import keep_window
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shots import WINDOW_SIZE, save_shot

from ui.controller import AppController
from ui.dialogs.add_account import AddAccountDialog
from ui.formatting import amount_full, amount_short
from ui.main_window import MainWindow
from ui.ops import wait_for_all
from ui.pages.home import HomePage
from ui.shell import Shell
from ui.widgets.qr import QrDialog, eip681_uri
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetManager
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = [pytest.mark.gui, pytest.mark.chain]
PASSWORD = "correct horse battery"
TEST_PHRASE = "test test test test test test test test test test test junk"  # public (anvil's, Hardhat's)
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(tmp_path: Path, qtbot: QtBot) -> Iterator[MainWindow]:
    data_dir = DataDir(tmp_path / "wd").ensure()
    DevnetManager(data_dir).up(free_port())
    service = WalletService(data_dir)
    service.create_wallet(PASSWORD)
    controller = AppController(service)
    win = MainWindow(controller)
    keep_window(qtbot, win, controller)
    win.resize(*WINDOW_SIZE)
    win.show()
    controller.start()
    qtbot.waitUntil(lambda: controller.mode == "main", timeout=30_000)
    yield win
    wait_for_all()
    controller.shutdown()
    DevnetManager(data_dir).down()


def home_of(window: MainWindow) -> tuple[Shell, HomePage]:
    shell = window.modes.currentWidget()
    assert isinstance(shell, Shell)
    home = shell.page_list[0]
    assert isinstance(home, HomePage) and shell.pages.currentWidget() is home
    return shell, home


def test_balances_follow_the_chain_and_the_faucet(window: MainWindow, qtbot: QtBot) -> None:
    service = window.controller.service
    _, home = home_of(window)
    address = service.current_account()
    assert address is not None
    qtbot.waitUntil(lambda: home.balances == (0, 0), timeout=15_000)
    assert home.ait_value.text() == "0 AIT" and "faucet" in home.hint.text()

    # A transfer made elsewhere (here: the faucet from the CLI's code path) shows up with the next block.
    service.devnet_faucet(address, ONE // 2, 7 * ONE + 1)
    qtbot.waitUntil(lambda: home.balances == (ONE // 2, 7 * ONE + 1), timeout=15_000)
    assert home.ait_value.text() == amount_short(7 * ONE + 1) == "7 AIT"
    assert home.ait_value.toolTip() == amount_full(7 * ONE + 1) == "7.000000000000000001 AIT"
    assert home.hint.text() == ""

    qtbot.mouseClick(home.faucet_button, LEFT)
    qtbot.waitUntil(lambda: home.balances == (ONE // 2 + ONE, 107 * ONE + 1), timeout=30_000)
    qtbot.waitUntil(lambda: window.status.block.text().startswith("block "), timeout=10_000)
    assert window.status.state.text() == "connected"
    save_shot(window, "home")


def test_account_switcher_adds_and_switches(window: MainWindow, qtbot: QtBot) -> None:
    service = window.controller.service
    shell, home = home_of(window)
    first = service.current_account()
    qtbot.waitUntil(lambda: shell.accounts.count() >= 3, timeout=10_000)  # account, separator, "Add account…"
    add_index = shell.accounts.findData("__add__")

    def ask_name() -> AddAccountDialog:
        shell.accounts.setCurrentIndex(add_index)
        shell.accounts.activated.emit(add_index)
        dialog = shell.add_dialog
        assert isinstance(dialog, AddAccountDialog) and dialog.isVisible()
        return dialog

    dialog = ask_name()  # the "…" promises a question, and nothing is added before it is answered
    assert len(service.accounts()) == 1
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    qtbot.waitUntil(lambda: shell.accounts.currentData() == first, timeout=10_000)
    assert len(service.accounts()) == 1

    dialog = ask_name()
    qtbot.keyClicks(dialog.name, "Savings")
    save_shot(dialog, "dialog-add-account")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(service.accounts()) == 2, timeout=15_000)
    second = service.accounts()[1]
    assert second.index == 1 and second.label == "Savings"
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: service.current_account() == second.address, timeout=10_000)
    qtbot.waitUntil(lambda: home.address_label.address == second.address, timeout=10_000)
    qtbot.waitUntil(lambda: shell.accounts.currentData() == second.address, timeout=10_000)

    index = shell.accounts.findData(first)
    shell.accounts.setCurrentIndex(index)
    shell.accounts.activated.emit(index)
    qtbot.waitUntil(lambda: home.address_label.address == first, timeout=10_000)
    assert service.current_account() == first


def test_qr_code_carries_the_address_on_this_chain(window: MainWindow, qtbot: QtBot) -> None:
    _, home = home_of(window)
    address = window.controller.service.current_account()
    qtbot.waitUntil(lambda: home.address_label.address == address and home.qr_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(home.qr_button, LEFT)
    dialog = home.qr_dialog
    assert isinstance(dialog, QrDialog) and dialog.isVisible()
    assert dialog.image.toolTip() == eip681_uri(address or "", 31337) == f"ethereum:{address}@31337"
    assert not dialog.image.pixmap().isNull() and dialog.image.pixmap().width() > 100
    save_shot(dialog, "dialog-qr")
    dialog.reject()


def test_lock_button_covers_the_window(window: MainWindow, qtbot: QtBot) -> None:
    shell, _ = home_of(window)
    qtbot.mouseClick(shell.lock_button, LEFT)
    qtbot.waitUntil(lambda: window.controller.mode == "locked", timeout=10_000)
    lock = window.modes.currentWidget()
    assert lock is window.view("locked") and not shell.isVisible()
    qtbot.waitUntil(lambda: lock.address.text() == window.controller.service.current_account(), timeout=5_000)  # type: ignore[attr-defined]
    save_shot(window, "lock")
