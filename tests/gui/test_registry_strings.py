"""What anyone can register shows as it is: a name made of HTML is shown as its literal text, never rendered
as markup (a fake "Verified" badge), and a model allowing more output tokens than a spin box holds leaves
the quote panel pricing the model the picker shows.

The registry is permissionless, so these are price sheets fed to the widgets, as the pages receive them
from the registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot
from sheet import FAKE_ENDPOINT, FAKE_MODEL, FAKE_NAME, SHEET, offline_service, sheet_page

from ui.controller import AppController
from ui.dialogs.compare import CompareDialog
from ui.formatting import amount_short_price
from ui.pages.providers import ProvidersPage
from ui.pages.run_task import RunTaskPage
from ui.widgets.model_picker import count_text
from ui.widgets.quote_panel import SPIN_MAX
from wallet.quote import PromptInput, QuoteEngine
from wallet.service import WalletService

pytestmark = pytest.mark.gui
PROMPT = "Summarise the quarterly report in three bullet points."


def rendered(tip: str) -> str:
    """The text a rich-text tooltip shows."""
    doc = QTextDocument()
    doc.setHtml(tip)
    return doc.toPlainText()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[WalletService]:
    s = offline_service(tmp_path)
    yield s
    s.close()


@pytest.fixture
def page(service: WalletService, qtbot: QtBot) -> RunTaskPage:
    return sheet_page(service, qtbot)


def priced(qtbot: QtBot, page: RunTaskPage, provider_id: int, model: str, budget: int) -> None:
    """Until the panel shows the engine's price for this provider, model and budget."""
    q = QuoteEngine(lambda: SHEET).quote(provider_id, model, PromptInput.text(page.prompt.toPlainText()), budget)
    qtbot.waitUntil(lambda: page.panel.state == "ok"
                    and page.panel.price.text() == amount_short_price(q.price_base_units)
                    and page.panel.input_tokens.text() == count_text(q.input_tokens), timeout=30_000)


def test_a_max_output_over_a_spin_box_keeps_the_panel_on_the_picked_model(page: RunTaskPage,
                                                                          qtbot: QtBot) -> None:
    page.picker.select(1, "gpt-4o-mini")
    page.prompt.setPlainText(PROMPT)
    priced(qtbot, page, 1, "gpt-4o-mini", 1024)

    page.picker.select(3, "huge-model")  # raised OverflowError in the spin box before
    assert page.live is not None and (page.live.provider_id, page.live.model) == (3, "huge-model")
    assert not page.panel.budget.signalsBlocked()
    assert page.panel.budget.maximum() == SPIN_MAX
    assert page.panel.budget_max.text() == "at most 4,294,967,295 for huge-model"
    page.prompt.insertPlainText(" Thanks.")
    priced(qtbot, page, 3, "huge-model", 1024)

    page.panel.budget.setValue(SPIN_MAX)  # the largest budget the box takes is quoted as such
    assert page.live.max_output == SPIN_MAX
    priced(qtbot, page, 3, "huge-model", SPIN_MAX)

    page.picker.select(1, "gpt-4o-mini")  # back to a small model: the budget is clamped, the quote follows
    assert page.panel.output_budget() == 16_384 and page.live.max_output == 16_384
    page.panel.budget.setValue(7)
    assert page.live.max_output == 7
    priced(qtbot, page, 1, "gpt-4o-mini", 7)


def test_registry_strings_are_never_rendered_as_markup(page: RunTaskPage, service: WalletService,
                                                       qtbot: QtBot) -> None:
    providers = ProvidersPage(AppController(service))
    qtbot.addWidget(providers)
    providers.show_providers(SHEET)
    card = providers.cards[4]
    for label, text in ((card.name, FAKE_NAME), (card.endpoint, FAKE_ENDPOINT)):
        assert label.textFormat() == Qt.TextFormat.PlainText
        assert label.text() == text
    assert card.model_rows()[0][0] == FAKE_MODEL and card.model_rows()[1][1] == "<b>o200k</b>"

    page.picker.select(4, "odd")
    assert page.picker.limits.textFormat() == Qt.TextFormat.PlainText
    assert "metered by <b>o200k</b>" in page.picker.limits.text()
    page.picker.select(4, FAKE_MODEL)
    assert page.picker.provider_box.currentText() == FAKE_NAME
    assert page.panel.budget_max.textFormat() == Qt.TextFormat.PlainText
    assert page.panel.budget_max.text() == f"at most 4,096 for {FAKE_MODEL}"
    page.prompt.setPlainText(PROMPT)
    priced(qtbot, page, 4, FAKE_MODEL, 1024)
    assert rendered(page.panel.input_tokens.toolTip()) == (
        f"Counted with o200k_base, as {FAKE_NAME} meters {FAKE_MODEL}")
    page.picker.select(4, "odd")  # refused: the reason names the model and its encoding
    qtbot.waitUntil(lambda: page.panel.state == "refused", timeout=10_000)
    assert page.panel.status.textFormat() == Qt.TextFormat.PlainText
    assert "<b>o200k</b>" in page.panel.status.text()

    dialog = CompareDialog(QuoteEngine(lambda: SHEET), PromptInput.text(PROMPT), 1024, None, page)
    qtbot.waitUntil(lambda: dialog.comparison is not None, timeout=30_000)
    row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == FAKE_NAME)
    assert dialog.table.item(row, 1).text() == FAKE_MODEL
    assert rendered(dialog.table.item(row, 1).toolTip()) == "Metered by o200k_base"
    assert f"{FAKE_NAME} · odd" in rendered(dialog.refusals.text())
    dialog.reject()
