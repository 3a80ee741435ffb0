"""Pay and run: from the quote to the answer, for Run a task.

    click (or Ctrl+Enter) ─▶ the confirmation opens, asking the provider (prepare: nothing signed)
                           ─▶ the terms and the guard's verdict ─▶ Pay ─▶ pay (sign, send, verify) ─▶ answer

The prepared payment is held only while its confirmation is open: Cancel, Esc, a lock or a network switch
closes the sheet and forgets it, unsigned. Paying runs off the serial worker (``long_op``): a provider may
take a minute to answer, and meanwhile the user browses, sends or tops up. One payment at a time per page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QWidget

from ui.dialogs.confirm_payment import ConfirmPaymentDialog
from ui.errors import user_message
from ui.ops import long_op, op
from ui.payment_terms import Terms, terms_of
from wallet.quote import PromptInput

if TYPE_CHECKING:
    from ui.pages.run_task import RunTaskPage
    from wallet.payments.flow import PaymentResult, PreparedPayment


@dataclass(frozen=True)
class TaskRequest:
    provider_id: int
    provider_name: str
    model: str
    prompt: PromptInput
    max_output: int
    balance: int | None


class _Stages(QObject):
    """Carries the core's progress callbacks (on the worker) to the GUI thread."""

    stage = Signal(str)


class TaskPayment(QObject):
    busy_changed = Signal(bool)  # a payment is being confirmed or paid
    confirmation_shown = Signal(object)  # the dialog, once it shows the terms (or why there are none)
    finished = Signal(object)  # the PaymentResult, or the exception

    def __init__(self, page: RunTaskPage, content: QWidget) -> None:
        super().__init__(page)
        self.page = page
        self.service = page.service
        self.dialog: ConfirmPaymentDialog | None = None
        self._prepared: PreparedPayment | None = None  # only while self.dialog is open
        self.evidence: QDialog | None = None  # a payment's record, opened from its receipt
        self._generation = 0  # a prepare that ends after its sheet closed is dropped
        self.paying = False
        self._stages = _Stages(self)
        self._stages.stage.connect(page.result.set_stage)
        page.result.show_evidence.connect(self._show_evidence)
        signals = page.controller.signals
        signals.lock_changed.connect(lambda locked: locked and self.forget())
        signals.network_switched.connect(lambda *_: self.forget())
        self.busy_changed.connect(lambda _busy: page.panel.set_busy(self.busy, self.paying))
        for keys in ("Ctrl+Return", "Ctrl+Enter"):  # Enter on the main keyboard and on the keypad
            QShortcut(QKeySequence(keys), content, self.pay_and_run,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    @property
    def busy(self) -> bool:
        return self.paying or self.dialog is not None

    # --- confirming ---
    def pay_and_run(self) -> None:
        """Open the confirmation for the task as quoted now (only when the quote says it can be paid)."""
        page = self.page
        provider, model = page.picker.provider(), page.picker.model()
        if not page.panel.payable() or provider is None or model is None:
            return
        system, prompt = page.task_texts()
        self.begin(TaskRequest(provider.id, provider.name, model.model, PromptInput.text(prompt, system),
                               page.panel.output_budget(), page.balance))

    def begin(self, request: TaskRequest) -> ConfirmPaymentDialog | None:
        if self.busy:
            return None
        self._generation += 1
        generation = self._generation
        service = self.service

        def prepare() -> tuple[PreparedPayment, Terms]:
            prepared = service.prepare_payment(request.provider_id, request.model, request.prompt,
                                               request.max_output)
            expected = service.expected_charge(prepared.quote) if prepared.scheme == "upto" else None
            terms = terms_of(prepared, service.payment_budgets(), service.spent_today(), request.balance, expected)
            return prepared, terms

        def current(dialog: ConfirmPaymentDialog) -> bool:
            """Still the sheet this demand was asked for: not cancelled, locked or switched away meanwhile."""
            return generation == self._generation and self.dialog is dialog and shiboken6.isValid(dialog)

        def prepared(result: tuple[PreparedPayment, Terms]) -> None:
            if not current(dialog):
                return  # forgotten unsigned
            self._prepared = result[0] if result[1].ok else None
            dialog.show_terms(result[1])
            self.confirmation_shown.emit(dialog)

        def failed(exc: BaseException) -> None:
            message = user_message(exc, "asking a provider for its payment demand")
            if current(dialog):
                dialog.show_failure(message)
                self.confirmation_shown.emit(dialog)

        # The provider is asked first; the sheet is built while its answer is on the way.
        op(prepare, parent=self).success(prepared).failure(failed).run()
        dialog = ConfirmPaymentDialog(request.provider_name, self.page)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: self._closed(dialog, result))
        self.dialog = dialog
        self.busy_changed.emit(True)
        dialog.open()
        return dialog

    def forget(self) -> None:
        """Close the sheet and drop what it was about to sign (a lock, a network switch)."""
        self._generation += 1
        self._prepared = None
        dialog = self.dialog
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.reject()

    def _closed(self, dialog: ConfirmPaymentDialog, result: int) -> None:
        if self.dialog is not dialog:
            return
        self.dialog = None
        prepared, self._prepared = self._prepared, None
        if result == QDialog.DialogCode.Accepted and prepared is not None:
            self._pay(prepared)
        else:
            self.busy_changed.emit(self.busy)

    # --- paying ---
    def _pay(self, prepared: PreparedPayment) -> None:
        self.paying = True
        self.busy_changed.emit(True)
        result_panel = self.page.result
        result_panel.start(prepared.provider.name, prepared.quote.model, self.service.profile.explorer_url)
        self._show_result_panel()
        stages = self._stages
        service = self.service

        def pay() -> PaymentResult:
            return service.pay(prepared, lambda event: stages.stage.emit(event.stage))

        def paid(result: PaymentResult) -> None:
            result_panel.show_result(result)
            self.finished.emit(result)

        def failed(exc: BaseException) -> None:
            result_panel.show_failure(user_message(exc, "paying a provider"))
            self.finished.emit(exc)

        def done() -> None:
            self.paying = False
            self.busy_changed.emit(self.busy)

        long_op(pay, parent=self).success(paid).failure(failed).finally_(done).run()

    def _show_result_panel(self) -> None:
        page = self.page
        if not page.result.isVisible():
            page.result.show()
            total = max(page.work_split.height(), 2)
            page.work_split.setSizes([total // 3, total - total // 3])  # the answer gets the room

    def _show_evidence(self, payment_id: int) -> None:
        from ui.dialogs.evidence import open_evidence

        open_evidence(self.service, payment_id, self.page, lambda d: setattr(self, "evidence", d),
                      lambda e: self.page.result.say(user_message(e)))

    def pending(self) -> Any:
        """What the open sheet would sign (tests check it is gone after a lock)."""
        return self._prepared
