"""Providers: who the registry lists, what they charge per model, where they are and whether they answer.

The registry is the wallet's source of truth for whom it pays and at what price, so this page shows it as it
is on chain (whole payTo addresses, verified or not) and checks each endpoint in the background.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlparse

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.controller import AppController
from ui.errors import report
from ui.ops import op
from ui.pages.base import Page
from ui.price_sheet import PriceSheetReader
from ui.theme import colour
from ui.widgets.common import AddressLabel, CopyButton, plain_label, plain_tip, subtitle, title
from ui.widgets.model_picker import THEME_EVENTS, count_text, price_text, restyle, verified_badge
from wallet.errors import NetworkError, WalletError
from wallet.registry import ProviderInfo

# Two-line headers keep the number columns narrow enough for the window's minimum width.
MODEL_COLUMNS = ("Model", "Metered by", "Input\nper 1M tokens", "Output\nper 1M tokens", "Context window\n(tokens)",
                 "Max output\n(tokens)")
COLUMN_MINIMUMS = ("gpt-3.5-turbo", "cl100k_base", "000.00 AIT", "000.00 AIT", "1,000,000", "100,000")
UNREACHABLE = "Can't reach the provider registry — check the network."
UNREADABLE = "Can't read the provider registry on this network."


def registry_error_text(exc: BaseException) -> str:
    """Why the registry could not be read, in the user's words: the network, or the network's settings."""
    if isinstance(exc, NetworkError):
        return f"{UNREACHABLE}\n{exc.user_message}"
    if isinstance(exc, WalletError):
        return f"{UNREADABLE}\n{exc.user_message}"
    report(exc, "reading the provider registry")
    return UNREACHABLE


class EmptyState(QWidget):
    """A centred headline, the detail under it, and optionally one button: for a page with nothing to show."""

    def __init__(self, text: str = "", button: QPushButton | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = plain_label()
        self.headline.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.detail = subtitle("")
        self.button = button
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (self.headline, self.detail):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
        if button is not None:
            layout.addSpacing(8)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.set_text(text)

    def set_text(self, text: str) -> None:
        """The first line is the headline, the rest (if any) the detail."""
        head, _, rest = text.partition("\n")
        self.headline.setText(head)
        self.detail.setText(rest)
        self.detail.setVisible(bool(rest))

    def text(self) -> str:
        return "\n".join(t for t in (self.headline.text(), self.detail.text()) if t)


def checks_by_itself(endpoint: str) -> bool:
    """Whether the page may contact an endpoint without being asked: only this computer's own (the devnet's
    demo providers, a gateway the user runs)."""
    host = (urlparse(endpoint).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # a name like 127.0.0.1.example is not loopback
    except ValueError:
        return False


class ShareTheRoom(QObject):
    """Keeps a table's columns at their minimum widths plus an equal share of whatever room is left."""

    def __init__(self, widths: list[int], table: QTableWidget) -> None:
        super().__init__(table)
        self.widths = widths
        self.table = table

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(event, QResizeEvent):
            inside = event.size().width() - 2 * self.table.frameWidth()  # no scroll bars: the page scrolls
            room = max(0, inside - sum(self.widths))
            share, rest = divmod(room, len(self.widths))
            for c, width in enumerate(self.widths):
                self.table.horizontalHeader().resizeSection(c, width + share + (rest if c == 0 else 0))
        return False


class ProviderCard(QFrame):
    def __init__(self, provider: ProviderInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.provider = provider
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)

        # Registry strings are whatever their registrant chose: shown literally, never as markup.
        self.name = name = plain_label(provider.name)
        name.setStyleSheet("font-size: 15px; font-weight: 600;")
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = verified_badge(provider.verified)
        self.dot = QLabel("●")
        self.reach = plain_label("checking…")
        self.reach.setProperty("role", "subtitle")
        self.problem = plain_label()  # what is wrong with the endpoint and what to do, when it does not answer
        self.problem.setWordWrap(True)
        self.set_reachability(None, "checking…")
        head = QHBoxLayout()
        head.addWidget(name)
        head.addWidget(self.badge)
        head.addStretch(1)
        head.addWidget(self.dot)
        head.addWidget(self.reach)
        self.check_button = QToolButton()
        self.check_button.setText("Check")
        self.check_button.setToolTip("Contact this endpoint to see whether it answers")
        self.check_button.hide()
        head.addWidget(self.check_button)
        layout.addLayout(head)
        layout.addWidget(self.problem)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        self.endpoint = endpoint = plain_label(provider.endpoint)
        endpoint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        endpoint.setStyleSheet("font-family: monospace;")
        endpoint_row = QHBoxLayout()
        endpoint_row.setContentsMargins(0, 0, 0, 0)
        endpoint_row.setSpacing(6)
        endpoint_row.addWidget(endpoint)
        endpoint_row.addWidget(CopyButton(provider.endpoint))
        endpoint_row.addStretch(1)
        self.pay_to = AddressLabel(provider.pay_to, full=True)
        ident = QLabel(f"{provider.id}")
        for r, (text, w) in enumerate((("Endpoint", endpoint_row), ("Pays to", self.pay_to),
                                       ("Registry id", ident))):
            label = QLabel(text)
            label.setProperty("role", "subtitle")
            grid.addWidget(label, r, 0)
            if isinstance(w, QHBoxLayout):
                grid.addLayout(w, r, 1)
            else:
                grid.addWidget(w, r, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)

        self.table = self._models_table(provider)
        layout.addSpacing(4)
        layout.addWidget(self.table)

    @staticmethod
    def _models_table(provider: ProviderInfo) -> QTableWidget:
        table = QTableWidget(len(provider.models), len(MODEL_COLUMNS))
        table.setHorizontalHeaderLabels(MODEL_COLUMNS)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        head = table.horizontalHeader()
        head.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        head.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for c in range(2, len(MODEL_COLUMNS)):
            table.horizontalHeaderItem(c).setTextAlignment(right)
        for r, m in enumerate(provider.models):
            cells = (m.model, m.encoding, price_text(m.input_price), price_text(m.output_price),
                     count_text(m.context_window), count_text(m.max_output))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(right)
                table.setItem(r, c, item)
        # Every column at least as wide as its header and its cells (a very long registered model name is cut
        # short; its tooltip has it whole); common minimums keep the cards' columns aligned with each other.
        # The table's minimum width is what the window's minimum makes room for; wider, the room is shared.
        metrics = table.fontMetrics()
        widths = []
        for c in range(table.columnCount()):
            texts = [table.item(r, c).text() for r in range(table.rowCount())]
            texts += [*table.horizontalHeaderItem(c).text().split("\n"), COLUMN_MINIMUMS[c]]
            widths.append(max(metrics.horizontalAdvance(t) for t in texts) + 20)
            head.setSectionResizeMode(c, QHeaderView.ResizeMode.Fixed)
        widths[0] = min(widths[0], metrics.horizontalAdvance("gpt-3.5-turbo-16k") + 20)
        table.setMinimumWidth(sum(widths) + 2 * table.frameWidth())
        table.installEventFilter(ShareTheRoom(widths, table))
        for r in range(table.rowCount()):
            table.item(r, 0).setToolTip(plain_tip(table.item(r, 0).text()))
        # Every row shown at one height, no inner scroll bar: the page scrolls instead.
        row_height = metrics.height() + 12
        table.verticalHeader().setDefaultSectionSize(row_height)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        height = head.sizeHint().height() + 2 * table.frameWidth() + row_height * table.rowCount()
        table.setFixedHeight(height)
        return table

    def set_reachability(self, ok: bool | None, text: str) -> None:
        """``text``: how it answered ("HTTP 200 in 55 ms"), or, when ``ok`` is False, why it did not."""
        self._reachable = ok
        self.reach.setText("not reachable" if ok is False else text)
        self.problem.setText(text if ok is False else "")
        self.problem.setVisible(ok is False)
        self.dot.setToolTip(plain_tip(f"Endpoint: {text}"))
        self.reach.setToolTip(plain_tip(f"Endpoint: {text}"))
        self._colour()

    def _colour(self) -> None:
        ok = self._reachable
        tone = colour("muted") if ok is None else colour("success") if ok else colour("danger")
        restyle(self.dot, f"color: {tone};")
        restyle(self.problem, f"color: {colour('danger')};")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in THEME_EVENTS and hasattr(self, "_reachable"):
            self._colour()

    def model_rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]


class ProvidersPage(Page):
    name = "Providers"

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.cards: dict[int, ProviderCard] = {}
        self.loaded = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 20)
        outer.setSpacing(12)
        head = QHBoxLayout()
        head.addWidget(title("Providers"))
        head.addStretch(1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the registry again and re-check the endpoints on this computer")
        self.refresh_button.clicked.connect(self.refresh)
        head.addWidget(self.refresh_button)
        outer.addLayout(head)
        outer.addWidget(subtitle("From the on-chain provider registry. The wallet pays only these providers, "
                                 "to the address listed, at these prices."))

        self.stack = QStackedWidget()
        self.message_view = EmptyState("Loading the providers from the registry…")
        self.list_widget = QWidget()
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(14)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.list_widget)
        self.stack.addWidget(self.message_view)
        self.stack.addWidget(scroll)
        self.scroll = scroll
        outer.addWidget(self.stack, 1)
        self.sheet = PriceSheetReader(controller, self)  # follows registry changes and network switches
        self.sheet.loaded.connect(self.show_providers)
        self.sheet.failed.connect(self._failed)
        self.sheet.cleared.connect(self._on_network_switched)
        self.sheet.busy_changed.connect(lambda busy: self.refresh_button.setEnabled(not busy))

    def on_shown(self) -> None:
        if not self.loaded:
            self.load()

    def refresh(self) -> None:
        self.load(invalidate=True)

    def load(self, invalidate: bool = False) -> None:
        if not self.cards:
            self._show_message("Loading the providers from the registry…")
        self.sheet.read(refresh=invalidate)

    def _on_network_switched(self) -> None:
        """The cards describe the old network's registry: they go at once (the new one is read next)."""
        self._clear()
        self.loaded = False
        self._show_message("Loading the providers from the registry…")

    def _failed(self, exc: BaseException) -> None:
        self._clear()
        self._show_message(registry_error_text(exc))

    def _show_message(self, text: str) -> None:
        self.message_view.set_text(text)
        self.stack.setCurrentWidget(self.message_view)

    def _clear(self) -> None:
        for c in self.cards.values():
            c.setParent(None)
            c.deleteLater()
        self.cards.clear()

    def show_providers(self, providers: Sequence[ProviderInfo]) -> None:
        self.loaded = True
        self._clear()
        if not providers:
            self._show_message("No providers are registered on this network yet.")
            return
        for p in providers:
            c = ProviderCard(p)
            self.cards[p.id] = c
            self.list_layout.insertWidget(self.list_layout.count() - 1, c)
            c.check_button.clicked.connect(lambda _=False, card=c: self._check(card))
            if checks_by_itself(p.endpoint):
                self._check(c)
            else:
                # Anyone can register any URL: contacting it unasked would tell a stranger this wallet's IP
                # address, or reach into the user's own network. The user decides.
                c.set_reachability(None, "not checked")
                c.check_button.show()
        self.stack.setCurrentWidget(self.scroll)

    def _check(self, c: ProviderCard) -> None:
        url = c.provider.endpoint
        c.set_reachability(None, "checking…")
        check = self.service.check_endpoint

        def shown(result: tuple[bool, str]) -> None:
            ok, text = result
            c.set_reachability(ok, text)

        def failed(exc: BaseException) -> None:
            report(exc, f"checking the endpoint {url}")
            c.set_reachability(False, "The check itself failed (see the log). Try again later.")

        op(lambda: check(url), parent=c).success(shown).failure(failed).run()
