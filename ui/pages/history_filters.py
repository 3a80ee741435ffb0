"""History's filters: search, kind, provider, status and a date range, turned into the core's ``HistoryFilter``.

``changed`` fires once typing pauses (search) or at once (the pickers); the page re-reads with ``history_filter()``.
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.history_model import KIND_NAMES
from wallet.history.model import HistoryFilter

STATUSES = ("pending", "confirmed", "failed", "expired", "replaced", "disputed")
ANY = ""
SEARCH_PAUSE_MS = 250
EARLIEST = QDate(2000, 1, 1)  # the date pickers' "any date"


def _picker(everything: str, items: list[tuple[str, str]]) -> QComboBox:
    box = QComboBox()
    box.addItem(everything, ANY)
    for text, data in items:
        box.addItem(text, data)
    return box


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(EARLIEST)
    edit.setSpecialValueText("any date")  # shown at the minimum: no bound
    edit.setDate(EARLIEST)
    return edit


def day_start(d: QDate) -> int:
    """Local midnight starting the day ``d``, as a Unix time."""
    return int(datetime.combine(d.toPython(), time()).timestamp())  # type: ignore[arg-type]


class HistoryFilters(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search address, tx hash, provider, model")
        self.search.setClearButtonEnabled(True)
        self.kind = _picker("All kinds", [(name, kind) for kind, name in KIND_NAMES.items()])
        self.provider = _picker("All providers", [])
        self.status = _picker("Any status", [(s.capitalize(), s) for s in STATUSES])
        self.since = _date_edit()
        self.until = _date_edit()
        self.since.setToolTip("From this day (local time)")
        self.until.setToolTip("Up to and including this day")
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SEARCH_PAUSE_MS)
        self._pause.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _t: self._pause.start())
        for box in (self.kind, self.provider, self.status):
            box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        for edit in (self.since, self.until):
            edit.dateChanged.connect(lambda _d: self.changed.emit())
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 2)
        top.addWidget(self.kind, 1)
        top.addWidget(self.provider, 1)
        top.addWidget(self.status, 1)
        self.dates = QHBoxLayout()  # the page adds its own buttons after the dates
        self.dates.setContentsMargins(0, 0, 0, 0)
        for text, edit in (("From", self.since), ("to", self.until)):
            label = QLabel(text)
            label.setBuddy(edit)
            self.dates.addWidget(label)
            self.dates.addWidget(edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(self.dates)

    def set_providers(self, names: list[str]) -> None:
        keep = self.provider.currentData()
        self.provider.blockSignals(True)
        while self.provider.count() > 1:
            self.provider.removeItem(1)
        for name in names:
            self.provider.addItem(name, name)
        self.provider.setCurrentIndex(max(self.provider.findData(keep), 0))
        self.provider.blockSignals(False)

    def clear(self) -> None:
        """Every row again (quietly: the caller reads once)."""
        for w in (self.search, self.kind, self.provider, self.status, self.since, self.until):
            w.blockSignals(True)
        self.search.clear()
        for box in (self.kind, self.provider, self.status):
            box.setCurrentIndex(0)
        for edit in (self.since, self.until):
            edit.setDate(EARLIEST)
        for w in (self.search, self.kind, self.provider, self.status, self.since, self.until):
            w.blockSignals(False)
        self._pause.stop()

    def show_status(self, status: str) -> None:
        """Only rows of this status (the status bar's pending count opens History this way); quietly."""
        self.status.blockSignals(True)
        self.status.setCurrentIndex(max(self.status.findData(status), 0))
        self.status.blockSignals(False)

    def history_filter(self) -> HistoryFilter:
        kind, provider, status = (box.currentData() for box in (self.kind, self.provider, self.status))
        since = None if self.since.date() == EARLIEST else day_start(self.since.date())
        until = None if self.until.date() == EARLIEST else day_start(self.until.date().addDays(1))
        text = self.search.text().strip() or None
        return HistoryFilter(kinds=(kind,) if kind else (), providers=(provider,) if provider else (),
                             statuses=(status,) if status else (), since=since, until=until, text=text)

    def describe(self) -> str:
        """The filter in words, for the empty state."""
        return "" if self.history_filter() == HistoryFilter() else " matching these filters"

