"""The prompt editor, and what it does to text put into it.

QPlainTextEdit stores text as blocks: on the way in, every line or paragraph separator (CR LF, CR, U+2028,
U+2029, and Qt's own frame markers U+FDD0/U+FDD1) becomes a block break, and ``toPlainText`` writes a
no-break space as a plain space. What is sent and paid for is what the editor holds, so a file opened into it
is counted in that same form, and the user is told when opening it changed characters.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtWidgets import QFileDialog, QPlainTextEdit, QWidget

from wallet.errors import QuoteError
from wallet.quote import PromptInput

MAX_EDITOR_FILE_BYTES = 8 * 1024 * 1024  # over gpt-4.1's 1M-token window already; more would only freeze the editor
PRIME_CHARS = 50_000  # a loaded file at least this long is counted in the background before it is shown

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


def choose_prompt_file(parent: QWidget) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, "Open a text file as the prompt", "",
                                          "Text files (*.txt *.md *.rst *.py *.json *.csv *.log);;All files (*)")
    return path


def read_prompt_file(path: str, count: Callable[[str], object] | None) -> tuple[str, str]:
    """Blocking (run it in the background): the file's text as the editor will hold it, and what that changed
    (``conversion_notice``). ``count``, if given, counts a long text ahead so showing it does not wait."""
    if os.path.getsize(path) > MAX_EDITOR_FILE_BYTES:
        raise QuoteError(f"{Path(path).name} is over {MAX_EDITOR_FILE_BYTES // 2**20} MiB: "
                         "far more than any model here can read.")
    original = PromptInput.from_file(path).messages[-1].content
    text = as_in_editor(original)
    if count is not None and len(text) >= PRIME_CHARS:
        count(text)
    return text, conversion_notice(original)
