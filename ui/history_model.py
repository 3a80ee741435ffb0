"""The history as a Qt table model that pages: it knows how many rows match at once and reads only the pages
the view shows, in the background, so 100,000 rows open as fast as 10.

    model = HistoryModel(service.history_page)     # fetch(filter, offset, limit) -> page with .rows, .total
    model.set_filter(HistoryFilter(kinds=("payment",)))

A row not read yet shows a placeholder and asks for its page; pages already read are kept (the most recently
used ones, up to a bound) until the filter changes or the history does (``refresh``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from ui.formatting import absolute_time, amount_full, amount_short, relative_time, short_address
from ui.ops import op
from ui.theme import colour

PAGE = 200
MAX_PAGES = 64  # pages kept in memory: 12,800 rows, far more than any screen shows
COLUMNS = ("Time", "Kind", "Counterparty", "Amount", "Status")
TIME, KIND, COUNTERPARTY, AMOUNT, STATUS = range(len(COLUMNS))
KIND_NAMES = {"payment": "Payment", "topup": "Top-up", "send": "Send", "receive": "Receive",
              "faucet": "Faucet", "cancel": "Cancellation", "call": "Contract call"}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row object itself
LOADING = "…"

Fetch = Callable[[Any, int, int], Any]  # (filter, offset, limit) -> a page: .rows, .total


def counterparty_text(row: Any, names: Mapping[str, str] | None = None) -> str:
    """The provider, or the other side's address; ``names`` (lower-case address → label) names the wallet's own
    accounts, so a transfer between two of them reads as one."""
    if row.provider:
        return str(row.provider)
    if row.counterparty:
        return (names or {}).get(row.counterparty.lower()) or short_address(row.counterparty)
    return "newly minted" if (getattr(row, "details", None) or {}).get("minted") else "—"


def signed_amount(row: Any) -> str:
    """"+12.5 AIT" in, "−0.0012 AIT" out; lists show up to 6 significant decimals."""
    sign = "+" if row.direction == "in" else "−"
    return sign + amount_short(row.amount, row.asset)


class HistoryModel(QAbstractTableModel):
    loaded = Signal(int)  # the first page of a filter is in: how many rows match
    failed = Signal(object)  # a page could not be read

    def __init__(self, fetch: Fetch, parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self.filter: Any = None
        self.total = 0
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        self._asked: set[int] = set()
        self._generation = 0
        self.spinner = 0  # the pending rows' spinner phase (the page turns it while pending rows are shown)
        self.names: dict[str, str] = {}  # the wallet's own accounts: lower-case address → label

    def set_account_names(self, names: Mapping[str, str]) -> None:
        self.names = {address.lower(): label for address, label in names.items()}
        if self.total:
            self.dataChanged.emit(self.index(0, 0), self.index(self.total - 1, len(COLUMNS) - 1))

    # --- what is shown ---
    def set_filter(self, flt: Any) -> None:
        self.filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Read again from the first page (the history changed, or another filter): what was cached goes."""
        self._generation += 1
        self.beginResetModel()
        self.total = 0
        self._pages.clear()
        self._asked.clear()
        self.endResetModel()
        self._ask(0)

    def row_at(self, row: int) -> Any:
        """The row object, or None while its page is being read."""
        page = self._pages.get(row // PAGE)
        if page is None:
            return None
        self._pages.move_to_end(row // PAGE)
        i = row % PAGE
        return page[i] if i < len(page) else None

    def cached_rows(self) -> list[Any]:
        return [r for page in self._pages.values() for r in page]

    def row_of(self, row_id: int) -> int | None:
        """Where the row with this id is, among the pages read."""
        for index, page in self._pages.items():
            for i, r in enumerate(page):
                if r.id == row_id:
                    return index * PAGE + i
        return None

    # --- reading pages ---
    def _ask(self, index: int) -> None:
        if index in self._asked:
            return
        self._asked.add(index)
        generation, flt, fetch = self._generation, self.filter, self._fetch
        op(lambda: fetch(flt, index * PAGE, PAGE), parent=self).success(
            lambda page: self._arrived(generation, index, page)).failure(
            lambda exc: self._failed(generation, index, exc)).run()

    def _arrived(self, generation: int, index: int, page: Any) -> None:
        if generation != self._generation:
            return  # read for another filter or an older history
        self._pages[index] = list(page.rows)
        self._pages.move_to_end(index)
        while len(self._pages) > MAX_PAGES:
            old, _ = self._pages.popitem(last=False)
            self._asked.discard(old)
        if page.total != self.total:
            if self.total:  # the history changed under the pages read so far: start again
                self.refresh()
                return
            if page.total:
                self.beginInsertRows(QModelIndex(), 0, page.total - 1)
                self.total = page.total
                self.endInsertRows()
        first = index * PAGE
        last = min(first + PAGE, self.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        if index == 0:
            self.loaded.emit(self.total)

    def _failed(self, generation: int, index: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._asked.discard(index)  # asked again when the view next needs it
            self.failed.emit(exc)

    # --- the Qt model ---
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section == AMOUNT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        column = index.column()
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._ask(index.row() // PAGE)
                return LOADING if column == TIME else ""
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == AMOUNT:
            return QColor(colour("success")) if row.direction == "in" else QColor(colour("muted"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: Any, column: int) -> str:
        if column == TIME:
            return relative_time(row.timestamp)
        if column == KIND:
            return KIND_NAMES.get(row.kind, row.kind)
        if column == COUNTERPARTY:
            return counterparty_text(row, self.names)
        if column == AMOUNT:
            return signed_amount(row)
        return str(row.status)

    def _tip(self, row: Any, column: int) -> str:
        if column == TIME:
            return absolute_time(row.timestamp)
        if column == AMOUNT:
            return amount_full(row.amount, row.asset)
        if column == COUNTERPARTY:
            return row.counterparty or ""
        account = getattr(row, "account", None)
        if column == KIND and account:
            label = self.names.get(account.lower())
            return f"On {label} ({account})" if label else f"On {account}"
        return ""
