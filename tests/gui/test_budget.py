"""The output budget: a number out of the model's range is refused as typed, in words, and never priced as
something else (5000 under a maximum of 4,096 used to become 500; 0 showed "0 tokens" beside the old
price). Leaving the box puts the nearest allowed value in it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from taskkit import choose, wait_quote

from ui.formatting import amount_short_price
from ui.pages.run_task import RunTaskPage
from wallet.quote import PromptInput
from wallet.service import WalletService

pytestmark = [pytest.mark.gui, pytest.mark.chain]
PROMPT = "Write a haiku about metering."


def type_budget(qtbot: QtBot, page: RunTaskPage, text: str) -> None:
    page.panel.budget.setFocus()
    page.panel.budget.selectAll()
    qtbot.keyClicks(page.panel.budget, text)


def test_over_the_maximum_is_refused_as_typed(task_page: RunTaskPage, devnet_service: WalletService,
                                              qtbot: QtBot) -> None:
    page = task_page
    choose(page, 1, "gpt-3.5-turbo")  # at most 4,096 output tokens
    qtbot.keyClicks(page.prompt, PROMPT)
    wait_quote(qtbot, page)

    type_budget(qtbot, page, "5000")
    assert page.panel.budget.text().startswith("5000")
    wait_quote(qtbot, page, "refused")
    assert page.panel.status.text() == ("5,000 tokens is over gpt-3.5-turbo's output limit of 4,096 tokens. "
                                        "Lower the budget.")
    assert page.panel.price.text() == "—" and page.panel.output_cost.text() == "—"
    assert not page.panel.compare_button.isEnabled()
    page.open_compare()
    assert page.compare_dialog is None

    qtbot.keyClick(page.panel.budget, Qt.Key.Key_Tab)  # leaving the box: the nearest allowed value
    assert page.panel.output_budget() == 4096
    expected = devnet_service.quote(1, "gpt-3.5-turbo", PromptInput.text(PROMPT), 4096)
    qtbot.waitUntil(lambda: page.panel.price.text() == amount_short_price(expected.price_base_units))
    assert page.panel.state == "ok" and page.panel.compare_button.isEnabled()


def test_zero_and_nothing_are_refused(task_page: RunTaskPage, devnet_service: WalletService, qtbot: QtBot) -> None:
    page = task_page
    qtbot.keyClicks(page.prompt, PROMPT)
    wait_quote(qtbot, page)

    type_budget(qtbot, page, "0")
    wait_quote(qtbot, page, "refused")
    assert page.panel.status.text().startswith("The output budget must be at least 1 token")
    assert page.panel.price.text() == "—"

    page.panel.budget.selectAll()
    qtbot.keyClick(page.panel.budget, Qt.Key.Key_Delete)
    wait_quote(qtbot, page, "refused")
    assert page.panel.status.text().startswith("Enter an output budget: 1 to ")

    type_budget(qtbot, page, "256")
    model = page.picker.model().model
    expected = devnet_service.quote(page.picker.provider().id, model, PromptInput.text(PROMPT), 256)
    qtbot.waitUntil(lambda: page.panel.price.text() == amount_short_price(expected.price_base_units))
    assert page.panel.state == "ok" and page.panel.output_budget() == 256
