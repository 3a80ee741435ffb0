"""Top up, Send & Receive, and what follows them, through the real widgets on a chain of this module's own: the
top-up fields drive each other and buy from the real token sale; a send checks its recipient as typed, needs
its warnings acknowledged, and is confirmed by the chain; a stuck send is sped up from the pending list; a
payment request's QR; an incoming transfer is announced; the status bar counts what is pending and opens
History on it; Home shows the recent activity."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from gatewaykit import PrivateChain
from paywin import funded_service, main_window, open_page
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shots import save_shot

from ui import ops
from ui.formatting import amount_short
from ui.main_window import MainWindow
from ui.pages.history import HistoryPage
from ui.pages.home import HomePage
from ui.pages.send_receive import SendReceivePage
from ui.pages.topup import TopUpPage
from wallet.service import WalletService
from wallet.units import ONE, parse_amount

pytestmark = [pytest.mark.gui, pytest.mark.chain]
LEFT = Qt.MouseButton.LeftButton


def rpc(url: str, method: str, *params: Any) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read()).get("result")


@pytest.fixture
def service(tmp_path: Path, private: tuple[PrivateChain, str]) -> Iterator[WalletService]:
    yield funded_service(tmp_path / "wd", private[0].chain.profile, ait=20 * ONE, eth=2 * ONE)


@pytest.fixture
def window(service: WalletService, qtbot: QtBot) -> Iterator[MainWindow]:
    with main_window(service, qtbot) as win:
        service.start_watching(0.2)  # as the app does once the network is up: the history follows blocks
        yield win


@pytest.fixture
def automine(private: tuple[PrivateChain, str]) -> Iterator[str]:
    """The private chain's RPC URL; it mines again after the test, whatever the test did."""
    url = private[0].chain.profile.rpc_url
    yield url
    rpc(url, "evm_setAutomine", True)


def send_page(window: MainWindow) -> SendReceivePage:
    page = open_page(window, SendReceivePage)
    assert isinstance(page, SendReceivePage)
    return page


def prepared(qtbot: QtBot, page: SendReceivePage, to: str, amount: str) -> Any:
    send = page.send
    send.to.setText(to)
    send.amount.setText(amount)
    qtbot.waitUntil(lambda: send.plan is not None, timeout=20_000)
    return send.plan


def test_the_recipient_is_checked_as_it_is_typed(window: MainWindow, service: WalletService) -> None:
    send = send_page(window).send
    send.to.setText("0x1234")
    assert "40" in send.to_problem.text() and send.to_problem.isVisible()
    checksum_error = "0x" + Account.create().address[2:].swapcase()[:39] + "a"
    send.to.setText(checksum_error if checksum_error[2:] not in (checksum_error[2:].lower(),
                                                                   checksum_error[2:].upper()) else "0xZZ")
    assert send.to_problem.isVisible()
    send.to.setText(service.profile.contract("AIToken"))
    assert "AI Token contract itself" in send.to_problem.text()
    send.to.setText(Account.create().address)
    assert not send.to_problem.isVisible() and not send.review.isEnabled()  # no amount yet


def test_a_send_with_a_warning_is_acknowledged_then_confirmed(window: MainWindow, service: WalletService,
                                                             qtbot: QtBot) -> None:
    page = send_page(window)
    friend = Account.create().address
    plan = prepared(qtbot, page, friend, "1.5")
    assert plan.amount == 3 * ONE // 2 and [w.code for w in plan.warnings] == ["new_address"]
    assert "has never sent to or received from" in page.send.warnings.text()
    shown_fee = page.send.summary.text().partition(", at most ")[2].partition(" ETH")[0]
    assert parse_amount(shown_fee) >= plan.fees.max_cost  # what may be paid is never shown lower
    qtbot.mouseClick(page.send.review, LEFT)
    dialog = page.send.dialog
    assert dialog is not None and dialog.values["To"] == friend and dialog.cancel_button.isDefault()
    assert not dialog.confirm_button.isEnabled()  # the warning first
    save_shot(dialog, "confirm-send")
    dialog.acknowledge.setChecked(True)
    qtbot.mouseClick(dialog.confirm_button, LEFT)
    qtbot.waitUntil(lambda: page.send.sent is not None or "Signing" not in page.send.status.text(), timeout=30_000)
    assert page.send.sent is not None, page.send.status.text()
    qtbot.waitUntil(lambda: "confirmed" in page.send.status.text(), timeout=30_000)
    assert page.send.status.text().startswith(f"1.5 AIT to {friend[:6]}")  # in words, not a bare hash
    assert service.ait_balance(friend) == 3 * ONE // 2
    qtbot.waitUntil(lambda: not page.send.pending.rows, timeout=10_000)
    save_shot(window, "send")


def test_max_sends_everything(window: MainWindow, service: WalletService, qtbot: QtBot) -> None:
    page = send_page(window)
    qtbot.mouseClick(page.send.max_button, LEFT)
    plan = prepared(qtbot, page, Account.create().address, "max")
    assert plan.amount == service.ait_balance(service.current_account() or "")
    page.send.asset.setCurrentIndex(page.send.asset.findData("ETH"))
    qtbot.waitUntil(lambda: page.send.plan is not None and page.send.plan.asset == "ETH", timeout=20_000)
    eth = page.send.plan
    assert eth.amount + eth.fees.max_cost == eth.eth_balance  # everything but the fee


def test_a_stuck_send_is_sped_up_from_the_pending_list(window: MainWindow, service: WalletService, qtbot: QtBot,
                                                       automine: str) -> None:
    page = send_page(window)
    rpc(automine, "evm_setAutomine", False)
    stuck = service.send(service.prepare_send(service.current_account() or "", Account.create().address, "1"),
                         accept_warnings=True)
    page.send.pending.reload()
    qtbot.waitUntil(lambda: stuck.tx_hash in page.send.pending.rows, timeout=20_000)
    window.status.count_pending()
    qtbot.waitUntil(lambda: window.status.pending.isVisible(), timeout=20_000)
    assert window.status.pending.text() == "1 pending"
    save_shot(window, "send-pending")
    speed, _cancel = page.send.pending.rows[stuck.tx_hash]
    qtbot.mouseClick(speed, LEFT)
    qtbot.waitUntil(lambda: page.send.pending.property("openDialog") is not None, timeout=20_000)
    dialog = page.send.pending.property("openDialog")
    assert dialog.values["Transaction"] == stuck.tx_hash and dialog.cancel_button.isDefault()
    qtbot.mouseClick(dialog.confirm_button, LEFT)
    qtbot.waitUntil(lambda: "Sped up" in page.send.status.text(), timeout=20_000)
    rpc(automine, "evm_mine")
    qtbot.waitUntil(lambda: not page.send.pending.rows and not window.status.pending.isVisible(), timeout=30_000)
    statuses = {t.tx_hash: t.status for t in service.transactions()}
    assert statuses[stuck.tx_hash] == "replaced" and sorted(statuses.values()) == ["confirmed", "replaced"]


def test_the_pending_count_opens_history_on_what_is_pending(window: MainWindow, service: WalletService,
                                                            qtbot: QtBot, automine: str) -> None:
    rpc(automine, "evm_setAutomine", False)
    stuck = service.send(service.prepare_send(service.current_account() or "", Account.create().address, "2"),
                         accept_warnings=True)
    window.status.count_pending()
    qtbot.waitUntil(lambda: window.status.pending.isVisible(), timeout=20_000)
    qtbot.mouseClick(window.status.pending, LEFT)
    history = window.view("main").pages.currentWidget()
    assert isinstance(history, HistoryPage) and history.filters.status.currentData() == "pending"
    qtbot.waitUntil(lambda: history.model.rowCount() == 1 and history.model.row_at(0) is not None, timeout=20_000)
    assert history.model.row_at(0).tx_hash == stuck.tx_hash
    rpc(automine, "evm_mine")


def test_top_up_fields_drive_each_other_and_buy(window: MainWindow, service: WalletService, qtbot: QtBot) -> None:
    page = open_page(window, TopUpPage)
    assert isinstance(page, TopUpPage)
    account = service.current_account() or ""
    before = service.ait_balance(account)
    qtbot.keyClicks(page.ait, "10")
    qtbot.waitUntil(lambda: page.plan is not None, timeout=20_000)
    plan = page.plan
    assert plan.tokens == 10 * ONE and parse_amount(page.eth.text()) == plan.eth_cost
    assert page.terms["Rate"].text().startswith("1 ETH = ") and "at most" in page.terms["Network fee"].text()
    page.eth.clear()
    qtbot.keyClicks(page.eth, "0.001")
    qtbot.waitUntil(lambda: page.plan is not None and page.plan.eth_cost == ONE // 1000, timeout=20_000)
    assert parse_amount(page.ait.text()) == page.plan.tokens
    save_shot(window, "topup")
    qtbot.mouseClick(page.review, LEFT)
    dialog = page.dialog
    assert dialog is not None and dialog.values["Token sale"] == service.profile.contract("TokenSale")
    assert dialog.confirm_button.isEnabled() and dialog.cancel_button.isDefault()
    save_shot(dialog, "confirm-topup")
    qtbot.mouseClick(dialog.confirm_button, LEFT)
    bought = page.plan
    qtbot.waitUntil(lambda: page.status.text().startswith("Done"), timeout=30_000)
    assert service.ait_balance(account) == before + bought.tokens


def test_top_up_never_shows_less_than_it_may_cost_nor_a_stale_balance(window: MainWindow, service: WalletService,
                                                                        qtbot: QtBot) -> None:
    page = open_page(window, TopUpPage)
    assert isinstance(page, TopUpPage)
    qtbot.keyClicks(page.ait, "1")
    qtbot.waitUntil(lambda: page.plan is not None, timeout=20_000)
    plan = page.plan
    shown_total = parse_amount(page.terms["In all, at most"].text().removesuffix(" ETH"))
    shown_fee = parse_amount(page.terms["Network fee"].text().rpartition("at most ")[2].removesuffix(" ETH"))
    assert shown_total >= plan.total_eth and shown_fee >= plan.fees.max_cost
    qtbot.mouseClick(page.review, LEFT)
    assert page.dialog is not None
    qtbot.mouseClick(page.dialog.confirm_button, LEFT)
    qtbot.waitUntil(lambda: page.status.text().startswith("Done"), timeout=30_000)
    qtbot.waitUntil(lambda: page.plan is not None and page.plan.eth_balance < plan.eth_balance, timeout=20_000)
    account = service.current_account() or ""
    assert page.terms["This account holds"].text() == amount_short(service.eth_balance(account), "ETH")


def test_receive_shows_a_payment_request(window: MainWindow, service: WalletService, qtbot: QtBot) -> None:
    page = send_page(window)
    page.show_receive()
    receive = page.receive
    qtbot.keyClicks(receive.amount, "2.5")
    want = service.payment_request(service.current_account() or "", "2.5")["uri"]
    qtbot.waitUntil(lambda: receive.uri == want, timeout=10_000)
    assert not receive.qr.pixmap().isNull() and receive.uri_label.text() == want
    assert receive.address.address == service.current_account()
    receive.amount.setText("two")
    qtbot.waitUntil(lambda: receive.problem.isVisible(), timeout=10_000)
    receive.amount.clear()
    qtbot.waitUntil(lambda: "value" not in receive.uri and ops.idle(), timeout=10_000)
    save_shot(window, "receive")


def test_an_incoming_transfer_is_announced_and_listed_on_home(window: MainWindow, service: WalletService,
                                                              private: tuple[PrivateChain, str],
                                                              qtbot: QtBot) -> None:
    from wallet.devnet.faucet import faucet

    home = open_page(window, HomePage)
    assert isinstance(home, HomePage)
    # Only transfers found after the first sync are announced (an old one is history, not news): have that sync
    # done first, whatever the window's own has reached on a loaded machine.
    service.sync_history()
    faucet(private[0].chain.profile, service.current_account() or "", eth=0, ait=3 * ONE)
    notice = window.view("main").notice
    qtbot.waitUntil(notice.isVisible, timeout=30_000)
    assert notice.text.text().startswith("Received 3 AIT")
    qtbot.waitUntil(lambda: any(r.amount == 3 * ONE for r in home.recent.rows), timeout=30_000)
    save_shot(window, "home-activity")
    row = next(r for r in home.recent.rows if r.amount == 3 * ONE)
    home.recent.open_row.emit(row.id)
    history = window.view("main").pages.currentWidget()
    assert isinstance(history, HistoryPage)
    qtbot.waitUntil(lambda: history.details.row is not None and history.details.row.id == row.id, timeout=20_000)
