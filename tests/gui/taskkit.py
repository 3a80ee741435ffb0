"""Helpers for tests of the Run a task page (its fixtures, ``devnet_service`` and ``task_page``, are in
conftest.py)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.pages.run_task import RunTaskPage
from ui.widgets.model_picker import count_text
from wallet.quote import Quote


def choose(page: RunTaskPage, provider_id: int, model: str) -> None:
    page.picker.select(provider_id, model)
    assert (page.picker.provider().id, page.picker.model().model) == (provider_id, model)


def wait_quote(qtbot: QtBot, page: RunTaskPage, state: str = "ok", expected: Quote | None = None,
               timeout: int = 20_000) -> None:
    """Until the panel is in ``state`` (and shows ``expected``'s count): the last keystrokes of a burst are
    quoted a frame later, so the state alone may still be that of an earlier keystroke."""
    def shown() -> bool:
        return page.panel.state == state and (
            expected is None or page.panel.input_tokens.text() == count_text(expected.input_tokens))

    qtbot.waitUntil(shown, timeout=timeout)
