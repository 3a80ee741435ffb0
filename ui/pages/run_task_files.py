"""Opening a text file as the prompt, for Run a task: read (and, for a long file, counted) in the background."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.errors import show_error
from ui.ops import op
from ui.widgets.prompt_editor import choose_prompt_file, read_prompt_file

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QPushButton

    from ui.widgets.model_picker import ModelPicker
    from ui.widgets.prompt_editor import PromptEditor
    from wallet.quote import LiveQuote


class PromptFiles:
    """Mixed into the page, which has these:"""

    live: LiveQuote | None
    picker: ModelPicker
    prompt: PromptEditor
    open_button: QPushButton
    file_notice: QLabel
    _priming: bool

    def requote(self) -> None: ...

    # --- files ---
    def _choose_file(self) -> None:
        path = choose_prompt_file(self)
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        """Read (and, for a long file, count) in the background; then replace the prompt, undoably.

        The editor's form of the text is what will be sent, so that is what is counted ahead; the user is told
        when it differs from the file."""
        live, model = self.live, self.picker.model()

        def count(text: str) -> object:  # in the background, as the read
            assert live is not None and model is not None
            return live.counter(model.encoding, "user").count(text)

        self.open_button.setEnabled(False)

        def loaded(result: tuple[str, str]) -> None:
            text, notice = result
            cursor = self.prompt.textCursor()
            cursor.select(cursor.SelectionType.Document)
            cursor.insertText(text)  # one undo step, so a drop by mistake is Ctrl+Z away
            self.prompt.setTextCursor(cursor)
            if not notice and self.prompt.toPlainText() != text:  # a change this page does not know of
                notice = "Opening the file changed some characters. The price is for the text as shown."
            self.file_notice.setText(notice)
            self.file_notice.setVisible(bool(notice))

        def finished() -> None:
            self._priming = False
            self.open_button.setEnabled(True)
            self.requote()

        self._priming = True  # keystrokes meanwhile wait for the count rather than race it
        primed = count if live is not None and model is not None else None
        op(lambda: read_prompt_file(path, primed), parent=self).success(loaded).failure(
            lambda e: show_error(self, e)).finally_(finished).run()
