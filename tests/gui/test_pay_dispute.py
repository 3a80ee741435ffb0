"""A metered payment the provider overcharges, through the real widgets: a gateway that settles its payment
itself, at the maximum, whatever the answer used. The confirmation shows the maximum and the charge to expect;
the receipt says the charge is disputed, in the wallet's words, with the evidence one click away; History shows
the payment with a "disputed" badge, its maximum, charge and tokens, and the dispute's words in the details."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fit import clipped
from gatewaykit import TEST_MODELS, PrivateChain
from paywin import funded_service, main_window, open_confirmation, open_page, task_page_of, write_prompt
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shots import save_shot

from provider.misbehaviour import Misbehaviour
from ui import ops
from ui.dialogs.evidence import EvidenceDialog
from ui.formatting import amount_full
from ui.history_model import STATUS
from ui.pages.history import HistoryPage
from ui.theme import colour
from ui.widgets.status_badge import StatusDelegate, status_colour
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = [pytest.mark.gui, pytest.mark.chain]
BUDGET = 900  # the demo answers with 40 to 600 tokens: the maximum is more than any answer justifies
WORDS = "more than the metering rule"


@pytest.fixture
def service(tmp_path: Path, private: tuple[PrivateChain, str]) -> Iterator[WalletService]:
    service = funded_service(tmp_path / "wd", private[0].chain.profile, ait=5 * ONE)
    yield service
    service.close()


def test_an_overcharge_is_disputed_in_the_receipt_and_in_history(serve, service: WalletService,
                                                                  qtbot: QtBot) -> None:
    provider_id = serve(Misbehaviour(metered_charge="max"), settles_itself=True)
    with main_window(service, qtbot) as window:
        page = task_page_of(window, qtbot)
        write_prompt(page, qtbot, provider_id, TEST_MODELS[0].model, budget=BUDGET)
        dialog = open_confirmation(page, qtbot)
        t = dialog.terms
        assert t is not None and t.ok and t.metered and t.amount == t.quote
        expected = service.expected_charge(page.payment.pending().quote).expected
        assert t.expected == expected and 0 < expected < t.amount
        assert amount_full(expected) in dialog.row_text("expected")
        assert dialog.pay_button.text().startswith("Pay at most")

        qtbot.mouseClick(dialog.pay_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.payment.paying, timeout=60_000)
        [intent] = [p for p in service.payments() if p.status != "refused"]
        assert intent.status == "disputed" and intent.charged == t.amount
        result = page.result
        assert result.disputed.isVisible() and WORDS in result.dispute.text()
        assert not result.problem.isVisible()  # said once, as the dispute
        assert "metered" in result.costs.text() and "counted" in result.tokens.toolTip()
        save_shot(window, "run-task-dispute")
        qtbot.mouseClick(result.evidence_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: isinstance(page.payment.evidence, EvidenceDialog), timeout=10_000)
        evidence = page.payment.evidence
        assert evidence.isVisible() and '"problems"' in evidence.text and WORDS in evidence.text
        evidence.reject()

        history = open_page(window, HistoryPage)
        assert isinstance(history, HistoryPage)
        model = history.model
        qtbot.waitUntil(lambda: ops.idle() and any(
            model.row_at(i) is not None and model.row_at(i).status == "disputed" for i in range(model.rowCount())),
            timeout=20_000)
        row = next(i for i in range(model.rowCount()) if model.row_at(i).status == "disputed")
        assert model.data(model.index(row, STATUS)) == "disputed"
        assert isinstance(history.table.itemDelegateForColumn(STATUS), StatusDelegate)
        assert status_colour("disputed").name() == colour("danger").lower()  # the badge is painted in danger
        history.table.selectRow(row)
        shown = history.details.values
        assert WORDS in shown["dispute"] and shown["charged"] == amount_full(intent.charged or 0)
        assert shown["max"] == amount_full(intent.authorized) and shown["scheme"] == "metered (upto)"
        assert f"of {BUDGET:,} asked" in shown["tokens"]
        assert shown["expected"] == amount_full(int(intent.evidence["dispute"]["expected_base_units"]))
        assert history.details.evidence_button.isVisible()
        assert history.details.evidence_button.text() == "Show evidence…"
        QApplication.processEvents()
        assert clipped(history) == []  # the dispute's words wrap inside the details pane
        save_shot(window, "history-dispute")
