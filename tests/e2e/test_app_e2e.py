"""The newcomer's path through the real app, on a devnet the app starts itself: create a wallet (confirming
the phrase), see balances, get ETH and AIT from the faucet, buy AIT with that ETH (Top up), lock and unlock,
quote a task as it is typed (equal to `ai-wallet quote`), compare providers, pay and run it at the demo
provider, find it in the history with quote vs charged, send AIT to a second account and find that send in the
history too; on exit the devnet the app started is stopped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import run_cli
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from ui.controller import AppController
from ui.formatting import amount_full, amount_short, amount_short_price
from ui.main_window import MainWindow
from ui.ops import wait_for_all
from ui.pages.history import HistoryPage
from ui.pages.home import HomePage
from ui.pages.run_task import RunTaskPage
from ui.pages.send_receive import SendReceivePage
from ui.pages.topup import TopUpPage
from ui.shell import Shell
from ui.views.onboarding import OnboardingView
from ui.widgets.model_picker import count_text
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetManager
from wallet.quote import PromptInput
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = [pytest.mark.gui, pytest.mark.chain]
PASSWORD = "a long and private passphrase"
BUDGET = 900  # output tokens: the demo answers with 40 to 600, so a metered charge is under its maximum
PROMPT = "Write a haiku about paying for tokens with tokens.\nThen explain it in one sentence."
LEFT = Qt.MouseButton.LeftButton


def create_wallet_through_onboarding(window: MainWindow, qtbot: QtBot) -> None:
    view = window.modes.currentWidget()
    assert isinstance(view, OnboardingView)
    qtbot.mouseClick(view.welcome.create_button, LEFT)
    fields = view.password_step.fields
    qtbot.keyClicks(fields.password, PASSWORD)
    qtbot.keyClicks(fields.repeat, PASSWORD)
    qtbot.mouseClick(view.password_step.action_button, LEFT)
    qtbot.waitUntil(lambda: view.current() is view.phrase_step, timeout=15_000)
    words = view.phrase_step.grid.words()
    view.phrase_step.written.setChecked(True)
    qtbot.mouseClick(view.phrase_step.action_button, LEFT)
    confirm = view.confirm_step
    for field, pos in zip(confirm.inputs, confirm.positions, strict=True):
        qtbot.keyClicks(field, words[pos])
    qtbot.mouseClick(confirm.action_button, LEFT)


@pytest.fixture
def window(tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setenv("AI_WALLET_DEVNET_PORT", str(free_port()))
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    data_dir = DataDir(tmp_path / "wallet").ensure()
    controller = AppController(WalletService(data_dir))
    win = MainWindow(controller)
    qtbot.addWidget(win)
    win.resize(1100, 720)
    win.show()
    yield win
    if not controller.shut_down:
        wait_for_all()
        controller.shutdown()
    DevnetManager(data_dir).down()  # whatever happened above, leave no chain running


def test_newcomer_path(window: MainWindow, qtbot: QtBot) -> None:
    controller = window.controller
    service = controller.service
    data_dir = service.data_dir
    controller.start()

    # With no wallet, onboarding fills the window at once; the app starts the devnet itself behind it.
    assert controller.mode == "onboarding"
    qtbot.waitUntil(lambda: controller.started_devnet and DevnetManager(data_dir).status().running,
                    timeout=60_000)
    create_wallet_through_onboarding(window, qtbot)
    qtbot.waitUntil(lambda: controller.mode == "main", timeout=30_000)

    shell = window.modes.currentWidget()
    assert isinstance(shell, Shell)
    home = shell.page_list[0]
    assert isinstance(home, HomePage)
    address = service.current_account()
    assert address is not None
    qtbot.waitUntil(lambda: home.address_label.address == address, timeout=10_000)
    qtbot.waitUntil(lambda: home.balances == (0, 0), timeout=15_000)
    assert "No AIT yet" in home.hint.text()
    assert home.faucet_card.isVisible()

    qtbot.mouseClick(home.faucet_button, LEFT)
    qtbot.waitUntil(lambda: home.balances == (ONE, 100 * ONE), timeout=30_000)
    assert home.ait_value.text() == amount_short(100 * ONE)
    assert run_cli(data_dir.root, "balance", address, "--json").json()["ait"] == "100"

    # Top up: the faucet's ETH buys AIT from the token sale, the price and fee shown before signing.
    shell.show_page("Top up")
    topup = shell.pages.currentWidget()
    assert isinstance(topup, TopUpPage)
    qtbot.keyClicks(topup.ait, "5")
    qtbot.waitUntil(lambda: topup.plan is not None, timeout=30_000)
    assert topup.plan.tokens == 5 * ONE and topup.terms["Network fee"].text()
    qtbot.mouseClick(topup.review, LEFT)
    assert topup.dialog is not None and topup.dialog.cancel_button.isDefault()
    qtbot.mouseClick(topup.dialog.confirm_button, LEFT)
    qtbot.waitUntil(lambda: topup.status.text().startswith("Done"), timeout=60_000)
    qtbot.waitUntil(lambda: home.balances is not None and home.balances[1] == 105 * ONE, timeout=30_000)

    # Lock covers the window; the right password opens it again.
    qtbot.mouseClick(shell.lock_button, LEFT)
    qtbot.waitUntil(lambda: controller.mode == "locked", timeout=10_000)
    lock = window.modes.currentWidget()
    qtbot.keyClicks(lock.password, PASSWORD)  # type: ignore[attr-defined]
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: controller.mode == "main", timeout=30_000)

    # Run a task: the live quote equals the CLI's for the same input.
    shell.show_page("Run a task")
    page = shell.pages.currentWidget()
    assert isinstance(page, RunTaskPage)
    qtbot.waitUntil(lambda: page.picker.model() is not None, timeout=30_000)
    page.picker.select(1, "gpt-4o-mini")
    page.panel.budget.setValue(BUDGET)
    first_line, second_line = PROMPT.split("\n")
    qtbot.keyClicks(page.prompt, first_line)  # QTest cannot type "\n" itself: Return is a key press
    qtbot.keyClick(page.prompt, Qt.Key.Key_Return)
    qtbot.keyClicks(page.prompt, second_line)
    assert page.prompt.toPlainText() == PROMPT
    cli = run_cli(data_dir.root, "quote", "--provider", "1", "--model", "gpt-4o-mini", "--max-output", str(BUDGET),
                  "--prompt", PROMPT, "--json").json()
    qtbot.waitUntil(lambda: page.panel.state == "ok"
                    and page.panel.input_tokens.text() == count_text(cli["input_tokens"]), timeout=30_000)
    assert page.panel.price.text() == amount_short_price(int(cli["price_base_units"]))
    assert page.panel.balance_after.text() == amount_short(105 * ONE - int(cli["price_base_units"]))

    # Compare providers: every provider/model that can take it, cheapest first, as the engine ranks them.
    qtbot.mouseClick(page.panel.compare_button, LEFT)
    qtbot.waitUntil(lambda: page.compare_dialog is not None and page.compare_dialog.comparison is not None,
                    timeout=30_000)
    shown = page.compare_dialog.comparison  # type: ignore[union-attr]
    expected = service.compare(PromptInput.text(PROMPT), BUDGET, 105 * ONE)
    assert [(q.provider_id, q.model, q.price_base_units) for q in shown] == [
        (q.provider_id, q.model, q.price_base_units) for q in expected]
    prices = [q.price_base_units for q in shown]
    assert prices == sorted(prices) and len(prices) >= 4
    page.compare_dialog.reject()  # type: ignore[union-attr]

    # Pay and run: the confirmation states what will be signed; the answer comes with its receipt.
    qtbot.mouseClick(page.panel.pay_button, LEFT)
    sheet = page.payment.dialog
    assert sheet is not None
    qtbot.waitUntil(lambda: sheet.terms is not None, timeout=60_000)
    price = int(cli["price_base_units"])
    assert sheet.terms.ok and sheet.terms.amount == price, sheet.terms.verdict
    # Metered at the demo provider: the quote is the most that can be charged, beside the charge to expect.
    assert sheet.terms.metered and sheet.terms.expected is not None and 0 < sheet.terms.expected < price
    assert amount_full(sheet.terms.expected) in sheet.row_text("expected")
    assert sheet.cancel_button.isDefault()
    qtbot.mouseClick(sheet.pay_button, LEFT)
    qtbot.waitUntil(lambda: not page.payment.paying, timeout=120_000)
    assert "[Demo answer" in page.result.answer.toPlainText(), page.result.problem.text()
    [payment] = service.payments()
    assert payment.status == "settled" and payment.scheme == "upto" and payment.authorized == price
    assert payment.charged is not None and 0 < payment.charged < price  # the tokens generated, not the budget
    assert amount_short(payment.charged) in page.result.costs.text() and not page.result.disputed.isVisible()

    # History: the payment, with its task, quote and charge, once the chain's transfer is merged in.
    shell.show_page("History")
    history = shell.pages.currentWidget()
    assert isinstance(history, HistoryPage)

    def row_of(kind: str) -> Any:
        return next((r for r in history.model.cached_rows() if r.kind == kind and r.status == "confirmed"), None)

    qtbot.waitUntil(lambda: row_of("payment") is not None, timeout=60_000)
    paid = row_of("payment")
    history.table.selectRow(history.model.row_of(paid.id))
    details = history.details.values
    assert details["quote"] == details["max"] == amount_full(price)
    assert details["charged"] == amount_full(payment.charged) != details["quote"]
    assert paid.amount == payment.charged and "dispute" not in details
    assert details["provider"] == payment.provider_name and details["tx"] == payment.tx_hash

    # A second account; 2 AIT sent to it from the first, through Send & Receive; the send in the history.
    first = address
    shell.add_account()
    adder = shell.add_dialog
    assert adder is not None
    qtbot.mouseClick(adder.ok_button, LEFT)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(service.accounts()) == 2, timeout=30_000)
    second = next(a.address for a in service.accounts() if a.address != first)
    qtbot.waitUntil(lambda: shell.accounts.findData(second) >= 0, timeout=10_000)
    shell.accounts.activated.emit(shell.accounts.findData(first))  # back to the first, as a user picks it
    qtbot.waitUntil(lambda: service.current_account() == first, timeout=10_000)
    shell.show_page("Send & Receive")
    sending = shell.pages.currentWidget()
    assert isinstance(sending, SendReceivePage)
    qtbot.keyClicks(sending.send.to, second)
    qtbot.keyClicks(sending.send.amount, "2")
    qtbot.waitUntil(lambda: sending.send.plan is not None, timeout=30_000)
    assert not sending.send.plan.warnings  # the wallet's own account: nothing to warn about
    qtbot.mouseClick(sending.send.review, LEFT)
    qtbot.mouseClick(sending.send.dialog.confirm_button, LEFT)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "confirmed" in sending.send.status.text(), timeout=60_000)
    shell.show_page("History")
    history.filters.kind.setCurrentIndex(history.filters.kind.findData("send"))
    qtbot.waitUntil(lambda: row_of("send") is not None, timeout=60_000)
    sent = row_of("send")
    assert (sent.amount, sent.counterparty, sent.account) == (2 * ONE, second, first)
    assert service.ait_balance(second) == 2 * ONE

    # Quitting stops the devnet the app started and leaves no process behind.
    pid = DevnetManager(data_dir).status().pid
    wait_for_all()
    controller.shutdown()
    assert not DevnetManager(data_dir).status().running
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
