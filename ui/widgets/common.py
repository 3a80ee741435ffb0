"""Small widgets used on every screen: titles, cards, addresses with a copy button, error labels.

Text that may come from outside (the permissionless provider registry: names, endpoints, model ids,
encodings; error messages quoting them) is shown as plain text. A QLabel or tooltip otherwise guesses
"rich text" from the first tag it sees, and anyone could register a name that renders as a fake badge.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.formatting import short_address


def plain_label(text: str = "") -> QLabel:
    """A label that shows its text literally, whatever it looks like."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def plain_tip(text: str) -> str:
    """A tooltip showing ``text`` literally. Tooltips have no plain-text switch, so the text is escaped
    inside an explicit rich-text paragraph that keeps its line breaks and spaces."""
    from html import escape  # html.entities costs ~10 ms to import: not before the first screen

    return f'<p style="white-space: pre-wrap">{escape(text)}</p>' if text else ""


def title(text: str) -> QLabel:
    label = plain_label(text)
    label.setProperty("role", "title")
    return label


def subtitle(text: str) -> QLabel:
    label = plain_label(text)
    label.setProperty("role", "subtitle")
    label.setWordWrap(True)
    return label


def error_label() -> QLabel:
    label = plain_label()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_error_text(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def primary_button(text: str) -> QPushButton:
    b = QPushButton(text)
    b.setProperty("primary", True)
    b.setAutoDefault(False)
    return b


def card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("role", "card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 14, 16, 14)
    return frame, layout


def copy_to_clipboard(text: str) -> None:
    """Copies public data (addresses, hashes). Secrets are never put on the clipboard."""
    QGuiApplication.clipboard().setText(text)


class CopyButton(QToolButton):
    def __init__(self, text_source: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text_source
        self.setText("Copy")
        self.setToolTip("Copy to the clipboard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.clicked.connect(self._copy)

    def set_text_to_copy(self, text: str) -> None:
        self._text = text

    def _copy(self) -> None:
        if not self._text:
            return
        copy_to_clipboard(self._text)
        self.setText("Copied")
        QTimer.singleShot(1200, lambda: self.setText("Copy"))


class AddressLabel(QWidget):
    """An address, shortened or whole, with the full checksummed form on hover and a copy button."""

    def __init__(self, address: str = "", *, full: bool = False, two_lines: bool = False,
                 parent: QWidget | None = None) -> None:
        """``two_lines``: the whole address in two halves, for a narrow pane (the copy button copies it in one)."""
        super().__init__(parent)
        self._full = full
        self._two_lines = two_lines
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = plain_label()
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setStyleSheet("font-family: monospace;")
        self.copy = CopyButton()
        layout.addWidget(self.label)
        layout.addWidget(self.copy)
        layout.addStretch(1)
        self.set_address(address)

    def set_address(self, address: str) -> None:
        self.address = address
        shown = address if self._full or self._two_lines else short_address(address)
        if self._two_lines and len(address) > 24:
            half = (len(address) + 1) // 2
            shown = f"{address[:half]}\n{address[half:]}"
        self.label.setText(shown)
        self.label.setToolTip(plain_tip(address))
        self.copy.set_text_to_copy(address)
        self.copy.setEnabled(bool(address))


def scrolls_when_short(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless area that scrolls vertically when the window is too short for it, instead
    of squeezing its fields; as wide as the widget allows, plus the scroll bar."""
    area = QScrollArea()
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    bar = area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(widget.minimumWidth() + bar)
    area.setMaximumWidth(widget.maximumWidth() + bar)
    area.setStyleSheet("QScrollArea { background: transparent; } QScrollArea > QWidget > QWidget "
                       "{ background: transparent; }")
    return area
