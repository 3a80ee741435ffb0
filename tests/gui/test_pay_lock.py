"""Locking around a payment, and a payment that takes its time: a lock closes the confirmation and forgets the
unsigned payment (even one still being asked for); a payment already signed goes on behind the lock screen and
its answer is there after unlocking; while a provider is slow, other work (reads, state changes on the serial
worker) is not held up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import shiboken6
from gatewaykit import TEST_MODELS, PrivateChain
from guikit import PASSWORD
from paywin import funded_service, main_window, open_confirmation, task_page_of, write_prompt
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from provider.demo_backend import DemoBackend
from ui import ops
from ui.main_window import MainWindow
from ui.ops import change_op, op
from ui.pages.run_task import RunTaskPage
from ui.views.lock import LockView
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = [pytest.mark.gui, pytest.mark.chain]
MODEL = TEST_MODELS[0].model
LEFT = Qt.MouseButton.LeftButton


class HeldBackend(DemoBackend):
    """The demo backend, holding each answer until released: a provider that takes its time."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    async def complete(self, priced: Any) -> Any:
        self.entered.set()
        await anyio.to_thread.run_sync(lambda: self.release.wait(60))
        return await super().complete(priced)


@pytest.fixture
def backend() -> Iterator[HeldBackend]:
    backend = HeldBackend()
    yield backend
    backend.release.set()


@pytest.fixture
def service(tmp_path: Path, private: tuple[PrivateChain, str]) -> Iterator[WalletService]:
    yield funded_service(tmp_path / "wd", private[0].chain.profile, ait=5 * ONE)


@pytest.fixture
def window(service: WalletService, qtbot: QtBot) -> Iterator[MainWindow]:
    with main_window(service, qtbot) as win:
        yield win


def ready_page(window: MainWindow, qtbot: QtBot, provider_id: int) -> RunTaskPage:
    page = task_page_of(window, qtbot)
    write_prompt(page, qtbot, provider_id, MODEL)
    return page


def test_lock_closes_the_confirmation_and_forgets_it(window: MainWindow, serve, service: WalletService,
                                                     qtbot: QtBot) -> None:
    page = ready_page(window, qtbot, serve())
    dialog = open_confirmation(page, qtbot)
    assert dialog.terms.ok and page.payment.pending() is not None
    window.controller.lock()
    assert window.controller.mode == "locked" and not dialog.isVisible()
    assert page.payment.dialog is None and page.payment.pending() is None and not page.payment.paying
    qtbot.waitUntil(lambda: service.is_locked() and ops.idle(), timeout=10_000)
    assert service.payments() == []


def test_a_lock_while_the_provider_is_asked_drops_its_answer(window: MainWindow, serve, service: WalletService,
                                                             qtbot: QtBot) -> None:
    page = ready_page(window, qtbot, serve())
    qtbot.mouseClick(page.panel.pay_button, LEFT)
    dialog = page.payment.dialog
    assert dialog is not None and dialog.terms is None  # still asking the provider
    window.controller.lock()
    qtbot.waitUntil(ops.idle, timeout=30_000)  # the demand arrives after the lock…
    assert page.payment.dialog is None and page.payment.pending() is None  # …and is dropped
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert not page.panel.busy


def test_a_signed_payment_finishes_behind_the_lock_screen(window: MainWindow, serve, service: WalletService,
                                                          backend: HeldBackend, qtbot: QtBot) -> None:
    page = ready_page(window, qtbot, serve(backend=backend))
    dialog = open_confirmation(page, qtbot)
    qtbot.mouseClick(dialog.pay_button, LEFT)
    qtbot.waitUntil(lambda: page.result.steps.stage_text() == "Waiting for the answer", timeout=30_000)
    assert backend.entered.wait(30)
    window.controller.lock()
    assert isinstance(window.modes.currentWidget(), LockView)  # nothing of the page is readable
    qtbot.waitUntil(service.is_locked, timeout=10_000)
    backend.release.set()
    qtbot.waitUntil(lambda: not page.payment.paying, timeout=60_000)
    [intent] = service.payments()
    assert intent.status == "settled"  # signed before the lock: it settles, once
    service.unlock(PASSWORD)
    qtbot.waitUntil(lambda: window.controller.mode == "main", timeout=10_000)
    assert "[Demo answer" in page.result.answer.toPlainText()
    assert page.result.tx.tx_hash == intent.tx_hash


def test_a_slow_provider_holds_up_no_other_work(window: MainWindow, serve, service: WalletService,
                                                backend: HeldBackend, qtbot: QtBot) -> None:
    page = ready_page(window, qtbot, serve(backend=backend))
    dialog = open_confirmation(page, qtbot)
    qtbot.mouseClick(dialog.pay_button, LEFT)
    assert backend.entered.wait(30)
    done: list[str] = []
    account = service.current_account() or ""
    change_op(lambda: service.rename_account(account, "Renamed while paying")).success(
        lambda _r: done.append("change")).run()
    op(lambda: service.ait_balance(account)).success(lambda _r: done.append("read")).run()
    qtbot.waitUntil(lambda: sorted(done) == ["change", "read"], timeout=10_000)
    assert page.payment.paying and not backend.release.is_set()  # the payment still waits on its provider
    assert not page.panel.pay_button.isEnabled()  # one payment at a time on this page
    backend.release.set()
    qtbot.waitUntil(lambda: not page.payment.paying, timeout=60_000)
    assert page.panel.pay_button.isEnabled()
