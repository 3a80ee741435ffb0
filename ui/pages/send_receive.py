"""Send & Receive: sending AIT or ETH (with the pending transactions), and receiving, in two tabs."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QTabWidget, QVBoxLayout, QWidget

from ui.controller import AppController
from ui.pages.base import Page
from ui.pages.receive_panel import ReceivePanel
from ui.pages.send_panel import SendPanel
from ui.widgets.common import title


def scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


class SendReceivePage(Page):
    name = "Send & Receive"

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 16)
        outer.setSpacing(12)
        outer.addWidget(title("Send & Receive"))
        self.send = SendPanel(controller)
        self.receive = ReceivePanel(controller)
        self.tabs = QTabWidget()
        self.tabs.addTab(scrolling(self.send), "&Send")
        self.tabs.addTab(scrolling(self.receive), "&Receive")
        self.tabs.currentChanged.connect(lambda _i: self.on_shown())
        outer.addWidget(self.tabs, 1)

    def on_shown(self) -> None:
        if self.tabs.currentIndex() == 0:
            self.send.pending.reload()
        else:
            self.receive.update_request()

    def main_field(self) -> QWidget | None:
        return self.send.to if self.tabs.currentIndex() == 0 else self.receive.amount

    def show_receive(self) -> None:
        self.tabs.setCurrentIndex(1)
