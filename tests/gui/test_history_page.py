"""History over the wallet's real database with 100,000 rows: it opens with the count and the first rows, scrolls
to the last, filters and searches in the core, shows a row's every field, exports what is shown, and its chart's
figures are `ai-wallet spend --json`'s; an empty history says what to do next."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from guikit import PASSWORD, TEST_PHRASE
from historykit import PROVIDERS, seed_history
from paywin import main_window, open_page
from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from shots import save_shot

from ui import ops
from ui.history_model import COUNTERPARTY, KIND, ROW_ROLE
from ui.main_window import MainWindow
from ui.pages.history import EMPTY, HistoryPage
from ui.widgets.spend_chart import MAX_BARS, SpendChart
from wallet.config import DataDir
from wallet.history.model import HistoryFilter
from wallet.service import WalletService
from wallet.units import ONE

pytestmark = pytest.mark.gui
N = 100_000


@pytest.fixture
def service(tmp_path: Path) -> Iterator[WalletService]:
    service = WalletService(DataDir(tmp_path / "wd").ensure())
    service.import_mnemonic(TEST_PHRASE, PASSWORD)
    yield service


@pytest.fixture
def window(service: WalletService, qtbot: QtBot) -> Iterator[MainWindow]:
    with main_window(service, qtbot) as win:
        yield win


def history_of(window: MainWindow, qtbot: QtBot, total: int) -> HistoryPage:
    page = open_page(window, HistoryPage)
    assert isinstance(page, HistoryPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == total and ops.idle(), timeout=20_000)
    return page


def test_an_empty_history_says_what_to_do(window: MainWindow, qtbot: QtBot) -> None:
    page = history_of(window, qtbot, 0)
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.empty, timeout=10_000)
    assert page.empty.headline.text() == EMPTY


def test_100_000_rows_open_scroll_filter_and_export(service: WalletService, qtbot: QtBot, tmp_path: Path) -> None:
    account = service.current_account() or ""
    seed_history(service.data_dir.database, service.profile.chain_id, account, N)
    with main_window(service, qtbot) as window:
        page = history_of(window, qtbot, N)
        assert page.stack.currentWidget() is page.table
        first = page.model.row_at(0)
        assert first.timestamp == max(r.timestamp for r in page.model.cached_rows())  # newest first
        assert len(page.model.cached_rows()) < 1_000  # not the 100,000
        save_shot(window, "history")

        page.table.scrollToBottom()
        qtbot.waitUntil(lambda: page.model.row_at(N - 1) is not None, timeout=20_000)
        last = page.model.row_at(N - 1)
        assert last.block_number == 0  # the oldest row

        page.table.selectRow(N - 1)
        assert page.details.row is last and page.details.values["tx"] == last.tx_hash
        assert page.details.values["account"] == account

        page.filters.kind.setCurrentIndex(page.filters.kind.findData("payment"))
        page.filters.provider.addItem(PROVIDERS[1], PROVIDERS[1])
        page.filters.provider.setCurrentIndex(page.filters.provider.findData(PROVIDERS[1]))
        want = service.history_page(HistoryFilter(kinds=("payment",), providers=(PROVIDERS[1],)), 0, 1).total
        qtbot.waitUntil(lambda: page.model.rowCount() == want and ops.idle(), timeout=20_000)
        assert 0 < want < N and all(r.provider == PROVIDERS[1] for r in page.model.cached_rows())

        needle = last.tx_hash[10:22]
        page.filters.search.setText(needle.upper())  # any case
        qtbot.waitUntil(lambda: page.model.rowCount() == 0 and ops.idle(), timeout=20_000)  # not a payment
        page.filters.kind.setCurrentIndex(0)
        page.filters.provider.setCurrentIndex(0)
        qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.row_at(0) is not None, timeout=20_000)
        assert page.model.row_at(0).tx_hash == last.tx_hash

        target = tmp_path / "shown.csv"
        page.export_to(target)
        qtbot.waitUntil(lambda: "Exported 1 row" in page.status.text(), timeout=20_000)
        with target.open(newline="") as f:
            [row] = list(csv.DictReader(f))
        assert row["tx_hash"] == last.tx_hash


def test_a_payment_row_shows_its_task(service: WalletService, qtbot: QtBot) -> None:
    seed_history(service.data_dir.database, service.profile.chain_id, service.current_account() or "", 50)
    with main_window(service, qtbot) as window:
        page = history_of(window, qtbot, 50)
        row = next(i for i in range(50) if page.model.row_at(i).kind == "payment")
        page.table.selectRow(row)
        shown = page.details.values
        assert shown["tokens"] == "40 in · 120 out"
        assert shown["quote"] == shown["charged"] == "0.002 AIT"
        assert page.model.data(page.model.index(row, 0), ROW_ROLE).provider == shown["provider"]
        save_shot(window, "history-details")


def test_own_accounts_go_by_their_names(service: WalletService, qtbot: QtBot) -> None:
    """A transfer between two of the wallet's accounts: each side names the other by its label."""
    from wallet.history.merge import search_text
    from wallet.storage import Database

    first = service.current_account() or ""
    second = service.add_account("Savings").address
    tx = "0x" + "5a" * 32
    db = Database(service.data_dir.database)
    try:
        with db.write() as conn:
            for account, kind, direction, other in ((first, "send", "out", second), (second, "receive", "in", first)):
                conn.execute(
                    "INSERT INTO history (chain_id, account, kind, status, direction, asset, amount, counterparty, "
                    "tx_hash, block_number, timestamp, provider, model, details, search) VALUES "
                    "(?, ?, ?, 'confirmed', ?, 'AIT', ?, ?, ?, 7, 1700000000, NULL, NULL, NULL, ?)",
                    (service.profile.chain_id, account, kind, direction, str(5 * ONE), other, tx,
                     search_text(account, other, tx, None, None)))
    finally:
        db.close()
    with main_window(service, qtbot) as window:
        page = history_of(window, qtbot, 2)
        model = page.model

        def shown() -> dict[str, tuple[str, str]]:
            return {model.row_at(i).kind: (model.data(model.index(i, COUNTERPARTY)),
                                           model.data(model.index(i, KIND), Qt.ItemDataRole.ToolTipRole))
                    for i in range(2)}

        qtbot.waitUntil(lambda: shown()["send"][0] == "Savings", timeout=10_000)
        assert shown()["receive"] == ("Account 1", f"On Savings ({second})")
        assert shown()["send"][1] == f"On Account 1 ({first})"
        service.rename_account(second, "Holiday")
        qtbot.waitUntil(lambda: shown()["send"][0] == "Holiday", timeout=10_000)


def cli_spend(service: WalletService, by: str, *more: str) -> dict[str, int]:
    """`ai-wallet spend --by BY --json` on the same data dir, as amounts in base units."""
    proc = subprocess.run([sys.executable, "-m", "wallet.cli.main", "--data-dir", str(service.data_dir.root),
                           "spend", "--by", by, *more, "--no-sync", "--json"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return {b["key"]: int(b["amount_base_units"]) for b in json.loads(proc.stdout)["buckets"]}


def test_the_chart_matches_the_cli_spend(service: WalletService, qtbot: QtBot) -> None:
    seed_history(service.data_dir.database, service.profile.chain_id, service.current_account() or "", 3_000)
    with main_window(service, qtbot) as window:
        page = history_of(window, qtbot, 3_000)
        qtbot.waitUntil(lambda: page.chart is not None and bool(page.chart.amounts), timeout=20_000)
        chart = page.chart
        by_day = cli_spend(service, "day")
        assert chart.periods[-1] == max(by_day) and len(chart.periods) == MAX_BARS  # the latest days
        assert {p: chart.total(p) for p in chart.periods} == {p: by_day.get(p, 0) for p in chart.periods}
        by_provider = cli_spend(service, "provider", "--since", chart.periods[0])
        assert {who: sum(a for (_, w), a in chart.amounts.items() if w == who) for who in chart.providers} \
            == by_provider
        chart.toggle(PROVIDERS[0])
        assert all(chart.total(p) == by_day.get(p, 0) - chart.amounts.get((p, PROVIDERS[0]), 0)
                   for p in chart.periods)
        chart.toggle(PROVIDERS[0])  # and back
        page.period.setCurrentIndex(page.period.findData("week"))
        by_week = cli_spend(service, "week")
        qtbot.waitUntil(lambda: chart.periods[-1] == max(by_week), timeout=20_000)
        assert {p: chart.total(p) for p in chart.periods} == {p: by_week.get(p, 0) for p in chart.periods}
        qtbot.mouseClick(page.chart_button, Qt.MouseButton.LeftButton)
        assert not page.chart_box.isVisible()
        assert sum(by_week.values()) > ONE  # the figures are real


def test_the_chart_axis_writes_small_spending_in_plain_decimals(qtbot: QtBot) -> None:
    chart = SpendChart()
    qtbot.addWidget(chart)
    chart.set_points([SimpleNamespace(period="2026-11-29", provider="Demo AI", amount=115_350_000_000_000)])
    axis = next(a for a in chart.chart_.axes() if isinstance(a, QValueAxis))
    labels = [axis.labelFormat() % (axis.min() + i * (axis.max() - axis.min()) / (axis.tickCount() - 1))
              for i in range(axis.tickCount())]
    assert not any("e" in label for label in labels) and len(set(labels)) == len(labels), labels
