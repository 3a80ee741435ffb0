"""Paying providers: prepare (the decoded 402 and the guard's verdict, nothing signed), pay (sign, send, verify),
the payment records, reconciliation and the budgets.

Signing happens inside: the facade gives this service the accounts' signer when it builds it, and the key never
leaves the call that signs. Progress and settlements are announced on the bus (``PaymentProgress``,
``PaymentSettled``, ``PaymentRecorded``); budgets changes with ``PaymentBudgetsChanged``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from wallet.config import DataDir
from wallet.errors import InvalidInput
from wallet.events import EventBus, PaymentBudgetsChanged

if TYPE_CHECKING:
    from x402.mechanisms.evm.signer import ClientEvmSigner

    from wallet.networks import NetworkProfile
    from wallet.payments.budgets import Budgets
    from wallet.payments.flow import PaymentFlow, PaymentResult, PreparedPayment, Progress, Task
    from wallet.payments.intents import Intent, IntentStore
    from wallet.payments.reconcile import ReconcileReport
    from wallet.quote import PromptInput, Quote
    from wallet.registry import ProviderInfo
    from wallet.services.accounts import SignerFor
    from wallet.services.network import NetworkService
    from wallet.services.quotes import QuoteService

class PaymentService:
    def __init__(self, data_dir: DataDir, network: NetworkService, quotes: QuoteService, bus: EventBus, *,
                 signer: SignerFor, answer_timeout: float | None = None) -> None:
        self._data_dir = data_dir
        self._network = network
        self._quotes = quotes
        self._bus = bus
        self._signer = signer
        self._answer_timeout = answer_timeout
        self._lock = threading.Lock()
        self._store: IntentStore | None = None
        self._flow: tuple[NetworkProfile, PaymentFlow] | None = None

    def close(self) -> None:
        with self._lock:
            flow, self._flow = self._flow, None
            store, self._store = self._store, None
        if flow is not None:
            flow[1].close()
        if store is not None:
            store.db.close()

    @property
    def store(self) -> IntentStore:
        from wallet.payments.intents import IntentStore
        from wallet.storage import Database

        with self._lock:
            if self._store is None:
                self._store = IntentStore(Database(self._data_dir.database))
            return self._store

    def flow(self) -> PaymentFlow:
        """The payment flow on the network in use (rebuilt after a switch)."""
        from wallet.payments.flow import PaymentFlow
        from wallet.payments.ledger import Ledger
        from wallet.payments.provider_http import ANSWER_TIMEOUT, ProviderHttp

        profile = self._network.profile()
        store = self.store
        with self._lock:
            if self._flow is not None and self._flow[0] == profile:
                return self._flow[1]
            old, self._flow = self._flow, None
        if old is not None:
            old[1].close()
        flow = PaymentFlow(
            chain_id=profile.chain_id, ledger=Ledger(self._network.chain(), profile.contract("AIToken")),
            store=store, http=ProviderHttp(self._answer_timeout or ANSWER_TIMEOUT), quote=self._quote,
            signer=self._sign_with, publish=self._bus.publish)
        with self._lock:
            self._flow = (profile, flow)
        return flow

    def _quote(self, task: Task, _account: str) -> tuple[ProviderInfo, Quote]:
        provider, _ = self._quotes.engine.find(task.provider_id, task.model)
        return provider, self._quotes.quote(task.provider_id, task.model, task.prompt, task.max_output)

    def _sign_with(self, address: str) -> ClientEvmSigner:
        from x402.mechanisms.evm.signers import EthAccountSigner

        return EthAccountSigner(self._signer(address))

    # --- paying ---
    def prepare(self, account: str, provider_id: int, model: str, prompt_input: PromptInput, max_output: int,
                *, repeat: bool = False, on_progress: Progress | None = None) -> PreparedPayment:
        from wallet.payments.flow import Task

        return self.flow().prepare(Task(provider_id, model, prompt_input, max_output), account, repeat=repeat,
                                   on_progress=on_progress)

    def pay(self, prepared: PreparedPayment, on_progress: Progress | None = None, *,
            repeat: bool = False) -> PaymentResult:
        return self.flow().pay(prepared, on_progress, repeat=repeat)

    def set_answer_timeout(self, seconds: float) -> None:
        if not 0 < seconds <= 3600:
            raise InvalidInput("The provider's answer timeout must be between 0 and 3600 seconds.")
        self._answer_timeout = seconds
        with self._lock:
            if self._flow is not None:
                self._flow[1].close()
            self._flow = None

    # --- records ---
    def payments(self, *, pending_only: bool = False, limit: int = 500) -> list[Intent]:
        """This network's payments, newest first."""
        chain_id = self._network.profile().chain_id
        if pending_only:
            return list(reversed(self.store.pending(chain_id)))[:limit]
        return self.store.list(chain_id=chain_id, limit=limit)

    def payment(self, intent_id: int) -> Intent:
        try:
            return self.store.get(intent_id)
        except KeyError:
            raise InvalidInput(f"There is no payment {intent_id} in this wallet.") from None

    def reconcile(self) -> ReconcileReport:
        """Every pending payment of this network, looked up on chain: settled, expired, cancelled or pending."""
        from wallet.payments.reconcile import ReconcileReport

        report = ReconcileReport()
        for after in self.flow().reconcile():
            {"settled": report.settled, "expired": report.expired, "cancelled": report.cancelled}.get(
                after.status, report.pending).append(after)
        return report

    # --- budgets ---
    def budgets(self) -> Budgets:
        return self.store.budgets()

    def set_budgets(self, per_task: int | None, daily: int | None) -> Budgets:
        """Base units; None means no limit."""
        from wallet.payments.budgets import Budgets

        budgets = Budgets(per_task, daily)
        self.store.set_budgets(budgets)
        self._bus.publish(PaymentBudgetsChanged(per_task, daily))
        return budgets

    def spent_today(self) -> int:
        return self.store.spent_today(self._network.profile().chain_id)
