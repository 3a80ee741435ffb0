"""The registry's price sheet as a page reads it, following the core's announcements.

Both pages that show providers (Run a task, Providers) read it the same way: in the background, one read at a
time; again when the registry changes on chain (the core has already dropped its stale copy), and again when
the network answers after a failed read. A network switch voids the sheet at once (``cleared``), and whatever
a read of the old network returns afterwards is dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ui.controller import AppController
from ui.ops import op
from wallet.registry import ProviderInfo


class PriceSheetReader(QObject):
    loaded = Signal(object)  # tuple[ProviderInfo, ...]
    failed = Signal(object)  # the exception
    cleared = Signal()  # another network: what was read is void
    busy_changed = Signal(bool)

    def __init__(self, controller: AppController, parent: QObject) -> None:
        super().__init__(parent)
        self._service = controller.service
        self._parent = parent
        self.busy = False
        self.read_once = False  # a sheet of the current network was loaded
        self._again = False  # a change was announced while a read was under way: read once more
        self._stale = False  # the last read failed
        self._generation = 0  # one per network
        controller.signals.providers_changed.connect(lambda: self.read())
        controller.signals.network_switched.connect(self._switched)
        controller.signals.connection_changed.connect(self._connection)

    def read(self, refresh: bool = False) -> None:
        """Read the sheet (``refresh``: from the chain, not the core's copy); ``loaded`` or ``failed`` follows."""
        if self.busy:
            self._again = True  # what is being read may predate the change
            return
        self._set_busy(True)
        generation, service = self._generation, self._service

        def loaded(providers: tuple[ProviderInfo, ...]) -> None:
            if generation == self._generation:
                self.read_once, self._stale = True, False
                self.loaded.emit(tuple(providers))

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._stale = True
                self.failed.emit(exc)

        def done() -> None:
            if generation == self._generation:
                self._set_busy(False)
                if self._again:
                    self._again = False
                    self.read()

        op(lambda: service.price_sheet(refresh=refresh), parent=self._parent).success(loaded).failure(
            failed).finally_(done).run()

    def _set_busy(self, on: bool) -> None:
        self.busy = on
        self.busy_changed.emit(on)

    def _switched(self, *_: object) -> None:
        self._generation += 1
        self._again = self._stale = self.read_once = False
        self._set_busy(False)
        self.cleared.emit()
        self.read()

    def _connection(self, state: str, _reason: str) -> None:
        if state == "connected" and self._stale:
            self.read(refresh=True)
