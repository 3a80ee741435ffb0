"""The prompt editor, and what it does to text put into it.

QPlainTextEdit stores text as blocks: on the way in, every line or paragraph separator (CR LF, CR, U+2028,
U+2029, and Qt's own frame markers U+FDD0/U+FDD1) becomes a block break, and ``toPlainText`` writes a
no-break space as a plain space. What is sent and paid for is what the editor holds, so a file opened into it
is counted in that same form, and the user is told when opening it changed characters.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtWidgets import QPlainTextEdit

_SEPARATORS = "\u2028\u2029\ufdd0\ufdd1"
_AS_IN_EDITOR = str.maketrans({"\r": "\n", "\u00a0": " ", **{c: "\n" for c in _SEPARATORS}})


def as_in_editor(text: str) -> str:
    """``text`` as ``QPlainTextEdit.toPlainText()`` returns it after it was inserted."""
    return text.replace("\r\n", "\n").translate(_AS_IN_EDITOR)


def conversion_notice(original: str) -> str:
    """What the editor changed in ``original`` (a file as read), in the user's words; "" if nothing."""
    changed = []
    if "\u00a0" in original:
        changed.append("non-breaking spaces became plain spaces")
    if any(c in original for c in _SEPARATORS):
        changed.append("line and paragraph separators became line breaks")
    if not changed:
        return ""
    return (f"Opening the file changed some characters: {' and '.join(changed)}. "
            "The price is for the text as shown, which is what will be sent.")


class PromptEditor(QPlainTextEdit):
    """Plain text only; a dropped or pasted file is opened as the prompt instead of inserting its URL."""

    file_dropped = Signal(str)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = [u.toLocalFile() for u in source.urls() if u.isLocalFile()] if source.hasUrls() else []
        if files:
            self.file_dropped.emit(files[0])
        elif source.hasText():
            self.insertPlainText(source.text())
