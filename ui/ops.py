"""Background operations: the GUI thread never waits on the network, the keyring or a tokenizer.

    op(lambda: service.balances(addr)).success(show).failure(report).run()

Queries run on a shared thread pool. State-changing operations (``serial=True``) run one at a time, in
order, on a single worker, so two clicks never sign or send concurrently. A paid task (``long_op``) may take a
minute waiting for its provider: it runs on a pool of its own, so it holds up neither the serial worker (a send,
a top-up) nor the reads of the page being browsed meanwhile. That is safe because the core reserves each
payment atomically (budgets and the same-task check in one database transaction). Callbacks run on the GUI
thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

_query_pool: QThreadPool | None = None
_serial_pool: QThreadPool | None = None
_long_pool: QThreadPool | None = None
_live: set[_Relay] = set()  # keeps relays alive until their callbacks have run


def _pools() -> tuple[QThreadPool, QThreadPool, QThreadPool]:
    global _query_pool, _serial_pool, _long_pool
    if _query_pool is None:
        _query_pool = QThreadPool()
        _query_pool.setMaxThreadCount(4)
        _serial_pool = QThreadPool()
        _serial_pool.setMaxThreadCount(1)
        _long_pool = QThreadPool()
        _long_pool.setMaxThreadCount(4)
    assert _serial_pool is not None and _long_pool is not None
    return _query_pool, _serial_pool, _long_pool


def wait_for_all(timeout_ms: int = 30_000) -> None:
    """Block until every running operation is done (at exit, and in tests)."""
    for pool in _pools():
        pool.waitForDone(timeout_ms)


def idle() -> bool:
    """True when no operation is running or still has a callback to deliver to the GUI thread. Tests wait on
    it (``qtbot.waitUntil(ops.idle)``) instead of waiting a fixed time for results to arrive."""
    return not _live


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as e:
            self.relay.failed.emit(e)
        else:
            self.relay.done.emit(result)


class Op:
    def __init__(self, fn: Callable[[], Any], *, serial: bool = False, long: bool = False,
                 parent: QObject | None = None) -> None:
        self._fn = fn
        self._serial = serial
        self._long = long
        self._parent = parent
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._finally: Callable[[], None] | None = None

    def success(self, cb: Callable[[Any], None]) -> Op:
        self._success = cb
        return self

    def failure(self, cb: Callable[[BaseException], None]) -> Op:
        self._failure = cb
        return self

    def finally_(self, cb: Callable[[], None]) -> Op:
        self._finally = cb
        return self

    def run(self) -> None:
        relay = _Relay()
        _live.add(relay)
        parent = self._parent

        def alive() -> bool:
            # A widget closed while its operation ran gets no callback.
            return parent is None or shiboken6.isValid(parent)

        def finish() -> None:
            _live.discard(relay)
            relay.deleteLater()
            if self._finally and alive():
                self._finally()

        def on_done(result: Any) -> None:
            try:
                if self._success and alive():
                    self._success(result)
            finally:
                finish()

        def on_failed(exc: BaseException) -> None:
            from ui.errors import report, show_error

            try:
                if not alive():
                    report(exc)  # nobody is left to show it; it is still not lost
                    return
                if self._failure:
                    self._failure(exc)
                else:
                    show_error(None, exc)
            finally:
                finish()

        relay.done.connect(on_done)
        relay.failed.connect(on_failed)
        query, serial, long = _pools()
        (serial if self._serial else long if self._long else query).start(_Runnable(self._fn, relay))


def op(fn: Callable[[], Any], *, parent: QObject | None = None) -> Op:
    """A read-only background operation."""
    return Op(fn, parent=parent)


def change_op(fn: Callable[[], Any], *, parent: QObject | None = None) -> Op:
    """A state-changing operation: serialized with every other one."""
    return Op(fn, serial=True, parent=parent)


def long_op(fn: Callable[[], Any], *, parent: QObject | None = None) -> Op:
    """A state-changing operation that may wait a long time on someone else (a provider answering a paid
    task): off the serial worker, so sends and top-ups are not held up behind it."""
    return Op(fn, long=True, parent=parent)
