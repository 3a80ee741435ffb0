"""Compare providers: every provider/model that can take the prompt, cheapest first, and who cannot and why.

The comparison runs in a background operation (it may have to read the registry); the dialog opens at once
and fills in when it is done.
"""

from __future__ import annotations

from html import escape
from typing import Protocol

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.errors import user_message
from ui.formatting import aligned_prices, amount_full, amount_short
from ui.ops import op
from ui.theme import colour
from ui.widgets.common import plain_tip, subtitle
from ui.widgets.model_picker import THEME_EVENTS, count_text, restyle
from wallet.quote import Comparison, PromptInput


class Comparer(Protocol):
    """What the dialog compares with (the wallet service)."""

    def compare(self, prompt_input: PromptInput, max_output: int, balance: int | None = None) -> Comparison: ...


COLUMNS = ("Provider", "Model", "Verified", "Input tokens", "Price", "Balance after")
RIGHT = {3, 4, 5}
COLUMN_PADDING = 28  # air between columns: contents alone would touch their neighbours


def _item(text: str, tip: str = "", right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if tip:
        item.setToolTip(plain_tip(tip))  # tips quote registry strings; an item's text is never markup
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class CompareDialog(QDialog):
    """``chosen(provider_id, model)`` when the user picks a row to use."""

    chosen = Signal(int, str)

    def __init__(self, engine: Comparer, prompt_input: PromptInput, max_output: int, balance: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare providers")
        self.resize(760, 440)
        self.comparison: Comparison | None = None
        self.failed = False
        self._tinted: list[tuple[QTableWidgetItem, str]] = []  # (item, semantic colour), re-tinted on theme change
        self.header = subtitle(f"Comparing every provider for this prompt with an output budget of "
                               f"{count_text(max_output)} tokens…")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        head = self.table.horizontalHeader()
        head.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in RIGHT:
            self.table.horizontalHeaderItem(c).setTextAlignment(Qt.AlignmentFlag.AlignRight
                                                                | Qt.AlignmentFlag.AlignVCenter)
        self.table.itemDoubleClicked.connect(lambda _: self._use())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.refusals_title = QLabel("Cannot take this prompt")
        self.refusals_title.setStyleSheet("font-weight: 600;")
        self.refusals = QLabel()
        self.refusals.setWordWrap(True)
        self.refusals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refusals_title.hide()
        self.refusals.hide()

        buttons = QDialogButtonBox()
        self.use_button = buttons.addButton("Use selected", QDialogButtonBox.ButtonRole.AcceptRole)
        self.use_button.setEnabled(False)
        self.use_button.setAutoDefault(False)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        self.use_button.clicked.connect(self._use)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.header)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.refusals_title)
        layout.addWidget(self.refusals)
        layout.addWidget(buttons)

        op(lambda: engine.compare(prompt_input, max_output, balance), parent=self).success(
            lambda result: self.show_comparison(result, max_output)).failure(self._failed).run()

    def show_comparison(self, result: Comparison, max_output: int) -> None:
        self.comparison = result
        self.header.setText(
            f"Cheapest first, for this prompt with an output budget of {count_text(max_output)} tokens. "
            "Double-click a row to use it." if result else
            "No provider can take this prompt with this output budget.")
        self.table.setRowCount(len(result))
        prices = aligned_prices([q.price_base_units for q in result])
        for r, q in enumerate(result):
            price_tip = f"{amount_full(q.price_base_units)} ({q.price_base_units:,} base units)"
            if q.balance_after is None:
                after, after_tip = "—", "No account balance known"
            elif q.balance_after < 0:
                after, after_tip = "not enough AIT", f"{amount_full(-q.balance_after)} short"
            else:
                after, after_tip = amount_short(q.balance_after), amount_full(q.balance_after)
            cells = [
                _item(q.provider_name, f"Provider {q.provider_id}"),
                _item(q.model, f"Metered by {q.encoding}"),
                _item("✓ verified" if q.verified else "no"),
                _item(count_text(q.input_tokens), right=True),
                _item(prices[r], price_tip, right=True),
                _item(after, after_tip, right=True),
            ]
            if q.verified:
                self._tinted.append((cells[2], "success"))
            if q.balance_after is not None and q.balance_after < 0:
                self._tinted.append((cells[5], "danger"))
            for c, item in enumerate(cells):
                item.setData(Qt.ItemDataRole.UserRole, (q.provider_id, q.model))
                self.table.setItem(r, c, item)
        self._fit_columns()
        self._colour()
        if result.refusals:
            lines = [f"<b>{escape(x.provider_name)} · {escape(x.model)}</b>: {escape(x.reason)}"
                     for x in result.refusals]
            self.refusals.setText("<br>".join(lines))
            self.refusals_title.show()
            self.refusals.show()

    def _fit_columns(self) -> None:
        """Every column but the provider's as wide as its widest cell or header, plus air; the provider's
        takes the rest, and the dialog grows if the table would otherwise squeeze them."""
        head = self.table.horizontalHeader()
        total = 0
        for c in range(1, self.table.columnCount()):
            width = max(self.table.sizeHintForColumn(c), head.sectionSizeHint(c)) + COLUMN_PADDING
            head.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            head.resizeSection(c, width)
            total += width
        provider = max([self.table.sizeHintForColumn(0), head.sectionSizeHint(0)]) + COLUMN_PADDING
        needed = total + provider + 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        margins = self.layout().contentsMargins()
        self.resize(max(self.width(), needed + margins.left() + margins.right()), self.height())

    def _failed(self, exc: BaseException) -> None:
        self.failed = True
        self.header.setText(user_message(exc))
        self._colour()

    def _colour(self) -> None:
        for item, name in self._tinted:
            item.setForeground(QBrush(QColor(colour(name))))
        if self.failed:
            restyle(self.header, f"color: {colour('danger')};")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in THEME_EVENTS and hasattr(self, "_tinted"):
            self._colour()

    def _selection_changed(self) -> None:
        self.use_button.setEnabled(bool(self.table.selectedItems()))

    def _use(self) -> None:
        items = self.table.selectedItems()
        if items:
            provider_id, model = items[0].data(Qt.ItemDataRole.UserRole)
            self.chosen.emit(provider_id, model)
            self.accept()

    def rows(self) -> list[list[str]]:
        """The table as text, as shown (for tests and accessibility tools)."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]
