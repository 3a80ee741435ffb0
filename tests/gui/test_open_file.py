"""Opening a file into the prompt: the editor's text is what is sent, so that is what is counted (once, in the
background) and priced, and the user is told when the editor changed characters of the file."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot
from sheet import SHEET, offline_service, sheet_page

from ui.pages.run_task import RunTaskPage
from ui.widgets.model_picker import count_text
from ui.widgets.prompt_editor import PRIME_CHARS, PromptEditor, as_in_editor
from wallet.quote import PromptInput, QuoteEngine

pytestmark = pytest.mark.gui


@pytest.fixture
def page(tmp_path: Path, qtbot: QtBot) -> Iterator[RunTaskPage]:
    service = offline_service(tmp_path)
    yield sheet_page(service, qtbot)
    service.close()


@pytest.mark.parametrize("text", [
    "a\u00a0b", "a\u2028b", "a\u2029b", "a\r\nb", "a\rb", "a\r\r\nb", "a\n\rb", "a\r", "\r\n\r\n",
    "\ufdd0x\ufdd1", "\u00a0\u00a0\u2028\u2029", "a\u202fb\u2007c", "a\x0bb\x0cc\tc", "e\u0301 😀 \ufeff\x85",
])
def test_as_in_editor_is_what_the_editor_holds(qtbot: QtBot, text: str) -> None:
    editor = PromptEditor()
    qtbot.addWidget(editor)
    cursor = editor.textCursor()
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.insertText(text)
    assert editor.toPlainText() == as_in_editor(text)


def test_a_file_with_no_break_spaces_and_separators(page: RunTaskPage, qtbot: QtBot, tmp_path: Path) -> None:
    page.picker.select(1, "gpt-4o-mini")
    page.prompt.setPlainText("warm up")
    qtbot.waitUntil(lambda: page.panel.state == "ok", timeout=30_000)
    rnd = random.Random(7)
    words = ["price", "list", "token", "wallet", "report", "quarter", "risk", "provider", "über", "café"]
    text = "".join("\u00a0".join(rnd.choice(words) for _ in range(8)) + rnd.choice("\u2028\u2029\n")
                   for _ in range(1500))
    assert len(text) >= PRIME_CHARS  # counted in the background before it is shown
    path = tmp_path / "prices.txt"
    path.write_text(text, encoding="utf-8")
    assert page.live is not None
    live, counter = page.live, page.live.counter("o200k_base", "user")
    on_gui_thread: list[int] = []
    update = live.update

    def counted_update(system: str | None, prompt: str) -> object:
        before = counter.encoded_chars
        try:
            return update(system, prompt)
        finally:
            on_gui_thread.append(counter.encoded_chars - before)

    live.update = counted_update  # type: ignore[method-assign]
    page.load_file(str(path))
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=30_000)
    shown = page.prompt.toPlainText()
    assert shown == text.replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n")
    expected = QuoteEngine(lambda: SHEET).quote(1, "gpt-4o-mini", PromptInput.text(shown), 1024)
    qtbot.waitUntil(lambda: page.panel.input_tokens.text() == count_text(expected.input_tokens), timeout=10_000)
    assert page.panel.state == "ok"
    # The background count was of the editor's text: the GUI thread did not count the file again.
    assert on_gui_thread and sum(on_gui_thread) < 5_000, on_gui_thread
    assert page.file_notice.isVisible()
    assert "non-breaking spaces became plain spaces" in page.file_notice.text()
    assert "line and paragraph separators became line breaks" in page.file_notice.text()

    plain = tmp_path / "plain.txt"
    plain.write_text("Line one.\r\nLine two.\n", encoding="utf-8")  # Windows line ends: read as text anyway
    page.load_file(str(plain))
    qtbot.waitUntil(lambda: page.prompt.toPlainText() == "Line one.\nLine two.\n", timeout=10_000)
    assert not page.file_notice.isVisible()
