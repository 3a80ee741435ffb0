"""The status bar: network and chain id, block height, connection state, the count of pending transactions and
payments (a click opens History filtered to them), what is still loading."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from ui.controller import AppController
from ui.errors import report
from ui.ops import op
from ui.theme import colour


class StatusBar(QWidget):
    pending_clicked = Signal()

    def __init__(self, controller: AppController) -> None:
        super().__init__()
        self._last = ("connecting", "")
        self.pending = QToolButton()
        self.pending.setAutoRaise(True)
        self.pending.setToolTip("Transactions and payments not settled yet: show them in History")
        self.pending.clicked.connect(self.pending_clicked)
        self.pending.hide()
        self.pending_count = 0
        self.network = QLabel()
        self.block = QLabel("block —")
        self.dot = QLabel("●")
        self.state = QLabel()
        self.loading = QLabel()
        self.loading.setProperty("role", "subtitle")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        for w in (self.network, self.block):
            layout.addWidget(w)
            layout.addSpacing(12)
        layout.addWidget(self.dot)
        layout.addWidget(self.state)
        layout.addSpacing(12)
        layout.addWidget(self.pending)
        layout.addStretch(1)
        layout.addWidget(self.loading)
        # The name now; the chain id once the profile is read, in the background and after the first screen
        # (the devnet's profile is worked out by modules that screen should not wait for).
        self.service = controller.service
        self.network.setText(self.service.network_name)
        self._profile_read = False
        controller.loading_started.connect(self._read_profile)
        controller.mode_changed.connect(lambda mode: mode == "main" and self._read_profile())
        self._set_state("connecting", "")
        controller.signals.new_block.connect(lambda n: self.block.setText(f"block {n:,}"))
        controller.signals.connection_changed.connect(self._set_state)
        controller.loading_changed.connect(
            lambda what: self.loading.setText(f"Loading {what}…" if what else ""))
        controller.network_error.connect(lambda msg: self._set_state("down", msg))
        controller.signals.network_switched.connect(self._on_network_switched)
        self._count_soon = QTimer(self)
        self._count_soon.setSingleShot(True)
        self._count_soon.setInterval(300)
        self._count_soon.timeout.connect(self.count_pending)
        self._unlocked = False
        controller.mode_changed.connect(self._follow_mode)
        for signal in (controller.signals.history_changed, controller.signals.transaction_status_changed,
                       controller.signals.payment_recorded, controller.signals.network_switched):
            signal.connect(lambda *_: self._unlocked and self._count_soon.start())

    def _follow_mode(self, mode: str) -> None:
        """The count is of the wallet's own movements: shown only while it is unlocked."""
        self._unlocked = mode == "main"
        if self._unlocked:
            self._count_soon.start()
        else:
            self.pending.hide()

    def count_pending(self) -> None:
        from wallet.history.model import HistoryFilter

        service = self.service
        op(lambda: service.history_page(HistoryFilter(statuses=("pending",)), 0, 1).total, parent=self).success(
            self._show_pending).failure(lambda e: report(e, "counting the pending transactions")).run()

    def _show_pending(self, n: int) -> None:
        self.pending_count = n
        self.pending.setText(f"{n:,} pending")
        self.pending.setVisible(bool(n) and self._unlocked)

    def _read_profile(self) -> None:
        if self._profile_read:
            return
        self._profile_read = True
        service = self.service
        op(lambda: service.profile, parent=self).success(
            lambda p: self.network.setText(f"{p.name} · chain {p.chain_id}")).run()

    def _on_network_switched(self, name: str, chain_id: int, _is_devnet: bool) -> None:
        """The old network's block and connection state are not this one's: they go at once."""
        self.network.setText(f"{name} · chain {chain_id}")
        self.block.setText("block —")
        self._set_state("connecting", "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # light/dark switch: the dot takes the new palette's colour
            self._set_state(*self._last)
        super().changeEvent(event)

    def _set_state(self, state: str, reason: str) -> None:
        self._last = (state, reason)
        colours = {"connected": colour("success"), "reconnecting": "#d4a017", "down": colour("danger")}
        self.dot.setStyleSheet(f"color: {colours.get(state, '#d4a017')};")
        self.state.setText({"connected": "connected", "reconnecting": "reconnecting…",
                            "connecting": "connecting…"}.get(state, "offline"))
        tip = reason or state
        self.dot.setToolTip(tip)
        self.state.setToolTip(tip)
