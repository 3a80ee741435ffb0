"""Showing a recovery phrase: a numbered grid of words that cannot be selected or copied, under a warning.

Secrets never go to the clipboard, so the words are plain labels with no text interaction and no context
menu; the grid forgets them (``clear``) as soon as it is closed or left.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.layout import add_buttons, dialog_layout
from ui.dialogs.secret import SecretDialog
from ui.theme import colour
from ui.widgets.common import subtitle

PHRASE_WARNING = (
    "<b>Write these words down on paper, in order, and keep them somewhere safe.</b> They are the only way "
    "to restore your wallet if this computer is lost. <b>Anyone who has them controls your funds:</b> never "
    "type them into a website, never photograph or share them — no support person will ever ask for them."
)


class WarningBox(QFrame):
    """A framed notice with a bar in the danger colour, for what must not be skimmed."""

    def __init__(self, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("warningBox")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        self.label = QLabel(html)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label)
        self._paint()

    def _paint(self) -> None:
        css = (f"QFrame#warningBox {{ border: 1px solid palette(mid); border-left: 4px solid {colour('danger')};"
               " border-radius: 4px; background: palette(base); }")
        if css != self.styleSheet():  # restyling sends another PaletteChange; only restyle on a real change
            self.setStyleSheet(css)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # the theme changed: its danger colour did too
            self._paint()
        super().changeEvent(event)


class PhraseGrid(QWidget):
    """Numbered words, read down the columns as they would be written on paper."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(8)
        self.word_labels: list[QLabel] = []

    def set_words(self, words: list[str]) -> None:
        self.clear()
        columns = 4 if len(words) > 12 else 3
        rows = -(-len(words) // columns)
        for i, word in enumerate(words):
            cell = QFrame()
            cell.setObjectName("phraseCell")
            cell.setStyleSheet(
                "QFrame#phraseCell { border: 1px solid palette(mid); border-radius: 4px; background: palette(base); }")
            row = QHBoxLayout(cell)
            row.setContentsMargins(10, 6, 10, 6)
            number = QLabel(f"{i + 1}.")
            number.setProperty("role", "subtitle")
            number.setMinimumWidth(24)
            number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label = QLabel(word)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            label.setStyleSheet("font-family: monospace; font-size: 15px;")
            label.setAccessibleName(f"Word {i + 1}")
            row.addWidget(number)
            row.addSpacing(6)
            row.addWidget(label, 1)
            self.word_labels.append(label)
            self.grid.addWidget(cell, i % rows, i // rows)
        for c in range(columns):
            self.grid.setColumnStretch(c, 1)

    def words(self) -> list[str]:
        return [label.text() for label in self.word_labels]

    def clear(self) -> None:
        for label in self.word_labels:
            label.setText("")
        self.word_labels = []
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and (w := item.widget()) is not None:
                w.hide()  # deleteLater waits for the event loop; the old words must vanish now
                w.deleteLater()


class MnemonicDialog(SecretDialog):
    """The recovery phrase from Settings → Backup, after the password was checked."""

    def __init__(self, phrase: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recovery phrase")
        self.setMinimumWidth(620)
        layout = dialog_layout(self, "Your recovery phrase")
        layout.setSpacing(12)
        layout.addWidget(WarningBox(PHRASE_WARNING))
        self.stack = QStackedWidget()
        self.grid = PhraseGrid()
        self.grid.set_words(phrase.split())
        hidden = subtitle("The words are hidden. Press Show to see them again.")
        hidden.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.grid)
        self.stack.addWidget(hidden)
        layout.addWidget(self.stack)
        buttons = QDialogButtonBox()
        self.hide_button = QPushButton("Hide")
        self.hide_button.setAutoDefault(False)
        self.hide_button.clicked.connect(self._toggle)
        buttons.addButton(self.hide_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        add_buttons(layout, buttons)

    def wipe(self) -> None:
        self.grid.clear()

    def shown(self) -> bool:
        return self.stack.currentWidget() is self.grid

    def _toggle(self) -> None:
        show = not self.shown()
        self.stack.setCurrentIndex(0 if show else 1)
        self.hide_button.setText("Hide" if show else "Show")
