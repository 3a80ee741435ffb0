"""What every page of the main window has: its sidebar name and a hook for when it is shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from ui.controller import AppController


class Page(QWidget):
    name = ""
    navigate = Signal(str, object)  # (page name, what to open there): the shell shows it


    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.service = controller.service

    def on_shown(self) -> None:
        """Called each time the page becomes visible: refresh what may be stale."""

    def main_field(self) -> QWidget | None:
        """Where typing should go when the page is opened from the keyboard (Go menu) or after unlocking;
        None: nowhere in particular (the sidebar keeps the focus)."""
        return None

    def open_with(self, what: Any) -> None:
        """Shown by ``navigate`` from another page, to show ``what`` (a row, a filter…)."""
