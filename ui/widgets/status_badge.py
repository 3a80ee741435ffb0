"""Status badges in the history table: a small pill per status, coloured by what it means for the user's money;
a pending one carries a turning spinner."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.theme import colour

STATUS_TEXT = {"pending": "pending", "confirmed": "confirmed", "failed": "failed", "replaced": "replaced",
               "expired": "expired", "disputed": "disputed", "refused": "refused"}
TONES = {"pending": "accent", "confirmed": "success", "failed": "danger", "disputed": "danger",
         "replaced": "muted", "expired": "muted", "refused": "danger"}
SPINNER_STEPS = 12


def status_colour(status: str) -> QColor:
    return QColor(colour(TONES.get(status, "muted")))


class StatusDelegate(QStyledItemDelegate):
    """Paints the status column's text as a pill. ``phase`` turns the pending spinner (set by the page)."""

    phase = 0

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        status = index.data(Qt.ItemDataRole.DisplayRole)
        if not status:
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget else None
        if style is not None and option.state & QStyle.StateFlag.State_Selected:  # type: ignore[operator]
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        text = STATUS_TEXT.get(status, status)
        tone = status_colour(status)
        metrics = QFontMetrics(option.font)
        spinner = 12 if status == "pending" else 0
        width = metrics.horizontalAdvance(text) + 14 + spinner
        height = metrics.height() + 2
        rect = QRectF(option.rect.left() + 6, option.rect.center().y() - height / 2, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(tone)
        fill.setAlpha(36)
        if option.state & QStyle.StateFlag.State_Selected:  # type: ignore[operator]
            fill = option.palette.base().color()  # a solid pill: the tone stays readable on the selection
        painter.setPen(QPen(tone, 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(tone)
        text_rect = rect.adjusted(7 + spinner, 0, -7, 0)
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
        if spinner:
            arc = QRectF(rect.left() + 6, rect.center().y() - 4, 8, 8)
            painter.setPen(QPen(tone, 1.6))
            start = -(self.phase % SPINNER_STEPS) * (360 // SPINNER_STEPS) * 16
            painter.drawArc(arc, start, 270 * 16)
        painter.restore()
