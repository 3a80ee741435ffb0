"""History: every movement of the wallet's accounts on this network — payments with their task, top-ups, sends,
receipts, faucet grants — in a table that pages (100,000 rows open as fast as ten), with filters, search, status
badges, a details pane, CSV export of what is shown, and a chart of AIT spent per provider per day or week.

The rows are the core's (``WalletService.history_page``), kept current by the core's ``history_changed``; the
chart (Qt Charts) is imported the first time it is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.controller import AppController
from ui.errors import report, user_message
from ui.history_model import AMOUNT, COUNTERPARTY, KIND, ROW_ROLE, STATUS, TIME, HistoryModel
from ui.ops import op
from ui.pages.base import Page
from ui.pages.history_details import HistoryDetails
from ui.pages.history_filters import HistoryFilters
from ui.pages.providers import EmptyState
from ui.pages.settings_parts import say, status_label
from ui.replace_tx import replace_transaction
from ui.widgets.common import title
from ui.widgets.status_badge import StatusDelegate

FIXED_COLUMNS = {TIME: 84, KIND: 76, AMOUNT: 116, STATUS: 96}  # pixels; Counterparty takes the rest
COUNTERPARTY_ROOM = 110  # narrower than this and Kind is hidden: a provider's name or a short address fits
ROW_HEIGHT = 26
RELOAD_MS = 300  # one re-read after a burst of history changes (a sync announces several)
SPIN_MS = 120
EMPTY = "No transactions yet — top up to get started."


class HistoryPage(Page):
    name = "History"

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.chart: Any = None  # ui.widgets.spend_chart.SpendChart, once drawn
        self.started = False
        self._after_rows = False
        self._selected_id: int | None = None
        self.dialog: QWidget | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 16)
        outer.setSpacing(10)
        outer.addWidget(title("History"))

        self.filters = HistoryFilters()
        self.filters.changed.connect(self.reload)
        self.chart_button = QToolButton()
        self.chart_button.setText("Chart")
        self.chart_button.setCheckable(True)
        self.chart_button.setChecked(True)
        self.chart_button.setToolTip("Show or hide the chart of AIT spent per provider")
        self.chart_button.toggled.connect(self._chart_toggled)
        self.period = QComboBox()
        self.period.addItem("per day", "day")
        self.period.addItem("per week", "week")
        self.period.currentIndexChanged.connect(lambda _i: self._read_chart())
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Save the rows shown (with these filters) as a CSV file")
        self.export_button.clicked.connect(self.export_csv)
        self.filters.dates.addStretch(1)
        for w in (self.chart_button, self.period, self.export_button):
            self.filters.dates.addWidget(w)
        outer.addWidget(self.filters)

        self.chart_box = QWidget()
        self.chart_box.setFixedHeight(170)
        QVBoxLayout(self.chart_box).setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.chart_box)

        self.model = HistoryModel(self.service.history_page, self)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(lambda e: say(self.status, user_message(e, "reading the history"), True))
        self.model.dataChanged.connect(self._rows_arrived)
        self.table = self._table()
        self.details = HistoryDetails()
        self.details.speed_up.connect(lambda tx: self._replace(tx, "speed_up"))
        self.details.cancel.connect(lambda tx: self._replace(tx, "cancel"))
        self.details.show_evidence.connect(self.show_evidence)
        self.empty = EmptyState(EMPTY)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.stack)
        self.split.addWidget(self.details)
        self.split.setStretchFactor(0, 1)
        self.split.setSizes([600, 260])
        outer.addWidget(self.split, 1)
        self.status = status_label()
        outer.addWidget(self.status)

        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(RELOAD_MS)
        self._soon.timeout.connect(self.reload)
        self._spin = QTimer(self)
        self._spin.setInterval(SPIN_MS)
        self._spin.timeout.connect(self._turn)
        signals = controller.signals
        signals.history_changed.connect(lambda _chain: self._changed())
        signals.network_switched.connect(lambda *_: self._changed())
        signals.transaction_status_changed.connect(lambda *_: self._changed())
        signals.accounts_changed.connect(self._name_accounts)
        self._name_accounts()

    def _name_accounts(self) -> None:
        """The wallet's own accounts go by their labels in the list, so a transfer between two reads as one."""
        op(self.service.accounts, parent=self).success(
            lambda accounts: self.model.set_account_names({a.address: a.label for a in accounts})).failure(
            lambda e: say(self.status, user_message(e, "reading the accounts"), True)).run()

    def _table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # 100,000 rows stay cheap
        table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        for column, width in FIXED_COLUMNS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(COUNTERPARTY, QHeaderView.ResizeMode.Stretch)
        self.badges = StatusDelegate(table)
        table.setItemDelegateForColumn(STATUS, self.badges)
        table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._show_details(current))
        table.viewport().installEventFilter(self)
        return table

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            # Narrow (the window at its minimum size, beside the details pane): the counterparty keeps its room
            # and Kind goes; the details pane's heading and the Kind filter still say it.
            narrow = self.table.viewport().width() < sum(FIXED_COLUMNS.values()) + COUNTERPARTY_ROOM
            self.table.setColumnHidden(KIND, narrow)
        return super().eventFilter(watched, event)

    # --- reading ---
    def on_shown(self) -> None:
        self.details.explorer = self.service.profile.explorer_url
        if not self.started:
            self.started = True
            self.reload()
        self._spin_if_pending()

    def main_field(self) -> QWidget | None:
        return self.filters.search

    def _changed(self) -> None:
        if self.started:
            self._soon.start()

    def reload(self) -> None:
        """Read again with the filters as they are (the selected row stays selected when it is still there).
        The chart and the provider list are read once the rows are in: the table comes first."""
        self._soon.stop()
        self._after_rows = True
        self.model.set_filter(self.filters.history_filter())

    def _loaded(self, total: int) -> None:
        if self._after_rows:
            self._after_rows = False
            QTimer.singleShot(0, self._read_chart)  # after the rows are painted
            if self.filters.provider.count() == 1:
                QTimer.singleShot(0, self._read_providers)
        self.stack.setCurrentWidget(self.table if total else self.empty)
        self.details.setVisible(bool(total))
        self.empty.set_text(EMPTY if not self.filters.describe() else "Nothing matches these filters.")
        row = self.model.row_of(self._selected_id) if self._selected_id is not None else None
        if row is not None:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        else:
            self.details.show_row(None)
        self._spin_if_pending()

    def _read_providers(self) -> None:
        service = self.service

        def names() -> list[str]:
            spent = {b.key for b in service.spend_summary("provider")}
            try:
                listed = {p.name for p in service.price_sheet()}
            except Exception as e:  # offline: the history still has the names it has
                report(e, "reading the providers for History's filter")
                listed = set()
            return sorted(spent | listed, key=str.lower)

        op(names, parent=self).success(self.filters.set_providers).failure(
            lambda e: report(e, "reading the providers for History's filter")).run()

    # --- details ---
    def _show_details(self, current: QModelIndex) -> None:
        row = self.model.data(current, ROW_ROLE) if current.isValid() else None
        self._selected_id = row.id if row is not None else self._selected_id
        self.details.show_row(row)

    def _rows_arrived(self, first: QModelIndex, last: QModelIndex) -> None:
        current = self.table.currentIndex()
        if current.isValid() and first.row() <= current.row() <= last.row() and self.details.row is None:
            self._show_details(current)
        self._spin_if_pending()

    def open_with(self, what: Any) -> None:
        """A row id: every row shown again, that one selected. "pending": only what is pending."""
        self.filters.clear()
        if what == "pending":
            self.filters.show_status("pending")
        elif isinstance(what, int):
            self.select_row(what)
        self.reload()

    def select_row(self, row_id: int) -> None:
        """Select the row with this id once it is read (Home's recent activity opens History this way)."""
        self._selected_id = row_id
        row = self.model.row_of(row_id)
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, 0))

    # --- pending spinner ---
    def _spin_if_pending(self) -> None:
        pending = self.isVisible() and any(r.status == "pending" for r in self.model.cached_rows())
        if pending and not self._spin.isActive():
            self._spin.start()
        elif not pending:
            self._spin.stop()

    def _turn(self) -> None:
        if not self.isVisible():
            self._spin.stop()
            return
        self.badges.phase += 1
        self.table.viewport().update()

    # --- chart ---
    def _chart_toggled(self, on: bool) -> None:
        self.chart_box.setVisible(on)
        self.period.setEnabled(on)
        if on:
            self._read_chart()

    def _read_chart(self) -> None:
        if not self.started or not self.chart_button.isChecked():
            return
        if self.chart is None:
            from ui.widgets.spend_chart import SpendChart  # Qt Charts: only once a chart is drawn

            self.chart = SpendChart()
            self.chart_box.layout().addWidget(self.chart)
        period, flt, service = self.period.currentData(), self.filters.history_filter(), self.service
        op(lambda: service.spend_series(period, flt), parent=self).success(
            lambda points: self.chart.set_points(points, period)).failure(
            lambda e: say(self.status, user_message(e, "reading the spending"), True)).run()

    # --- actions ---
    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the history", "history.csv", "CSV files (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        flt, service = self.filters.history_filter(), self.service
        self.export_button.setEnabled(False)
        op(lambda: service.export_history_csv(path, flt), parent=self).success(
            lambda n: say(self.status, f"Exported {n:,} row{'s' if n != 1 else ''} to {path}.")).failure(
            lambda e: say(self.status, user_message(e), True)).finally_(
            lambda: self.export_button.setEnabled(True)).run()

    def _replace(self, tx_hash: str, how: str) -> None:
        replace_transaction(self, self.service, tx_hash, how, lambda text, error: say(self.status, text, error))

    def show_evidence(self, payment_id: int) -> None:
        from ui.dialogs.evidence import open_evidence

        open_evidence(self.service, payment_id, self, lambda d: setattr(self, "dialog", d),
                      lambda e: say(self.status, user_message(e), True))
