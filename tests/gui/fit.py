"""Whether a window shows all of its visible content: no child reaches past its bottom or right edge, and no
word-wrapped label is shorter than its text needs."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def clipped(window: QWidget) -> list[str]:
    """What is cut off in ``window`` (empty when nothing is), named for the assertion message."""
    out = []
    for w in window.findChildren(QWidget):
        if not w.isVisibleTo(window) or w.width() == 0:
            continue
        corner = w.mapTo(window, w.rect().bottomRight())
        name = w.objectName() or type(w).__name__
        text = w.text() if isinstance(w, QLabel) else ""
        if corner.y() >= window.height() or corner.x() >= window.width():
            out.append(f"{name} {text!r} ends at {corner.x()},{corner.y()} outside {window.width()}x{window.height()}")
        elif isinstance(w, QLabel) and w.wordWrap() and w.heightForWidth(w.width()) > w.height():
            out.append(f"{name} {text!r} needs {w.heightForWidth(w.width())} px, has {w.height()}")
    return out
