"""The pieces every section of Settings is made of: a titled card, a status line, a row of widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.theme import colour
from ui.widgets.common import card, subtitle


def section(heading: str, text: str = "") -> tuple[QWidget, QVBoxLayout]:
    frame, layout = card()
    layout.setSpacing(8)
    head = QLabel(heading)
    head.setStyleSheet("font-size: 15px; font-weight: 600;")
    layout.addWidget(head)
    if text:
        layout.addWidget(subtitle(text))
    return frame, layout


def status_label() -> QLabel:
    label = subtitle("")
    label.hide()
    return label


def say(label: QLabel, text: str, error: bool = False) -> None:
    label.setText(text)
    label.setStyleSheet(f"color: {colour('danger')};" if error else "")
    label.setVisible(bool(text))


def row(*widgets: QWidget, stretch: bool = True) -> QHBoxLayout:
    line = QHBoxLayout()
    line.setSpacing(8)
    for w in widgets:
        line.addWidget(w)
    if stretch:
        line.addStretch(1)
    return line
