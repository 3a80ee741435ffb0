"""Core events → Qt signals. The core publishes on its own threads; Qt queues the signals to the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from wallet.events import (
    AccountsChanged,
    BalancesChanged,
    ConnectionChanged,
    EventBus,
    LockChanged,
    NewBlock,
    ProvidersChanged,
)


class CoreSignals(QObject):
    new_block = Signal(int)
    connection_changed = Signal(str, str)  # state, reason
    balances_changed = Signal(str, object, object)  # address, eth wei, AIT base units (Python ints)
    lock_changed = Signal(bool)
    accounts_changed = Signal()
    providers_changed = Signal()

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = bus.subscribe(self._on_event)

    def detach(self) -> None:
        self._unsubscribe()

    def _on_event(self, event: object) -> None:
        match event:
            case NewBlock(number=n):
                self.new_block.emit(n)
            case ConnectionChanged(state=state, reason=reason):
                self.connection_changed.emit(state, reason)
            case BalancesChanged(address=a, eth=eth, ait=ait):
                self.balances_changed.emit(a, eth, ait)
            case LockChanged(locked=locked):
                self.lock_changed.emit(locked)
            case AccountsChanged():
                self.accounts_changed.emit()
            case ProvidersChanged():
                self.providers_changed.emit()
