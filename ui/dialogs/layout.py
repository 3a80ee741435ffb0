"""The shared frame of the wallet's dialogs: roomy margins, a bold heading, and a button row set apart."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

BUTTON_HEIGHT = 30  # plain and accent buttons side by side at one height


def dialog_layout(dialog: QDialog, heading: str) -> QVBoxLayout:
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(22, 18, 22, 16)
    layout.setSpacing(8)
    head = QLabel(heading)
    head.setStyleSheet("font-size: 16px; font-weight: 600;")
    layout.addWidget(head)
    return layout


def add_buttons(layout: QVBoxLayout, buttons: QDialogButtonBox) -> None:
    layout.addSpacing(10)
    for b in buttons.buttons():
        b.setMinimumHeight(BUTTON_HEIGHT)
        b.setMinimumWidth(96)
    layout.addWidget(buttons)


def grow_to_fit(window: QWidget) -> None:
    """Make ``window`` tall enough for what it now shows (an error under a field, a wrapped message): a
    dialog keeps the size it opened with, and would otherwise clip its text and buttons."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = window.width()
    needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    if needed > window.height():
        window.resize(width, needed)
    parent = window.parentWidget()
    if window.isWindow() and window.isVisible() and parent is not None:
        # It grew downwards from where it opened: centred again on its window (inside it, when it fits) rather
        # than hanging off the bottom.
        owner = parent.window().geometry()
        window.move(window.x(), max(owner.top(), owner.center().y() - window.height() // 2))
