"""Core events → Qt signals. The core publishes on its own threads; each event is queued to the GUI thread and
only there turned into its signal, so that an event still queued when the window shuts down (``detach``) is
dropped instead of reaching widgets already deleted.

Only the core's events make these signals fire: a widget never emits one itself, it calls the service, and the
service announces what changed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from wallet.events import (
    AccountsChanged,
    AccountSelected,
    BalancesChanged,
    ConnectionChanged,
    EventBus,
    HistoryChanged,
    HistorySyncProgress,
    LockChanged,
    NetworkSwitched,
    NewBlock,
    PaymentBudgetsChanged,
    PaymentProgress,
    PaymentRecorded,
    PaymentSettled,
    ProvidersChanged,
    SettingsChanged,
    TransactionStatusChanged,
    TransferReceived,
)


class CoreSignals(QObject):
    new_block = Signal(int)
    connection_changed = Signal(str, str)  # state, reason
    balances_changed = Signal(str, object, object)  # address, eth wei, AIT base units (Python ints)
    lock_changed = Signal(bool)
    accounts_changed = Signal()
    account_selected = Signal(str)  # address
    network_switched = Signal(str, int, bool)  # name, chain id, is the devnet
    settings_changed = Signal(str)  # the setting's key
    providers_changed = Signal()
    history_changed = Signal(int)  # chain id
    history_sync_progress = Signal(int, int)  # last block read, head
    transfer_received = Signal(str, str, object, object, str)  # account, asset, amount (int), sender or None, tx
    transaction_status_changed = Signal(str, str, str)  # tx hash, status, kind
    payment_progress = Signal(str, int, object)  # stage, provider id, payment id (None before it is recorded)
    payment_settled = Signal(int, str, int, object, str)  # payment id, account, provider id, AIT base units, tx
    payment_recorded = Signal(int, str)  # payment id, status
    payment_budgets_changed = Signal(object, object)  # per task, daily: AIT base units or None (no limit)

    _event = Signal(object)  # any core event, on its way to the GUI thread

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._attached = True
        self._event.connect(self._dispatch)  # a bound method: queued to this object's thread from any other
        self._unsubscribe = bus.subscribe(self._event.emit)

    def detach(self) -> None:
        self._attached = False
        self._unsubscribe()

    def _dispatch(self, event: object) -> None:
        if not self._attached:  # published before the shutdown, delivered after it
            return
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
            case AccountSelected(address=a):
                self.account_selected.emit(a)
            case NetworkSwitched(name=name, chain_id=chain_id, is_devnet=is_devnet):
                self.network_switched.emit(name, chain_id, is_devnet)
            case SettingsChanged(name=name):
                self.settings_changed.emit(name)
            case ProvidersChanged():
                self.providers_changed.emit()
            case HistoryChanged(chain_id=chain_id):
                self.history_changed.emit(chain_id)
            case HistorySyncProgress(block=block, head=head):
                self.history_sync_progress.emit(block, head)
            case TransferReceived(account=a, asset=asset, amount=amount, sender=sender, tx_hash=tx):
                self.transfer_received.emit(a, asset, amount, sender, tx)
            case TransactionStatusChanged(tx_hash=tx, status=status, kind=kind):
                self.transaction_status_changed.emit(tx, status, kind)
            case PaymentProgress(stage=stage, provider_id=pid, intent_id=iid):
                self.payment_progress.emit(stage, pid, iid)
            case PaymentSettled(intent_id=iid, account=a, provider_id=pid, amount=amount, tx_hash=tx):
                self.payment_settled.emit(iid, a, pid, amount, tx)
            case PaymentRecorded(intent_id=iid, status=status):
                self.payment_recorded.emit(iid, status)
            case PaymentBudgetsChanged(per_task=per_task, daily=daily):
                self.payment_budgets_changed.emit(per_task, daily)
