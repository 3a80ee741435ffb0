"""Helpers for GUI tests that pay: a wallet of its own on a real chain (a fresh account holding AIT), the main
window on it, and Run a task driven to a paid answer through the real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from guikit import PASSWORD, keep_window
from pytestqt.qtbot import QtBot
from shots import WINDOW_SIZE
from taskkit import choose, wait_quote

from ui import ops
from ui.controller import AppController
from ui.dialogs.confirm_payment import ConfirmPaymentDialog
from ui.main_window import MainWindow
from ui.pages.run_task import RunTaskPage
from ui.shell import Shell
from wallet.config import DataDir
from wallet.networks import NetworkProfile, save_custom_profile
from wallet.service import WalletService
from wallet.units import ONE

PROMPT = "Explain in two sentences why a wallet should count tokens before it pays."


def funded_service(root: Path, profile: NetworkProfile, *, ait: int = 50 * ONE, eth: int = 0,
                   network: str = "local") -> WalletService:
    """A wallet in ``root`` on ``profile`` (saved as network ``network``) with a fresh account holding ``ait``."""
    from wallet.devnet.faucet import faucet

    data_dir = DataDir(root).ensure()
    save_custom_profile(data_dir, replace(profile, name=network, is_devnet=False))
    service = WalletService(data_dir, network=network)
    service.import_mnemonic(service.new_recovery_phrase(), PASSWORD)
    if ait or eth:
        faucet(replace(profile, is_devnet=True), service.current_account() or "", eth=eth, ait=ait)
    return service


@contextmanager
def main_window(service: WalletService, qtbot: QtBot, size: tuple[int, int] = WINDOW_SIZE) -> Iterator[MainWindow]:
    controller = AppController(service)
    win = MainWindow(controller)
    keep_window(qtbot, win, controller)
    win.resize(*size)
    win.show()
    controller._enter("main")
    try:
        yield win
    finally:
        try:
            qtbot.waitUntil(ops.idle, timeout=30_000)
        finally:  # whatever the test left running, the window stops hearing the core before it is deleted
            controller.shutdown()


def shell_of(win: MainWindow) -> Shell:
    shell = win.view("main")
    assert isinstance(shell, Shell)
    return shell


def open_page(win: MainWindow, cls: type) -> object:
    shell = shell_of(win)
    page = next(p for p in shell.page_list if isinstance(p, cls))
    shell.show_page(page.name)
    return page


def task_page_of(win: MainWindow, qtbot: QtBot) -> RunTaskPage:
    page = open_page(win, RunTaskPage)
    assert isinstance(page, RunTaskPage)
    qtbot.waitUntil(lambda: page.picker.model() is not None, timeout=20_000)
    return page


def write_prompt(page: RunTaskPage, qtbot: QtBot, provider_id: int, model: str, prompt: str = PROMPT,
                 budget: int = 64) -> None:
    choose(page, provider_id, model)
    page.panel.set_budget(budget)
    page.prompt.setPlainText(prompt)
    wait_quote(qtbot, page, "ok")
    qtbot.waitUntil(lambda: page.balance is not None and page.panel.pay_button.isEnabled(), timeout=20_000)


def open_confirmation(page: RunTaskPage, qtbot: QtBot) -> ConfirmPaymentDialog:
    """Click Pay and run; the sheet, once it shows the terms (or why there are none)."""
    from PySide6.QtCore import Qt

    qtbot.mouseClick(page.panel.pay_button, Qt.MouseButton.LeftButton)
    dialog = page.payment.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.waiting.isVisible(), timeout=30_000)
    return dialog


def task_page(service: WalletService, qtbot: QtBot, provider_id: int, budget: int = 64) -> RunTaskPage:
    """Run a task on its own (light theme, the window's size), the prompt written for a test provider's first
    model and quoted."""
    from gatewaykit import TEST_MODELS
    from PySide6.QtWidgets import QApplication

    from ui.theme import apply_theme

    apply_theme(QApplication.instance(), dark=False)
    page = RunTaskPage(AppController(service))
    qtbot.addWidget(page)
    page.resize(*WINDOW_SIZE)
    page.show()
    page.on_shown()
    qtbot.waitUntil(lambda: page.picker.model() is not None, timeout=20_000)
    write_prompt(page, qtbot, provider_id, TEST_MODELS[0].model, budget=budget)
    return page
