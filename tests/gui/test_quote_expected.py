"""The quote panel's expected charge, against the real devnet registry: the same figure as
``WalletService.expected_charge`` for the quote shown, read again when the wallet's answers from that model
change, a dash when there is no quote, and the row fits the panel at the smallest window."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from answerkit import record_answer
from fit import clipped
from guikit import keep_window
from paywin import main_window, task_page_of
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot
from shots import WINDOW_SIZE
from taskkit import choose, wait_quote

from ui.controller import AppController
from ui.formatting import amount_full, amount_short_price
from ui.main_window import MINIMUM_SIZE
from ui.pages.run_task import RunTaskPage
from wallet.config import DataDir
from wallet.devnet.manager import DevnetStatus
from wallet.events import PaymentSettled
from wallet.networks import save_custom_profile
from wallet.payments.expected import FillRatio
from wallet.quote import PromptInput, Quote
from wallet.service import WalletService

pytestmark = [pytest.mark.gui, pytest.mark.chain]
PROMPT = "Summarise the attached quarterly report in three bullet points, then list open risks."
PROVIDER, MODEL, BUDGET = 1, "gpt-4o-mini", 1024


@pytest.fixture
def service(tmp_path: Path, devnet: tuple[DataDir, DevnetStatus]) -> Iterator[WalletService]:
    """A wallet of its own on the session's devnet: the answers recorded here are no other test's history."""
    shared = WalletService(devnet[0])
    profile = shared.profile
    shared.close()
    data_dir = DataDir(tmp_path / "wd").ensure()
    save_custom_profile(data_dir, replace(profile, name="local", is_devnet=False))
    service = WalletService(data_dir, network="local")
    yield service
    service.close()


@pytest.fixture
def page(service: WalletService, qtbot: QtBot) -> RunTaskPage:
    controller = AppController(service)
    page = RunTaskPage(controller)
    keep_window(qtbot, page, controller)
    page.resize(*WINDOW_SIZE)
    page.show()
    page.on_shown()
    qtbot.waitUntil(lambda: page.picker.model() is not None, timeout=20_000)
    return page


def quote_of(service: WalletService, prompt: str = PROMPT, budget: int = BUDGET) -> Quote:
    return service.quote(PROVIDER, MODEL, PromptInput.text(prompt), budget)


def wait_expected(qtbot: QtBot, page: RunTaskPage, service: WalletService, q: Quote) -> None:
    """Until the panel's expected charge is the service's for ``q`` (its fill ratio is read in the background)."""
    want = service.expected_charge(q)
    qtbot.waitUntil(lambda: page.panel.expected.text() == amount_short_price(want.expected), timeout=20_000)
    tip = html.unescape(page.panel.expected.toolTip())
    assert amount_full(want.expected) in tip and want.basis in tip


def test_the_expected_charge_is_the_services_and_follows_the_answers(page: RunTaskPage, service: WalletService,
                                                                   qtbot: QtBot,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[bool] = []  # per read of the answers: whether it ran on the GUI thread
    read = service.fill_ratio

    def spied(provider_id: int, model: str) -> FillRatio:
        reads.append(threading.current_thread() is threading.main_thread())
        return read(provider_id, model)

    monkeypatch.setattr(service, "fill_ratio", spied)
    choose(page, PROVIDER, MODEL)
    page.panel.set_budget(BUDGET)
    assert page.panel.expected.text() == "—"  # no prompt, no quote
    page.prompt.setPlainText(PROMPT)
    q = quote_of(service)
    wait_quote(qtbot, page, expected=q)
    wait_expected(qtbot, page, service, q)
    fresh = service.expected_charge(q)
    assert fresh.answers == 0 and fresh.expected < q.price_base_units
    assert "the most" in page.panel.price.toolTip()

    # An answer that used 1% of its budget, announced as a settled payment would be: the figure is read again.
    intent = record_answer(service.data_dir, service.profile.chain_id, PROVIDER, MODEL, 10, 1000)
    service.bus.publish(PaymentSettled(intent, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", PROVIDER, 1,
                                       "0x" + "ab" * 32))
    seen = service.expected_charge(q)
    assert seen.answers == 1 and seen.expected < fresh.expected
    wait_expected(qtbot, page, service, q)

    # Each keystroke is priced from the ratio held, never read per keystroke: the figure follows the prompt and
    # the budget.
    before = len(reads)
    page.prompt.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(page.prompt, " Also a table.")
    longer = quote_of(service, PROMPT + " Also a table.")
    wait_quote(qtbot, page, expected=longer)
    wait_expected(qtbot, page, service, longer)
    page.panel.set_budget(300)
    smaller = quote_of(service, PROMPT + " Also a table.", 300)
    qtbot.waitUntil(lambda: page.panel.price.text() == amount_short_price(smaller.price_base_units),
                    timeout=10_000)
    wait_expected(qtbot, page, service, smaller)
    assert len(reads) == before and reads and not any(reads)

def test_no_quote_no_expected_charge(page: RunTaskPage, service: WalletService, qtbot: QtBot) -> None:
    choose(page, PROVIDER, MODEL)
    page.prompt.setPlainText(PROMPT)
    q = quote_of(service)
    wait_quote(qtbot, page, expected=q)
    wait_expected(qtbot, page, service, q)
    page.panel.budget.lineEdit().setText("99999999")  # over the model's output limit: refused as typed
    qtbot.waitUntil(lambda: page.panel.state == "refused")
    assert page.panel.expected.text() == "—" and page.panel.expected.toolTip() == ""
    page.panel.set_budget(512)
    half = quote_of(service, budget=512)
    qtbot.waitUntil(lambda: page.panel.price.text() == amount_short_price(half.price_base_units), timeout=10_000)
    wait_expected(qtbot, page, service, half)
    page.prompt.clear()
    qtbot.waitUntil(lambda: page.panel.state == "empty")
    assert page.panel.expected.text() == "—"


def test_the_expected_row_fits_at_the_minimum_size(service: WalletService, qtbot: QtBot) -> None:
    with main_window(service, qtbot, MINIMUM_SIZE) as win:
        win.resize(1, 1)  # as small as it goes
        page = task_page_of(win, qtbot)
        choose(page, PROVIDER, MODEL)
        page.prompt.setPlainText(PROMPT)
        q = quote_of(service)
        wait_quote(qtbot, page, expected=q)
        wait_expected(qtbot, page, service, q)
        assert (win.width(), win.height()) == MINIMUM_SIZE
        assert clipped(win) == []
