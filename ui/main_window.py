"""The window: start-up view, onboarding, lock screen, and the shell (sidebar, pages, status bar)."""

from __future__ import annotations

import importlib

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.controller import AppController
from ui.errors import show_error
from ui.formatting import short_address
from ui.ops import change_op, op
from ui.pages.base import Page
from ui.theme import colour
from ui.widgets.common import subtitle, title

# (module, class): the pages of the sidebar, in order. Later releases add Top up, Send & Receive, History.
PAGES = (
    ("ui.pages.home", "HomePage"),
    ("ui.pages.run_task", "RunTaskPage"),
    ("ui.pages.providers", "ProvidersPage"),
    ("ui.pages.settings", "SettingsPage"),
)
ADD_ACCOUNT = "__add__"


class StartingView(QWidget):
    def __init__(self, controller: AppController) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title("AI Token Wallet"), 0, Qt.AlignmentFlag.AlignHCenter)
        self.progress = subtitle("Starting…")
        self.progress.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        controller.startup_progress.connect(self.progress.setText)


class Shell(QWidget):
    """Sidebar (account switcher, pages, lock button) beside the page stack."""

    def __init__(self, controller: AppController) -> None:
        super().__init__()
        self.controller = controller
        self.service = controller.service
        side = QWidget()
        side.setMinimumWidth(190)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(8, 10, 8, 10)
        self.accounts = QComboBox()
        self.accounts.setToolTip("Switch account")
        self.accounts.activated.connect(self._account_chosen)
        side_layout.addWidget(self.accounts)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        side_layout.addWidget(self.sidebar, 1)
        self.lock_button = QPushButton("Lock")
        self.lock_button.setToolTip("Lock the wallet (Ctrl+L)")
        self.lock_button.setShortcut("Ctrl+L")
        self.lock_button.clicked.connect(controller.lock)
        side_layout.addWidget(self.lock_button)

        self.pages = QStackedWidget()
        self.page_list: list[Page] = []
        for module_name, cls_name in PAGES:
            try:
                cls = getattr(importlib.import_module(module_name), cls_name)
            except ModuleNotFoundError as e:
                if e.name != module_name:
                    raise
                continue
            page = cls(controller)
            self.page_list.append(page)
            self.pages.addWidget(page)
            self.sidebar.addItem(page.name)
        self.sidebar.currentRowChanged.connect(self._show_page)

        self.splitter = QSplitter()
        self.splitter.addWidget(side)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        controller.signals.accounts_changed.connect(self.reload_accounts)

    def activate(self) -> None:
        self.reload_accounts()
        if self.sidebar.currentRow() < 0:
            self.sidebar.setCurrentRow(0)
        else:
            self._show_page(self.sidebar.currentRow())

    def show_page(self, name: str) -> None:
        for i, page in enumerate(self.page_list):
            if page.name == name:
                self.sidebar.setCurrentRow(i)

    def _show_page(self, row: int) -> None:
        if 0 <= row < len(self.page_list):
            self.pages.setCurrentIndex(row)
            self.page_list[row].on_shown()

    def reload_accounts(self) -> None:
        op(lambda: (self.service.accounts(), self.service.current_account()), parent=self).success(
            self._fill_accounts).run()

    def _fill_accounts(self, result: tuple[list, str | None]) -> None:
        accounts, current = result
        self.accounts.blockSignals(True)
        self.accounts.clear()
        for a in accounts:
            self.accounts.addItem(f"{a.label or 'Account'} · {short_address(a.address)}", a.address)
            self.accounts.setItemData(self.accounts.count() - 1, a.address, Qt.ItemDataRole.ToolTipRole)
        self.accounts.insertSeparator(self.accounts.count())
        self.accounts.addItem("Add account…", ADD_ACCOUNT)
        idx = self.accounts.findData(current)
        self.accounts.setCurrentIndex(max(idx, 0))
        self.accounts.blockSignals(False)

    def _account_chosen(self, index: int) -> None:
        data = self.accounts.itemData(index)
        if data == ADD_ACCOUNT:
            change_op(self.service.add_account, parent=self).failure(
                lambda e: (show_error(self, e), self.reload_accounts())).run()
        elif data:
            change_op(lambda: self.service.select_account(data), parent=self).success(
                lambda _: self._after_switch()).run()

    def _after_switch(self) -> None:
        self.controller.signals.accounts_changed.emit()


class StatusBar(QWidget):
    def __init__(self, controller: AppController) -> None:
        super().__init__()
        self.network = QLabel()
        self.block = QLabel("block —")
        self.dot = QLabel("●")
        self.state = QLabel()
        self.loading = QLabel()
        self.loading.setProperty("role", "subtitle")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        for w in (self.network, self.block):
            layout.addWidget(w)
            layout.addSpacing(12)
        layout.addWidget(self.dot)
        layout.addWidget(self.state)
        layout.addStretch(1)
        layout.addWidget(self.loading)
        profile = controller.service.profile
        self.network.setText(f"{profile.name} · chain {profile.chain_id}")
        self._set_state("connecting", "")
        controller.signals.new_block.connect(lambda n: self.block.setText(f"block {n:,}"))
        controller.signals.connection_changed.connect(self._set_state)
        controller.loading_changed.connect(
            lambda what: self.loading.setText(f"Loading {what}…" if what else ""))
        controller.network_error.connect(lambda msg: self._set_state("down", msg))
        controller.network_changed.connect(
            lambda name, chain_id: self.network.setText(f"{name} · chain {chain_id}"))

    def _set_state(self, state: str, reason: str) -> None:
        colours = {"connected": colour("success"), "reconnecting": "#d4a017", "down": colour("danger")}
        self.dot.setStyleSheet(f"color: {colours.get(state, '#d4a017')};")
        self.state.setText({"connected": "connected", "reconnecting": "reconnecting…",
                            "connecting": "connecting…"}.get(state, "offline"))
        tip = reason or state
        self.dot.setToolTip(tip)
        self.state.setToolTip(tip)


class MainWindow(QMainWindow):
    def __init__(self, controller: AppController) -> None:
        super().__init__()
        self.controller = controller
        self.setWindowTitle("AI Token Wallet")
        self.resize(1100, 720)
        self.modes = QStackedWidget()
        self.setCentralWidget(self.modes)
        self.starting = StartingView(controller)
        self.modes.addWidget(self.starting)
        self._views: dict[str, QWidget] = {"starting": self.starting}
        self.status = StatusBar(controller)
        self.statusBar().addPermanentWidget(self.status, 1)
        controller.mode_changed.connect(self.set_mode)
        self._restore_geometry()
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]

    def view(self, mode: str) -> QWidget:
        """Views are built on first use, so the window paints before they exist."""
        if mode not in self._views:
            if mode == "main":
                widget: QWidget = Shell(self.controller)
                self._restore_splitter(widget)  # type: ignore[arg-type]
            elif mode == "locked":
                from ui.views.lock import LockView

                widget = LockView(self.controller)
            else:
                from ui.views.onboarding import OnboardingView

                widget = OnboardingView(self.controller)
            self._views[mode] = widget
            self.modes.addWidget(widget)
        return self._views[mode]

    def set_mode(self, mode: str) -> None:
        widget = self.view(mode)
        self.modes.setCurrentWidget(widget)
        if isinstance(widget, Shell):
            widget.activate()
        elif hasattr(widget, "on_shown"):
            widget.on_shown()

    # --- activity, geometry ---
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            self.controller.activity()
        return False

    def _restore_geometry(self) -> None:
        geometry = QSettings().value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)

    def _restore_splitter(self, shell: Shell) -> None:
        state = QSettings().value("window/splitter")
        if isinstance(state, QByteArray):
            shell.splitter.restoreState(state)
        else:
            shell.splitter.setSizes([210, 890])

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        shell = self._views.get("main")
        if isinstance(shell, Shell):
            settings.setValue("window/splitter", shell.splitter.saveState())
        QApplication.instance().removeEventFilter(self)  # type: ignore[union-attr]
        super().closeEvent(event)
