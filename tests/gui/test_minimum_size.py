"""At the window's minimum size nothing is cut off: the account switcher keeps the short address readable, the
output budget box keeps its height (the quote panel scrolls instead of squeezing it), and the Providers
page's model table shows every header and cell whole, with no sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fit import clipped
from guikit import keep_window
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QStyle, QStyleOptionComboBox
from pytestqt.qtbot import QtBot
from shots import save_shot

from ui import ops
from ui.controller import AppController
from ui.formatting import short_address
from ui.main_window import MINIMUM_SIZE, MainWindow
from ui.pages.history import HistoryPage
from ui.pages.home import HomePage
from ui.pages.providers import ProvidersPage
from ui.pages.run_task import RunTaskPage
from ui.pages.send_receive import SendReceivePage
from ui.pages.topup import TopUpPage
from ui.shell import Shell
from wallet.config import DataDir
from wallet.devnet.manager import DevnetStatus
from wallet.networks import NetworkProfile, save_custom_profile
from wallet.service import WalletService

pytestmark = [pytest.mark.gui, pytest.mark.chain]
PHRASE = "test test test test test test test test test test test junk"
LONG_NAME = "My everyday account for paying AI providers"


@pytest.fixture
def window(tmp_path: Path, devnet: tuple[DataDir, DevnetStatus], qtbot: QtBot) -> Iterator[MainWindow]:
    shared = WalletService(devnet[0])
    profile = shared.profile
    shared.close()
    data_dir = DataDir(tmp_path / "wd").ensure()
    save_custom_profile(data_dir, NetworkProfile("local", profile.chain_id, profile.rpc_url, profile.contracts))
    service = WalletService(data_dir, network="local")
    service.import_mnemonic(PHRASE, "correct horse battery")
    service.rename_account(service.current_account() or "", LONG_NAME)
    controller = AppController(service)
    win = MainWindow(controller)
    keep_window(qtbot, win, controller)
    win.show()
    win.resize(1, 1)  # as small as it goes
    controller._enter("main")
    yield win
    qtbot.waitUntil(ops.idle, timeout=10_000)
    controller.shutdown()


def shell_of(window: MainWindow) -> Shell:
    shell = window.modes.currentWidget()
    assert isinstance(shell, Shell)
    return shell


def page(window: MainWindow, cls: type) -> object:
    shell = shell_of(window)
    found = next(p for p in shell.page_list if isinstance(p, cls))
    shell.show_page(found.name)
    return found


def no_sideways_scrolling(area: QAbstractScrollArea) -> bool:
    return area.horizontalScrollBar().maximum() == 0


def test_the_account_switcher_keeps_the_address(window: MainWindow, qtbot: QtBot) -> None:
    assert (window.width(), window.height()) == MINIMUM_SIZE
    box = shell_of(window).accounts
    address = window.controller.service.current_account() or ""
    qtbot.waitUntil(lambda: box.currentData() == address, timeout=10_000)
    shown = box.shown_text()
    assert shown.endswith(" · " + short_address(address)) and shown.startswith("My ")
    opt = QStyleOptionComboBox()
    box.initStyleOption(opt)
    room = box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                      QStyle.SubControl.SC_ComboBoxEditField, box).width()
    assert box.fontMetrics().horizontalAdvance(shown) <= room
    assert box.view().minimumWidth() > box.fontMetrics().horizontalAdvance(box.currentText())  # the list: whole


def test_the_output_budget_box_keeps_its_size(window: MainWindow, qtbot: QtBot) -> None:
    run = page(window, RunTaskPage)
    assert isinstance(run, RunTaskPage)
    qtbot.waitUntil(lambda: run.picker.model() is not None, timeout=20_000)
    run.prompt.setPlainText("Hello " * 40)
    qtbot.waitUntil(lambda: run.panel.state == "ok", timeout=20_000)
    QApplication.processEvents()
    budget = run.panel.budget
    assert budget.height() >= budget.sizeHint().height()
    assert budget.fontMetrics().horizontalAdvance(budget.text()) < budget.lineEdit().width()
    for w in (run.panel.price, run.panel.status, run.panel.compare_button):
        assert w.height() >= w.minimumSizeHint().height()
    save_shot(window, "minimum-size-run-task")


def test_the_providers_table_shows_every_header_and_cell(window: MainWindow, qtbot: QtBot) -> None:
    providers = page(window, ProvidersPage)
    assert isinstance(providers, ProvidersPage)
    qtbot.waitUntil(lambda: len(providers.cards) == 2, timeout=20_000)
    QApplication.processEvents()
    assert no_sideways_scrolling(providers.scroll)
    for card in providers.cards.values():
        table, head = card.table, card.table.horizontalHeader()
        assert card.table.visibleRegion().boundingRect().width() == table.width()
        for c in range(table.columnCount()):
            lines = table.horizontalHeaderItem(c).text().split("\n")
            needed = max(head.fontMetrics().horizontalAdvance(t) for t in lines)
            assert head.sectionSize(c) > needed, f"header {lines!r}"
            for r in range(table.rowCount()):
                text = table.item(r, c).text()
                assert head.sectionSize(c) > table.fontMetrics().horizontalAdvance(text), f"cell {text!r}"
        assert head.height() >= head.sizeHint().height()


@pytest.mark.parametrize("cls", [HomePage, TopUpPage, SendReceivePage, HistoryPage],
                         ids=lambda c: c.__name__)
def test_the_money_pages_fit(window: MainWindow, qtbot: QtBot, cls: type) -> None:
    shown = page(window, cls)
    qtbot.waitUntil(ops.idle, timeout=20_000)
    QApplication.processEvents()
    assert (window.width(), window.height()) == MINIMUM_SIZE
    assert clipped(shown) == []  # type: ignore[arg-type]
    if isinstance(shown, HistoryPage):
        assert shown.table.width() > 380 and shown.details.width() >= shown.details.minimumWidth()
    save_shot(window, f"minimum-size-{cls.__name__.removesuffix('Page').lower()}")
