"""The paging history model on its own, over an in-memory source of 100,000 rows that counts what it is asked
(the real history, in SQLite, is in test_history_page.py): the row count is known from the first page, only the
pages a view shows are read, a bounded number stay cached, and a change of the history starts again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from ui import ops
from ui.history_model import AMOUNT, COUNTERPARTY, LOADING, MAX_PAGES, PAGE, ROW_ROLE, TIME, HistoryModel
from wallet.units import ONE

pytestmark = pytest.mark.gui
N = 100_000


@dataclass(frozen=True)
class Row:
    id: int
    timestamp: int
    kind: str = "payment"
    direction: str = "out"
    asset: str = "AIT"
    amount: int = ONE // 1000
    status: str = "confirmed"
    provider: str | None = "Demo AI"
    counterparty: str | None = "0x" + "ab" * 20


@dataclass
class Page:
    rows: list[Row]
    total: int
    offset: int


@dataclass
class Source:
    rows: list[Row]
    asked: list[tuple[Any, int, int]] = field(default_factory=list)
    read: int = 0  # rows handed out, all pages together

    def __call__(self, flt: Any, offset: int, limit: int) -> Page:
        self.asked.append((flt, offset, limit))
        matching = [r for r in self.rows if flt is None or r.kind == flt]
        page = Page(matching[offset:offset + limit], len(matching), offset)
        self.read += len(page.rows)
        return page


@pytest.fixture
def source() -> Source:
    return Source([Row(i, 1_700_000_000 - i, kind="payment" if i % 3 else "send") for i in range(N)])


def test_the_count_comes_with_the_first_page_and_only_shown_pages_are_read(source: Source, qtbot: QtBot) -> None:
    model = HistoryModel(source)
    with qtbot.waitSignal(model.loaded, timeout=10_000) as loaded:
        model.set_filter(None)
    assert loaded.args == [N] and model.rowCount() == N
    assert source.asked == [(None, 0, PAGE)]
    assert model.data(model.index(0, COUNTERPARTY)) == "Demo AI"
    assert model.data(model.index(0, AMOUNT)).startswith("−0.001")
    far = model.index(N - 1, TIME)
    assert model.data(far) == LOADING  # not read yet: asked for now
    qtbot.waitUntil(ops.idle, timeout=10_000)
    assert model.data(model.index(N - 1, 0), ROW_ROLE).id == N - 1
    assert [offset for _, offset, _ in source.asked] == [0, (N - 1) // PAGE * PAGE]


def test_a_view_reads_only_what_it_shows(source: Source, qtbot: QtBot) -> None:
    model = HistoryModel(source)
    view = QTableView()
    qtbot.addWidget(view)
    view.verticalHeader().setDefaultSectionSize(24)
    view.setModel(model)
    view.resize(800, 600)
    view.show()
    model.set_filter(None)
    qtbot.waitUntil(lambda: model.rowCount() == N and ops.idle(), timeout=10_000)
    assert source.read == PAGE  # open: the visible rows' page, with the count
    for _ in range(3):  # scrolling a screen at a time reads no more than what comes into view
        view.verticalScrollBar().setValue(view.verticalScrollBar().value() + view.viewport().height() // 24)
        qtbot.waitUntil(ops.idle, timeout=10_000)
    assert source.read == PAGE  # 3 screens of 25 rows stay inside the first page of 200
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.row_at(N - 1) is not None, timeout=10_000)
    assert len(source.asked) <= 3  # the top, the bottom (maybe the page before it): never the 500 between
    assert source.read <= 3 * PAGE  # 600 rows at most of the 100,000


def test_cached_pages_are_bounded(source: Source, qtbot: QtBot) -> None:
    model = HistoryModel(source)
    model.set_filter(None)
    qtbot.waitUntil(lambda: model.rowCount() == N, timeout=10_000)
    for page in range(MAX_PAGES + 10):
        model.data(model.index(page * PAGE, TIME))
    qtbot.waitUntil(ops.idle, timeout=10_000)
    assert len(model.cached_rows()) <= MAX_PAGES * PAGE


def test_a_filter_and_a_changed_history_start_again(source: Source, qtbot: QtBot) -> None:
    model = HistoryModel(source)
    model.set_filter("send")
    qtbot.waitUntil(lambda: model.rowCount() == N // 3 + 1, timeout=10_000)
    assert all(r.kind == "send" for r in model.cached_rows())
    source.rows.insert(0, Row(-1, 1_800_000_000, kind="send", direction="in"))  # a new transfer arrives
    model.data(model.index(PAGE * 5, TIME))  # a page read after the change sees a bigger total
    qtbot.waitUntil(lambda: model.rowCount() == N // 3 + 2 and model.row_at(0) is not None, timeout=10_000)
    assert model.row_at(0).id == -1
    assert model.data(model.index(0, AMOUNT)).startswith("+")
    assert model.data(model.index(0, AMOUNT), Qt.ItemDataRole.ToolTipRole) == "0.001 AIT"
