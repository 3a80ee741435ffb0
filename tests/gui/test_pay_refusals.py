"""The confirmation against real gateways made to misbehave (tests/gatewaykit.py): each refusal of the guard is
shown in words, with nothing to sign — no Pay button, Close instead of Cancel — and recorded as refused, and the
account's balance does not move. Budgets refuse the same way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gatewaykit import TEST_MODELS, PrivateChain
from paywin import funded_service, open_confirmation, task_page
from pytestqt.qtbot import QtBot
from shots import save_shot

from provider.misbehaviour import Misbehaviour, oversized_header
from ui import ops
from ui.pages.run_task import RunTaskPage
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = [pytest.mark.gui, pytest.mark.chain]
MODEL = TEST_MODELS[0].model


@pytest.fixture
def service(tmp_path: Path, private: tuple[PrivateChain, str]) -> Iterator[WalletService]:
    service = funded_service(tmp_path / "wd", private[0].chain.profile, ait=5 * ONE)
    yield service
    service.close()


def assert_refused(page: RunTaskPage, service: WalletService, qtbot: QtBot, words: str) -> None:
    account = service.current_account() or ""
    before = service.ait_balance(account)
    dialog = open_confirmation(page, qtbot)
    terms = dialog.terms
    assert terms is not None and not terms.ok
    assert words in dialog.verdict.text() and dialog.verdict.text().endswith("Nothing was signed.")
    assert not dialog.pay_button.isVisible() and dialog.cancel_button.text() == "Close"
    assert dialog.cancel_button.isDefault()
    assert page.payment.pending() is None  # nothing held to sign
    [record] = [p for p in service.payments() if p.id == terms.refusal_id]
    assert record.status == "refused" and record.nonce is None
    dialog.reject()
    qtbot.waitUntil(lambda: page.payment.dialog is None and ops.idle(), timeout=10_000)
    assert service.ait_balance(account) == before


@pytest.mark.parametrize(("misbehaviour", "words"), [
    (Misbehaviour(overcharge=1), "but the quote was"),
    (Misbehaviour(pay_to="0x000000000000000000000000000000000000dEaD"), "registry's payee"),
    (Misbehaviour(network="eip155:1"), "eip155:1"),
    (Misbehaviour(max_timeout_seconds=3600), "3,600 seconds"),
    (Misbehaviour(payment_required_header="not%%base64"), "cannot be read"),
    (Misbehaviour(payment_required_header=oversized_header()), "cannot be read"),
], ids=["overcharge", "pay_to", "network", "validity", "malformed", "oversized"])
def test_each_dishonest_demand_is_refused_in_words(serve, service: WalletService, qtbot: QtBot,
                                                   misbehaviour: Misbehaviour, words: str) -> None:
    page = task_page(service, qtbot, serve(misbehaviour))
    if misbehaviour.overcharge:
        dialog = open_confirmation(page, qtbot)
        save_shot(dialog, "confirm-payment-refused")
        dialog.reject()
        qtbot.waitUntil(lambda: page.payment.dialog is None and ops.idle(), timeout=10_000)
    assert_refused(page, service, qtbot, words)


def test_another_asset_is_refused(serve, service: WalletService, private: tuple[PrivateChain, str],
                                  qtbot: QtBot) -> None:
    sale = private[0].chain.profile.contract("TokenSale")
    page = task_page(service, qtbot, serve(Misbehaviour(asset=sale)))
    assert_refused(page, service, qtbot, "not this network's AI Token")


def test_budgets_refuse_before_signing(serve, service: WalletService, qtbot: QtBot) -> None:
    page = task_page(service, qtbot, serve())
    service.set_payment_budgets(1, None)  # one base unit per task
    assert_refused(page, service, qtbot, "over the per-task budget")
    service.set_payment_budgets(None, 1)
    assert_refused(page, service, qtbot, "over what is left of today's budget")
