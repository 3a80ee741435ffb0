"""What every page of the main window has: its sidebar name and a hook for when it is shown."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.controller import AppController


class Page(QWidget):
    name = ""

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
