"""Every screen of a wallet in use — a paid metered task, two weeks of history — at the window's minimum size
and at a large one: nothing is cut off, the confirmation and the History's table, details and chart have room.
With AIT_SCREENSHOTS=1 each is rendered in light and dark (``screen-<page>-<size>-<theme>.png``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from fit import clipped
from historykit import seed_history
from paywin import PROMPT, funded_service, main_window, open_confirmation, open_page, task_page_of, write_prompt
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot
from shots import save_shot

from ui import ops
from ui.history_model import COUNTERPARTY, KIND
from ui.main_window import MINIMUM_SIZE
from ui.pages.history import HistoryPage
from ui.pages.home import HomePage
from ui.pages.send_receive import SendReceivePage
from ui.pages.settings import SettingsPage
from ui.pages.topup import TopUpPage
from wallet.config import DataDir
from wallet.devnet.manager import DevnetStatus
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = [pytest.mark.gui, pytest.mark.chain]
SIZES = {"minimum": MINIMUM_SIZE, "large": (1600, 1000)}
DAY = 86_400


@pytest.fixture
def service(tmp_path: Path, devnet: tuple[DataDir, DevnetStatus]) -> Iterator[WalletService]:
    shared = WalletService(devnet[0])
    profile = shared.profile
    shared.close()
    service = funded_service(tmp_path / "wd", profile, eth=ONE)
    seed_history(service.data_dir.database, service.profile.chain_id, service.current_account() or "", 2_000,
                 t0=int(time.time()) - 13 * DAY, step=13 * DAY // 2_000)
    yield service


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(ops.idle, timeout=20_000)
    QApplication.processEvents()


def cut_off(qtbot: QtBot, widget: QWidget) -> list[str]:
    """What stays cut off in ``widget`` once its layouts have settled (they settle over a few event-loop passes
    after a page or a row is shown; a busy machine takes longer)."""
    with suppress(qtbot.TimeoutError):  # the assertion that follows names what is cut off
        qtbot.waitUntil(lambda: clipped(widget) == [], timeout=5_000)
    return clipped(widget)


def test_every_screen_fits_at_the_minimum_and_a_large_size(service: WalletService, qtbot: QtBot) -> None:
    with main_window(service, qtbot) as win:
        for size_name, size in SIZES.items():
            win.resize(*size)
            page = task_page_of(win, qtbot)
            provider = page.providers[0]
            write_prompt(page, qtbot, provider.id, provider.models[0].model, f"{PROMPT} ({size_name})", budget=300)
            settle(qtbot)
            assert (win.width(), win.height()) == size
            save_shot(win, f"screen-quote-{size_name}")

            dialog = open_confirmation(page, qtbot)
            assert dialog.terms is not None and dialog.terms.metered and "expected" in dialog.rows
            QApplication.processEvents()
            assert cut_off(qtbot, dialog) == [] and dialog.height() <= win.height()
            assert win.geometry().contains(dialog.geometry())  # grown while open, and still over its window
            save_shot(dialog, f"screen-confirm-{size_name}")
            qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda p=page: not p.payment.paying, timeout=60_000)
            settle(qtbot)
            assert page.result.steps.stage_text() == "Settled" and cut_off(qtbot, page.result) == []
            save_shot(win, f"screen-answer-{size_name}")

            for cls in (HomePage, HistoryPage, TopUpPage, SendReceivePage, SettingsPage):
                shown = open_page(win, cls)
                settle(qtbot)
                if isinstance(shown, HistoryPage):
                    model = shown.model
                    qtbot.waitUntil(lambda m=model: m.row_at(0) is not None, timeout=20_000)
                    first = next(i for i in range(model.rowCount()) if model.row_at(i).kind == "payment")
                    shown.table.selectRow(first)
                    qtbot.waitUntil(lambda s=shown: s.chart is not None and bool(s.chart.amounts), timeout=20_000)
                    settle(qtbot)
                    assert shown.table.width() > 380 and shown.chart_box.isVisible()
                    assert shown.table.horizontalScrollBar().maximum() == 0  # every column shown, none cut
                    assert shown.table.columnWidth(COUNTERPARTY) >= 90  # a name or a short address
                    assert shown.table.isColumnHidden(KIND) == (size_name == "minimum")
                save_shot(win, f"screen-{cls.__name__.removesuffix('Page').lower()}-{size_name}")
                if isinstance(shown, SettingsPage):  # a column that scrolls down, never sideways
                    assert shown.findChild(QScrollArea).horizontalScrollBar().maximum() == 0
                else:
                    assert cut_off(qtbot, shown) == [], cls.__name__  # type: ignore[arg-type]
