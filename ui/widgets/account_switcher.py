"""The account switcher at the top of the sidebar: "name · 0x7099…79C8" per account, and "Add account…".

A name may be 64 characters and the sidebar is narrow: the box shows the name cut short with "…" so the
short address always stays readable, and its list opens as wide as its longest entry.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter, QWidget

from ui.formatting import short_address
from wallet.accounts import AccountInfo

ADD_ACCOUNT = "__add__"
SEPARATOR = " · "
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


class AccountSwitcher(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("Switch account")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)

    def fill(self, accounts: list[AccountInfo], current: str | None) -> None:
        self.blockSignals(True)
        try:
            self.clear()
            for a in accounts:
                name = a.label or "Account"
                self.addItem(f"{name}{SEPARATOR}{short_address(a.address)}", a.address)
                self.setItemData(self.count() - 1, a.address, Qt.ItemDataRole.ToolTipRole)
                self.setItemData(self.count() - 1, name, NAME_ROLE)
            self.insertSeparator(self.count())
            self.addItem("Add account…", ADD_ACCOUNT)
            self.setCurrentIndex(max(self.findData(current), 0))
        finally:
            self.blockSignals(False)
        widest = max((self.fontMetrics().horizontalAdvance(self.itemText(i)) for i in range(self.count())),
                     default=0)
        self.view().setMinimumWidth(widest + 48)

    def shown_text(self) -> str:
        """The current entry as drawn: the name elided to leave room for the short address."""
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        room = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                           QStyle.SubControl.SC_ComboBoxEditField, self).width() - 4
        text = self.currentText()
        name = self.currentData(NAME_ROLE)
        metrics = self.fontMetrics()
        if name is None or metrics.horizontalAdvance(text) <= room:
            return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        tail = text[len(name):]
        return metrics.elidedText(name, Qt.TextElideMode.ElideRight, room - metrics.horizontalAdvance(tail)) + tail

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        opt.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)
