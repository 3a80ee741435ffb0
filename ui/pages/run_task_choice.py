"""Run a task remembers, per network, the provider, model, output budget and system prompt last chosen there,
through the service (``task_choice`` / ``remember_task_choice``), so a restart or a switch back finds them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from ui.errors import report
from ui.ops import op
from ui.widgets.model_picker import ModelPicker
from ui.widgets.quote_panel import DEFAULT_BUDGET, QuotePanel
from wallet.registry import ProviderInfo
from wallet.service import WalletService
from wallet.task_choice import TaskChoice

SAVE_AFTER_MS = 600  # saved once edits pause, not on every keystroke of a system prompt


class RememberedChoice(QObject):
    def __init__(self, service: WalletService, picker: ModelPicker, panel: QuotePanel, system: QPlainTextEdit,
                 watched: QWidget) -> None:
        """``watched``: the widget whose hiding saves a pending change at once (the page's content)."""
        super().__init__(watched)
        self.service = service
        self.picker, self.panel, self.system = picker, panel, system
        self.restored_for: str | None = None  # the network whose choice the widgets show
        self._restoring = False
        self._pending_for: str | None = None  # the network a pending save belongs to
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_AFTER_MS)
        self._timer.timeout.connect(self.save)
        picker.changed.connect(lambda _p, _m: self._edited())
        panel.budget_changed.connect(lambda _v: self._edited())
        system.textChanged.connect(self._edited)
        watched.installEventFilter(self)

    def restore_once(self, sheet: Sequence[ProviderInfo]) -> None:
        """Show the choice remembered for the network in use, once per network, when its providers are in:
        the model if still offered (else the first, as the tokenizer warm-up assumes), the budget (else the
        default), the system prompt (else none)."""
        if self.restored_for == self.service.network_name:
            return
        choice = self.service.task_choice()
        self.restored_for = self.service.network_name
        self._restoring = True
        try:
            picked = choice.pick(sheet)
            if picked is not None:
                self.picker.select(picked[0].id, picked[1].model)
            self.panel.set_budget(choice.max_output or DEFAULT_BUDGET)
            if self.system.toPlainText() != choice.system_prompt:
                self.system.setPlainText(choice.system_prompt)
        finally:
            self._restoring = False

    def network_switched(self) -> None:
        if self._timer.isActive():
            self.save()  # for the network it was made on
        self.restored_for = None

    def _edited(self) -> None:
        if self._restoring or self.restored_for is None:  # not a choice of the user's on this network
            return
        self._pending_for = self.restored_for
        self._timer.start()

    def save(self) -> None:
        self._timer.stop()
        network, self._pending_for = self._pending_for, None
        provider, model = self.picker.provider(), self.picker.model()
        if network is None or provider is None or model is None:
            return
        choice = TaskChoice(provider.id, model.model, self.panel.output_budget(), self.system.toPlainText())
        op(lambda: self.service.remember_task_choice(choice, network), parent=self).failure(
            lambda e: report(e, "remembering the task's choices")).run()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide and self._timer.isActive():
            self.save()
        return False
