"""The main view once unlocked: account switcher, sidebar of pages and the lock button, beside the pages."""

from __future__ import annotations

import importlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.controller import AppController
from ui.errors import show_error
from ui.ops import change_op, op
from ui.pages.base import Page
from ui.widgets.account_switcher import ADD_ACCOUNT, AccountSwitcher
from ui.widgets.notice import NoticeBar

# (module, class): the pages of the sidebar, in order.
PAGES = (
    ("ui.pages.home", "HomePage"),
    ("ui.pages.run_task", "RunTaskPage"),
    ("ui.pages.topup", "TopUpPage"),
    ("ui.pages.send_receive", "SendReceivePage"),
    ("ui.pages.history", "HistoryPage"),
    ("ui.pages.providers", "ProvidersPage"),
    ("ui.pages.settings", "SettingsPage"),
)


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
        self.accounts = AccountSwitcher()
        self.accounts.activated.connect(self._account_chosen)
        side_layout.addWidget(self.accounts)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        side_layout.addWidget(self.sidebar, 1)
        self.lock_button = QPushButton("Lock")
        self.lock_button.setToolTip("Lock the wallet (Ctrl+L)")  # the shortcut is the Wallet menu's
        self.lock_button.clicked.connect(controller.lock)
        self.add_dialog: QWidget | None = None
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
            page.navigate.connect(self.go_to)
            self.page_list.append(page)
            self.pages.addWidget(page)
            self.sidebar.addItem(page.name)
        self.sidebar.currentRowChanged.connect(self._show_page)

        self.notice = NoticeBar()  # AIT or ETH received, announced by the core
        self.notice.show_history.connect(lambda: self.go_to("History", None))
        controller.signals.transfer_received.connect(self.notice.received)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setSpacing(0)
        right_layout.addWidget(self.notice)
        right_layout.addWidget(self.pages, 1)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter()
        self.splitter.addWidget(side)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        controller.signals.accounts_changed.connect(self.reload_accounts)
        controller.signals.account_selected.connect(self._show_selected)

    def activate(self) -> None:
        self.reload_accounts()
        if self.sidebar.currentRow() < 0:
            self.sidebar.setCurrentRow(0)
        else:
            self._show_page(self.sidebar.currentRow())
        self.focus_page()

    def focus_page(self) -> None:
        """Put the keyboard in the page's main field (or the sidebar), not in the account switcher, where
        typing would pick an account."""
        page = self.pages.currentWidget()
        field = page.main_field() if isinstance(page, Page) else None
        (field or self.sidebar).setFocus()

    def show_page(self, name: str) -> None:
        for i, page in enumerate(self.page_list):
            if page.name == name:
                self.sidebar.setCurrentRow(i)

    def go_to(self, name: str, what: object = None) -> None:
        """Show the page called ``name``, opened at ``what``."""
        self.show_page(name)
        page = self.pages.currentWidget()
        if isinstance(page, Page) and page.name == name:
            page.open_with(what)

    def _show_page(self, row: int) -> None:
        if 0 <= row < len(self.page_list):
            self.pages.setCurrentIndex(row)
            self.page_list[row].on_shown()

    def reload_accounts(self) -> None:
        op(lambda: (self.service.accounts(), self.service.current_account()), parent=self).success(
            self._fill_accounts).run()

    def _fill_accounts(self, result: tuple[list, str | None]) -> None:
        self.accounts.fill(*result)

    def _account_chosen(self, index: int) -> None:
        data = self.accounts.itemData(index)
        if data == ADD_ACCOUNT:
            self.add_account()
        elif data:
            # The service announces the selection (account_selected); every page follows that, this too.
            change_op(lambda: self.service.select_account(data), parent=self).failure(
                lambda e: (show_error(self, e), self.reload_accounts())).run()

    def add_account(self) -> None:
        """Ask for a name, then add the next account; the service announces it and selects it."""
        from ui.dialogs.add_account import AddAccountDialog

        dialog = AddAccountDialog(self.service, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.rejected.connect(self.reload_accounts)  # the switcher shows the current account again
        self.add_dialog = dialog
        dialog.open()

    def _show_selected(self, address: str) -> None:
        index = self.accounts.findData(address)
        if index < 0:
            self.reload_accounts()  # an account this list does not have yet
            return
        self.accounts.blockSignals(True)
        self.accounts.setCurrentIndex(index)
        self.accounts.blockSignals(False)
