"""The menu bar: Wallet (Lock Ctrl+L, Quit Ctrl+Q), Go (one entry per page, Ctrl+1…), Help (About).

Lock and Go apply to the unlocked wallet only; Quit works in every mode. The Go menu is filled from the
shell's pages when the shell is built, so a page added to the sidebar appears here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

if TYPE_CHECKING:
    from ui.controller import AppController
    from ui.shell import Shell

ABOUT = ("AI Token Wallet holds AI Tokens (AIT) and pays AI providers with them. It shows what a task costs "
         "before anything is paid, and signs nothing behind your back. Keys stay on this computer, "
         "encrypted with your password.")


class AppMenus:
    def __init__(self, window: QMainWindow, controller: AppController) -> None:
        self.window = window
        bar = window.menuBar()
        wallet = bar.addMenu("&Wallet")
        self.lock_action = QAction("&Lock", window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(controller.lock)
        wallet.addAction(self.lock_action)
        wallet.addSeparator()
        self.quit_action = QAction("&Quit", window)
        self.quit_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
                                      or [QKeySequence("Ctrl+Q")])
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(window.close)  # the window saves its geometry; the app then ends
        wallet.addAction(self.quit_action)
        self.go = bar.addMenu("&Go")
        self.page_actions: list[QAction] = []
        help_menu = bar.addMenu("&Help")
        self.about_action = QAction("&About AI Token Wallet", window)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(lambda: QMessageBox.about(window, "About AI Token Wallet", ABOUT))
        help_menu.addAction(self.about_action)
        controller.mode_changed.connect(self._follow_mode)
        self._follow_mode(controller.mode)

    def add_pages(self, shell: Shell) -> None:
        for i, page in enumerate(shell.page_list):
            action = QAction(page.name, self.window)
            if i < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _checked=False, name=page.name: self._go(shell, name))
            self.go.addAction(action)
            self.page_actions.append(action)

    @staticmethod
    def _go(shell: Shell, name: str) -> None:
        shell.show_page(name)
        shell.focus_page()

    def _follow_mode(self, mode: str) -> None:
        unlocked = mode == "main"
        self.lock_action.setEnabled(unlocked)
        self.go.setEnabled(unlocked)
        for action in self.page_actions:  # their shortcuts too: nothing behind the lock screen is reachable
            action.setEnabled(unlocked)
