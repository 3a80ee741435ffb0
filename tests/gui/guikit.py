"""Constants and helpers the GUI tests share (the conftest uses them too; a test module cannot import a conftest
by name when several test folders have one)."""

from __future__ import annotations

from typing import Any

TEST_PHRASE = "test test test test test test test test test test test junk"  # public (anvil's, Hardhat's)
PASSWORD = "correct horse battery"


def keep_window(qtbot: Any, win: Any, controller: Any) -> None:
    """Let pytest-qt close and delete ``win`` after the test, its controller shut down first: pytest-qt deletes
    widgets before fixtures tear down, and the core's events still queued would reach deleted widgets."""
    qtbot.addWidget(win, before_close_func=lambda _w: controller.shutdown())
