"""Background operations never lose a failure: an unexpected one is logged with its traceback whoever shows it —
the default dialog, a widget's own status line, or nobody at all because the widget closed meanwhile."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from ui.errors import UNEXPECTED, user_message
from ui.ops import op, wait_for_all
from wallet.errors import NetworkError

pytestmark = pytest.mark.gui


def failures(caplog: pytest.LogCaptureFixture, kind: type[BaseException]) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], kind)]


def test_a_failure_whose_widget_closed_is_still_logged(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    widget = QWidget()
    started, release = threading.Event(), threading.Event()
    shown: list[BaseException] = []

    def work() -> None:
        started.set()
        release.wait(10)
        raise LookupError("a bug, found after the page closed")

    op(work, parent=widget).failure(shown.append).run()
    assert started.wait(10)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget), timeout=5_000)
    with caplog.at_level(logging.ERROR):
        release.set()
        wait_for_all()
        qtbot.waitUntil(lambda: bool(failures(caplog, LookupError)), timeout=5_000)
    assert shown == []  # no callback on a closed widget
    assert "a bug, found after the page closed" in caplog.text and "Traceback" in caplog.text


def test_a_status_line_that_shows_an_unexpected_failure_logs_it(qtbot: QtBot,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    status = QLabel()
    qtbot.addWidget(status)

    def work() -> None:
        raise ZeroDivisionError("a bug behind a status line")

    with caplog.at_level(logging.DEBUG):
        op(work, parent=status).failure(lambda e: status.setText(user_message(e))).run()
        qtbot.waitUntil(lambda: status.text() != "", timeout=5_000)
    assert status.text() == UNEXPECTED
    assert failures(caplog, ZeroDivisionError)


def test_an_expected_error_is_shown_not_logged_as_a_failure(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    status = QLabel()
    qtbot.addWidget(status)

    def work() -> None:
        raise NetworkError("Cannot reach the network.")

    with caplog.at_level(logging.INFO):
        op(work, parent=status).failure(lambda e: status.setText(user_message(e))).run()
        qtbot.waitUntil(lambda: status.text() != "", timeout=5_000)
    assert status.text() == "Cannot reach the network."
    assert not failures(caplog, NetworkError) and "Cannot reach the network" not in caplog.text


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)
