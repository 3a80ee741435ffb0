"""Pay and run through the real widgets, at the devnet's demo provider: the confirmation states exactly what
will be signed (Cancel is the default, Esc and Enter cancel), Pay signs it, the progress ends settled, and the
answer and its receipt agree with the wallet's record and the chain."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from fit import clipped
from paywin import (
    PROMPT,
    funded_service,
    main_window,
    open_confirmation,
    open_page,
    task_page_of,
    write_prompt,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shots import save_shot

from ui import ops
from ui.formatting import amount_full, amount_short_price
from ui.main_window import MINIMUM_SIZE, MainWindow
from ui.pages.home import HomePage
from ui.pages.run_task import RunTaskPage
from ui.pages.settings import SettingsPage
from wallet.config import DataDir
from wallet.devnet.manager import DevnetStatus
from wallet.quote import PromptInput
from wallet.service import WalletService

pytestmark = [pytest.mark.gui, pytest.mark.chain]
BUDGET = 64


@pytest.fixture
def service(tmp_path: Path, devnet: tuple[DataDir, DevnetStatus]) -> Iterator[WalletService]:
    shared = WalletService(devnet[0])
    profile = shared.profile
    shared.close()
    service = funded_service(tmp_path / "wd", profile)
    yield service


@pytest.fixture
def window(service: WalletService, qtbot: QtBot) -> Iterator[MainWindow]:
    with main_window(service, qtbot) as win:
        yield win


@pytest.fixture
def page(window: MainWindow, qtbot: QtBot) -> RunTaskPage:
    page = task_page_of(window, qtbot)
    provider = page.providers[0]
    write_prompt(page, qtbot, provider.id, provider.models[0].model, budget=BUDGET)
    return page


def test_pay_and_run_shows_the_terms_then_the_answer_and_its_receipt(page: RunTaskPage, service: WalletService,
                                                                    qtbot: QtBot) -> None:
    provider = page.picker.provider()
    model = page.picker.model().model
    quote = service.quote(provider.id, model, PromptInput.text(PROMPT), BUDGET)
    account = service.current_account()
    before = service.ait_balance(account)

    dialog = open_confirmation(page, qtbot)
    t = dialog.terms
    assert t.ok and t.amount == quote.price_base_units and t.pay_to == provider.pay_to
    assert t.account == account and t.asset == service.profile.contract("AIToken")
    assert t.network == f"eip155:{service.profile.chain_id}" and 0 < t.validity_seconds <= 300
    assert provider.pay_to in dialog.row_text("pay_to")  # whole, as registered
    assert "the same as your quote" in dialog.row_text("amount")
    # The demo provider meters: the quote is the maximum signed, shown beside the charge to expect.
    expected = service.expected_charge(quote)
    assert t.metered and t.scheme == "upto" and t.expected == expected.expected < t.amount
    assert dialog.form.labelForField(dialog.rows["amount"]).text() == "Most authorized"
    assert amount_full(expected.expected) in dialog.row_text("expected")
    assert expected.basis in dialog.row_text("expected")
    assert dialog.pay_button.text().startswith("Pay at most")
    assert "per task at most" in dialog.row_text("budgets").lower()
    assert dialog.pay_button.isVisible() and dialog.cancel_button.isDefault()
    assert not dialog.pay_button.isDefault() and not dialog.pay_button.autoDefault()
    save_shot(dialog, "confirm-payment")
    assert page.panel.expected.text() == amount_short_price(expected.expected)

    qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.payment.paying, timeout=60_000)
    assert page.result.isVisible()
    assert "[Demo answer" in page.result.answer.toPlainText()
    assert page.result.steps.stage_text() == "Settled" and not page.result.steps.failed
    [intent] = service.payments()
    assert intent.status == "settled" and intent.scheme == "upto" and intent.authorized == quote.price_base_units
    assert intent.charged is not None and 0 < intent.charged <= quote.price_base_units
    assert page.result.tx.tx_hash == intent.tx_hash
    assert "charged" in page.result.costs.text() and " in · " in page.result.tokens.text()
    assert service.ait_balance(account) == before - intent.charged
    assert not page.result.disputed.isVisible() and "metered" in page.result.costs.text()
    # The next quote's expected charge comes from this answer, read again once the payment settled.
    after = service.expected_charge(quote)
    assert after.answers == 1
    qtbot.waitUntil(lambda: after.basis in html.unescape(page.panel.expected.toolTip()), timeout=10_000)
    assert page.panel.expected.text() == amount_short_price(after.expected)
    page.result.copy_answer()
    assert QApplication.clipboard().text() == page.result.answer.toPlainText()
    save_shot(page.window(), "run-task-answer")

    home = open_page(page.window(), HomePage)  # today's spending counts the payment
    qtbot.waitUntil(lambda: home.budgets.loaded is not None and home.budgets.loaded[2] == intent.charged,
                    timeout=10_000)
    qtbot.waitUntil(lambda: home.balances is not None, timeout=10_000)
    save_shot(page.window(), "home-spending")


def test_the_answer_is_saved_whole(page: RunTaskPage, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = open_confirmation(page, qtbot)
    qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.payment.paying, timeout=60_000)
    target = tmp_path / "answer.txt"
    assert page.result.save_to(str(target))
    assert target.read_text(encoding="utf-8") == page.result.answer.toPlainText()
    assert not page.result.save_to(str(tmp_path / "no such folder" / "answer.txt"))
    assert "could not be saved" in page.result.problem.text()


@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_Return])
def test_escape_and_enter_cancel_and_nothing_is_signed(page: RunTaskPage, service: WalletService, qtbot: QtBot,
                                                       key: Qt.Key) -> None:
    dialog = open_confirmation(page, qtbot)
    assert dialog.terms.ok
    qtbot.keyClick(dialog.focusWidget() or dialog, key)
    qtbot.waitUntil(lambda: page.payment.dialog is None, timeout=5_000)
    assert page.payment.pending() is None and not page.payment.paying
    assert service.payments() == []  # an approved demand leaves no record until it is paid
    assert page.panel.pay_button.isEnabled()


def test_ctrl_enter_in_the_prompt_opens_the_confirmation(page: RunTaskPage, qtbot: QtBot) -> None:
    page.prompt.setFocus()
    qtbot.keyClick(page.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    dialog = page.payment.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.terms is not None, timeout=30_000)
    assert page.prompt.toPlainText() == PROMPT  # the shortcut typed no new line
    dialog.reject()


def test_at_the_minimum_size_the_sheet_and_the_answer_fit(service: WalletService, qtbot: QtBot) -> None:
    with main_window(service, qtbot, MINIMUM_SIZE) as win:
        win.resize(1, 1)  # as small as it goes
        page = task_page_of(win, qtbot)
        provider = page.providers[0]
        write_prompt(page, qtbot, provider.id, provider.models[0].model, budget=BUDGET)
        dialog = open_confirmation(page, qtbot)
        qtbot.waitUntil(lambda: dialog.height() >= dialog.layout().totalHeightForWidth(dialog.width())
                        if dialog.layout().hasHeightForWidth() else True, timeout=5_000)
        assert dialog.width() <= MINIMUM_SIZE[0] and dialog.height() <= MINIMUM_SIZE[1]
        assert clipped(dialog) == []
        qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.payment.paying, timeout=60_000)
        assert (win.width(), win.height()) == MINIMUM_SIZE
        assert page.result.answer.height() >= 60  # a few lines of the answer, at least
        assert clipped(page.result) == []
        save_shot(win, "run-task-answer-minimum")


def test_the_scheme_preference_chosen_in_settings_is_what_the_sheet_signs(page: RunTaskPage, service: WalletService,
                                                                        qtbot: QtBot) -> None:
    settings = open_page(page.window(), SettingsPage)
    scheme = settings.scheme
    qtbot.waitUntil(lambda: scheme.value() == "auto", timeout=10_000)
    scheme.choice.setCurrentIndex(scheme.choice.findData("exact"))
    scheme.choice.activated.emit(scheme.choice.currentIndex())  # as a pick by the user
    qtbot.waitUntil(lambda: service.payment_scheme() == "exact" and ops.idle(), timeout=10_000)
    assert scheme.status.text() == "Saved." and "whole quote" in scheme.explained.text()

    open_page(page.window(), RunTaskPage)
    dialog = open_confirmation(page, qtbot)
    t = dialog.terms
    assert t.ok and t.scheme == "exact" and not t.metered and t.expected is None and "expected" not in dialog.rows
    assert dialog.form.labelForField(dialog.rows["amount"]).text() == "Amount"
    assert dialog.pay_button.text().startswith("Pay ") and "at most" not in dialog.pay_button.text()
    dialog.reject()
    qtbot.waitUntil(lambda: page.payment.dialog is None and ops.idle(), timeout=10_000)

    service.set_payment_scheme("upto")  # as the command line would: the section follows
    qtbot.waitUntil(lambda: scheme.value() == "upto", timeout=10_000)
