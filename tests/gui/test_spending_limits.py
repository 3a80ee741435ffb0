"""Spending limits: set in Settings (bad input refused in words, nothing changed), shared with every wallet
process (a change made elsewhere is followed), and shown on Home beside what was spent today."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shots import save_shot

from ui.main_window import MainWindow
from ui.pages.home import HomePage
from ui.pages.settings import SettingsPage
from wallet.payments.budgets import DEFAULT_BUDGETS
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def page(settings_page: SettingsPage, qtbot: QtBot) -> SettingsPage:
    section = settings_page.budgets
    qtbot.waitUntil(lambda: section.spent.text() != "", timeout=10_000)
    return settings_page


def service_of(page: SettingsPage) -> WalletService:
    return page.service


def test_limits_are_saved_and_no_limit_is_a_choice(page: SettingsPage, qtbot: QtBot) -> None:
    section = page.budgets
    assert section.per_task.edit.text() == "1" and section.daily.edit.text() == "10"  # the defaults
    section.per_task.edit.setText("0.25")
    section.daily.unlimited.setChecked(True)
    assert not section.daily.edit.isEnabled()
    qtbot.mouseClick(section.save_button, LEFT)
    qtbot.waitUntil(lambda: "Saved" in section.status.text(), timeout=10_000)
    budgets = service_of(page).payment_budgets()
    assert (budgets.per_task, budgets.daily) == (ONE // 4, None)
    save_shot(page.window(), "settings-limits")
    assert "Note" not in section.status.text()


def test_a_per_task_limit_above_the_daily_one_is_saved_with_a_note(page: SettingsPage, qtbot: QtBot) -> None:
    section = page.budgets
    section.per_task.edit.setText("50")
    section.daily.edit.setText("10")
    qtbot.mouseClick(section.save_button, LEFT)
    qtbot.waitUntil(lambda: "Saved" in section.status.text(), timeout=10_000)
    assert "per-task limit (50 AIT) is above the daily limit (10 AIT)" in section.status.text()


@pytest.mark.parametrize(("text", "words"), [
    ("", "Enter the per-task limit"),
    ("1.2.3", "Per-task limit:"),
    ("-1", "Per-task limit:"),
    ("0." + "1" * 19, "Per-task limit:"),
])
def test_bad_input_is_refused_in_words_and_changes_nothing(page: SettingsPage, qtbot: QtBot, text: str,
                                                           words: str) -> None:
    section = page.budgets
    section.per_task.edit.setText(text)
    qtbot.keyClick(section.per_task.edit, Qt.Key.Key_Return)
    assert words in section.status.text() and section.status.isVisible()
    assert service_of(page).payment_budgets() == DEFAULT_BUDGETS


def test_a_change_made_elsewhere_is_followed(unlocked_window: MainWindow, page: SettingsPage,
                                             qtbot: QtBot) -> None:
    service_of(page).set_payment_budgets(3 * ONE, 7 * ONE)  # as `ai-wallet budget` would, in this process
    section = page.budgets
    qtbot.waitUntil(lambda: section.per_task.edit.text() == "3" and section.daily.edit.text() == "7",
                    timeout=10_000)
    shell = unlocked_window.view("main")
    shell.show_page("Home")
    home = next(p for p in shell.page_list if isinstance(p, HomePage))
    qtbot.waitUntil(lambda: home.budgets.loaded == (3 * ONE, 7 * ONE, 0), timeout=10_000)
    assert home.budgets.spent.text().replace("\u00a0", " ") == "0 AIT of 7 AIT · 7 AIT left"
    assert "at most 3 AIT per task" in home.budgets.limits.text()
