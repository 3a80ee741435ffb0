"""Whether a window shows all of its visible content: no child reaches past its bottom or right edge (content
inside a scroll area scrolls into view instead), and no word-wrapped label is shorter than its text needs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QWidget


def _scroll_area(w: QWidget, window: QWidget) -> QAbstractScrollArea | None:
    """The scroll area, below ``window``, whose viewport ``w`` is inside."""
    parent = w.parentWidget()
    while parent is not None and parent is not window:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and area.viewport() is parent:
            return area
        parent = area
    return None


def _cut_in_scroll_area(w: QWidget, area: QAbstractScrollArea) -> bool:
    """Past the right edge of a scroll area that never scrolls sideways (what is below scrolls into view)."""
    if area.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
        return False
    viewport = area.viewport()
    return w.mapTo(viewport, w.rect().bottomRight()).x() >= viewport.width() + area.horizontalScrollBar().value()


def clipped(window: QWidget) -> list[str]:
    """What is cut off in ``window`` (empty when nothing is), named for the assertion message."""
    out = []
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window) or w.width() == 0:
            continue
        corner = w.mapTo(window, w.rect().bottomRight())
        name = w.objectName() or type(w).__name__
        text = w.text() if isinstance(w, QLabel) else ""
        area = _scroll_area(w, window)
        if area is not None and _cut_in_scroll_area(w, area):
            out.append(f"{name} {text!r} is cut at the right edge of a {type(area).__name__}")
        elif area is None and (corner.y() >= window.height() or corner.x() >= window.width()):
            out.append(f"{name} {text!r} ends at {corner.x()},{corner.y()} outside {window.width()}x{window.height()}")
        elif isinstance(w, QLabel) and w.wordWrap() and w.heightForWidth(w.width()) > w.height():
            out.append(f"{name} {text!r} needs {w.heightForWidth(w.width())} px, has {w.height()}")
        elif isinstance(w, QLabel) and not w.wordWrap() and text and "\n" not in text and w.pixmap().isNull() \
                and w.textFormat() != Qt.TextFormat.RichText and w.width() < w.minimumSizeHint().width():
            out.append(f"{name} {text!r} needs {w.minimumSizeHint().width()} px wide, has {w.width()}")
    return out
