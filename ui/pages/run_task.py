"""Run a task: pick a provider and model, write the prompt, and see its exact price as you type.

Live quoting runs on the GUI thread on purpose: ``LiveQuote.update`` is incremental (a one-character edit in
a 100k-token prompt re-encodes one ~2k-character chunk), so it is cheaper than a round trip to a worker and
the panel never shows a stale number. Three things stay off the GUI thread: loading a tokenizer (the panel
says "Loading tokenizer…" until it is in memory), reading the registry (the page quotes against the
snapshot of the price sheet it loaded in the background, so a keystroke never waits on the network) and
reading the earlier answers the expected charge of a metered payment comes from (``ExpectedFigure``).
"""

from __future__ import annotations

import time

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.controller import AppController
from ui.dialogs.compare import CompareDialog
from ui.errors import report, user_message
from ui.ops import op
from ui.pages.base import Page
from ui.pages.providers import UNREACHABLE, EmptyState, registry_error_text
from ui.pages.run_task_choice import RememberedChoice
from ui.pages.run_task_expected import ExpectedFigure
from ui.pages.run_task_files import PromptFiles
from ui.pages.run_task_pay import TaskPayment
from ui.price_sheet import PriceSheetReader
from ui.widgets.common import plain_label, scrolls_when_short, subtitle, title
from ui.widgets.model_picker import ModelPicker, count_text
from ui.widgets.prompt_editor import PromptEditor
from ui.widgets.quote_panel import QuotePanel
from ui.widgets.task_result import TaskResultPanel
from wallet.errors import QuoteError, WalletError
from wallet.quote import LiveQuote, PromptInput, Quote
from wallet.registry import ModelPrice, ProviderInfo

MIN_INTERVAL = 0.016  # s: at most one quote per frame; faster edits (a paste, key repeat) are coalesced
EDITOR_HINT = "Plain text. Drop a text file on the editor or use Open file…"


class RunTaskPage(PromptFiles, Page):
    name = "Run a task"

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.providers: tuple[ProviderInfo, ...] | None = None
        self.live: LiveQuote | None = None
        self.account: str | None = None
        self.balance: int | None = None
        self.compare_dialog: CompareDialog | None = None
        self._generation = 0  # one per network: a balance read of an older one is dropped
        self._warming = False
        self._tokenizer_error = ""
        self._priming = False
        self._updating = False
        self._last_update = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.requote)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 20)
        outer.setSpacing(12)
        outer.addWidget(title("Run a task"))
        outer.addWidget(subtitle("See exactly what a task costs before anything is paid."))
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)

        self.loading_view = EmptyState("Loading the providers from the registry…")
        retry = QPushButton("Try again")
        retry.clicked.connect(lambda: self.reload_providers(invalidate=True))
        self.empty_view = EmptyState(UNREACHABLE, retry)
        self.stack.addWidget(self.loading_view)
        self.stack.addWidget(self.empty_view)
        self.stack.addWidget(self._build_content())
        self.stack.setCurrentWidget(self.loading_view)

        controller.signals.balances_changed.connect(self._on_balances)
        controller.signals.account_selected.connect(lambda _address: self._load_balance())
        self.sheet = PriceSheetReader(controller, self)  # follows registry changes and network switches
        self.sheet.loaded.connect(self._providers_loaded)
        self.sheet.failed.connect(self._providers_failed)
        self.sheet.cleared.connect(self._on_network_switched)

    # --- layout ---
    def _build_content(self) -> QWidget:
        content = QWidget()
        self.picker = ModelPicker()
        self.picker.changed.connect(self._target_changed)

        self.open_button = QPushButton("Open file…")
        self.open_button.setToolTip("Use a text file as the prompt (you can also drop one on the editor)")
        self.open_button.clicked.connect(self._choose_file)
        self.system_toggle = QToolButton()
        self.system_toggle.setCheckable(True)
        self.system_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.system_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.system_toggle.setAutoRaise(True)
        self.system_toggle.toggled.connect(self._fold_system)
        self.system = QPlainTextEdit()
        self.system.setPlaceholderText("Instructions for the model (optional), e.g. \"Answer in French.\"")
        self.system.setMaximumHeight(90)
        self.system.setTabChangesFocus(True)
        self.system.hide()
        self.prompt = PromptEditor()
        self.prompt.setPlaceholderText("Type or paste the prompt here, or drop a text file.")
        self.prompt.setTabChangesFocus(True)
        self.prompt.file_dropped.connect(self.load_file)
        self.counts = QLabel()
        self.counts.setProperty("role", "subtitle")
        self.file_notice = plain_label()  # what opening a file changed in its text
        self.file_notice.setProperty("role", "subtitle")
        self.file_notice.setWordWrap(True)
        self.file_notice.hide()

        head = QHBoxLayout()
        prompt_label = QLabel("Prompt")
        prompt_label.setStyleSheet("font-weight: 600;")
        head.addWidget(prompt_label)
        head.addStretch(1)
        head.addWidget(self.open_button)
        editor_col = QVBoxLayout()
        editor_col.setSpacing(6)
        # The system prompt comes first, as it does in the request; the prompt heading sits on its own editor.
        editor_col.addWidget(self.system_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        editor_col.addWidget(self.system)
        editor_col.addSpacing(2)
        editor_col.addLayout(head)
        editor_col.addWidget(self.prompt, 1)
        editor_col.addWidget(self.file_notice)
        editor_col.addWidget(self.counts)

        self.panel = QuotePanel()
        self.panel.budget_changed.connect(self._budget_changed)
        self.panel.budget_edited.connect(self.schedule_quote)
        self.panel.compare_requested.connect(self.open_compare)
        self.panel.pay_requested.connect(self.pay_and_run)
        editor_box = QWidget()
        editor_box.setLayout(editor_col)
        editor_col.setContentsMargins(0, 0, 0, 0)
        self.result = TaskResultPanel()
        self.result.hide()  # until the first paid task
        self.work_split = QSplitter(Qt.Orientation.Vertical)
        self.work_split.setChildrenCollapsible(False)
        self.work_split.addWidget(editor_box)
        self.work_split.addWidget(self.result)
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.work_split, 1)
        body.addWidget(scrolls_when_short(self.panel))

        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        layout.addWidget(self.picker)
        layout.addLayout(body, 1)
        self.prompt.textChanged.connect(self.schedule_quote)
        self.system.textChanged.connect(self._label_system_toggle)
        self.system.textChanged.connect(self.schedule_quote)
        self.choice = RememberedChoice(self.service, self.picker, self.panel, self.system, content)
        self._fold_system(False)
        self.setTabOrder(self.picker.model_box, self.prompt)
        self.setTabOrder(self.prompt, self.panel.budget)
        self.setTabOrder(self.panel.budget, self.panel.pay_button)
        self.setTabOrder(self.panel.pay_button, self.panel.compare_button)
        self.payment = TaskPayment(self, content)  # Pay and run, Ctrl+Enter
        self.expected = ExpectedFigure(self.service, self.controller.signals, self.picker, self.panel, content)
        self.content = content
        return content

    def pay_and_run(self) -> None:
        self.payment.pay_and_run()

    def _fold_system(self, unfolded: bool) -> None:
        self.system.setVisible(unfolded)
        self.system_toggle.setArrowType(Qt.ArrowType.DownArrow if unfolded else Qt.ArrowType.RightArrow)
        self._label_system_toggle()
        if unfolded:
            self.system.setFocus()

    def _label_system_toggle(self) -> None:
        n = len(self.system.toPlainText().strip())
        folded_note = f" — set, {count_text(n)} characters" if n and not self.system.isVisible() else ""
        self.system_toggle.setText(f"System prompt (optional){folded_note}")

    # --- providers ---
    def on_shown(self) -> None:
        if self.providers is None and not self.sheet.busy:
            self.reload_providers()
        self._load_balance()

    def main_field(self) -> QWidget | None:
        return self.prompt

    def reload_providers(self, invalidate: bool = False) -> None:
        if self.providers is None:
            self.stack.setCurrentWidget(self.loading_view)
        self.sheet.read(refresh=invalidate)

    def _on_network_switched(self) -> None:
        """Everything on this page came from the old network's registry and balance: it goes at once. The
        choice made on the old one is saved for it; the new one's is restored when its providers arrive."""
        self.choice.network_switched()
        self._generation += 1
        self.providers = None
        if self.live is not None:
            self.live.use_sheet(())
        self.picker.set_providers(())
        self.panel.show_loading("Loading the providers of this network…")
        dialog = self.compare_dialog
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.reject()
        self.compare_dialog = None
        self.stack.setCurrentWidget(self.loading_view)
        self._set_balance(None)
        self._load_balance()

    def _providers_loaded(self, providers: tuple[ProviderInfo, ...]) -> None:
        self.providers = tuple(providers)
        sheet = self.providers
        # A snapshot: quoting from it on the GUI thread never reaches the network.
        if self.live is None:
            self.live = self.service.live_quote(0, "", self.panel.output_budget(), self.balance, sheet=sheet)
        else:
            self.live.use_sheet(sheet)
        if not any(p.models for p in sheet):
            self._show_empty("No providers are registered on this network yet.")
            return
        self.stack.setCurrentWidget(self.content)
        self.picker.set_providers(sheet)
        self.choice.restore_once(sheet)

    def _providers_failed(self, exc: BaseException) -> None:
        if self.providers is None:  # else keep quoting from the sheet already loaded
            self._show_empty(registry_error_text(exc))

    def _show_empty(self, text: str) -> None:
        self.empty_view.set_text(text)
        self.stack.setCurrentWidget(self.empty_view)

    def _target_changed(self, provider: ProviderInfo, model: ModelPrice) -> None:
        # The quote follows the picker first: whatever the widgets do next, the panel never prices another model.
        if self.live is not None:
            self.live.set_target(provider_id=provider.id, model=model.model,
                                 max_output=min(self.panel.output_budget(), model.max_output))
        try:
            self.panel.set_model(model)  # clamps the budget to the model's maximum
        finally:
            if self.live is not None:
                self.live.set_target(max_output=self.panel.output_budget())
            self.requote()

    def _budget_changed(self, value: int) -> None:
        if self.live is not None:
            self.live.set_target(max_output=value)
        self.schedule_quote()

    # --- balance ---
    def _load_balance(self) -> None:
        service, generation = self.service, self._generation

        def work() -> tuple[str | None, int | None]:
            address = service.current_account()
            if address is None:
                return None, None
            try:
                return address, service.balances(address).ait
            except WalletError:
                return address, None  # offline: the watcher's balances_changed fills it in later

        def loaded(result: tuple[str | None, int | None]) -> None:
            if generation == self._generation:
                self._set_account(*result)

        def failed(exc: BaseException) -> None:
            report(exc, "reading the balance")
            if generation == self._generation:
                self._set_account(None, None)

        op(work, parent=self).success(loaded).failure(failed).run()

    def _set_account(self, address: str | None, ait: int | None) -> None:
        self.account = address
        self._set_balance(ait)

    def _on_balances(self, address: str, _eth: int, ait: int) -> None:
        if address == self.account:
            self._set_balance(ait)

    def _set_balance(self, ait: int | None) -> None:
        self.balance = ait
        if self.live is not None:
            self.live.balance = ait
        why = "No account in this wallet yet" if self.account is None else "Balance not known yet (offline?)"
        self.panel.set_balance(ait, why)
        self.schedule_quote()

    # --- live quote ---
    def task_texts(self) -> tuple[str | None, str]:
        """(system, prompt) exactly as they would be sent: a blank system prompt is left out."""
        system = self.system.toPlainText()
        return (system if system.strip() else None), self.prompt.toPlainText()

    def schedule_quote(self) -> None:
        """Quote now, unless one ran less than a frame ago: then once, a frame later, with the latest text."""
        since = time.perf_counter() - self._last_update
        if self._updating or since < MIN_INTERVAL:
            if not self._timer.isActive():
                self._timer.start(max(0, int((MIN_INTERVAL - since) * 1000)))
            return
        self.requote()

    def requote(self) -> None:
        self._timer.stop()
        system, prompt = self.task_texts()
        self.counts.setText(f"{count_text(len(prompt))} characters" if prompt else EDITOR_HINT)
        if not prompt:
            self.file_notice.hide()
        model = self.picker.model()
        if self.live is None or model is None:
            return
        blank = not prompt or prompt.isspace()  # no copy of a long prompt, unlike strip()
        budget_problem = self.panel.budget_problem()
        self.panel.compare_button.setEnabled(not blank and not budget_problem)
        if budget_problem:  # a number out of range is refused as typed, never priced as something else
            self.panel.show_refusal(budget_problem, None)
            return
        if blank:
            self.panel.show_empty()
            return
        if self._tokenizer_error:
            self.panel.show_refusal(self._tokenizer_error, None)
            return
        # An encoding the wallet cannot count (anyone may register one) is refused by the quote below, not
        # waited for: no warm-up will ever load it.
        if self.service.tokenizer_pending(model.encoding):
            self.panel.show_loading("Loading tokenizer…")
            self._warm_up(model.encoding)
            return
        if self._priming:
            self.panel.show_loading("Counting tokens…")
            return
        self._updating = True
        try:
            result = self.live.update(system, prompt)
        finally:
            self._updating = False
            self._last_update = time.perf_counter()
        self.show_result(result, system, prompt)

    def show_result(self, result: Quote | QuoteError, system: str | None, prompt: str) -> None:
        if isinstance(result, Quote):
            self.panel.show_quote(result)
            self.expected.show(result)
        else:
            self.expected.show(None)
            assert self.live is not None
            self.panel.show_refusal(result.user_message, self.live.input_tokens(system, prompt))

    def _warm_up(self, encoding: str) -> None:
        """Load the encoding this model is metered by (only it: each costs tens of MiB)."""
        if self._warming:
            return
        self._warming = True

        def failed(exc: BaseException) -> None:
            self._tokenizer_error = user_message(exc)

        def done() -> None:
            self._warming = False
            self.requote()

        op(lambda: self.service.warm_up_tokenizers([encoding]).result(), parent=self).failure(failed).finally_(
            done).run()

    # --- compare ---
    def open_compare(self) -> None:
        system, prompt = self.task_texts()
        if not prompt.strip() or self.panel.budget_problem():
            return
        dialog = CompareDialog(self.service, PromptInput.text(prompt, system), self.panel.output_budget(),
                               self.balance, self)
        dialog.chosen.connect(self.picker.select)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.compare_dialog = dialog
        dialog.open()
