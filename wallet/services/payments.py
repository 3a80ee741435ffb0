"""Paying providers: prepare (the decoded 402 and the guard's verdict, nothing signed), pay (sign, send, verify),
the payment records, reconciliation, cancellation, disputes, the expected charge, the budgets and the scheme
preference.

Signing happens inside: the facade gives this service the accounts' signer when it builds it, and the key never
leaves the call that signs. Progress and settlements are announced on the bus (``PaymentProgress``,
``PaymentSettled``, ``PaymentRecorded``, ``PaymentDisputed``); budgets changes with ``PaymentBudgetsChanged``,
the scheme preference with ``SettingsChanged("payment_scheme")``. While the chain is watched (the app), pending
payments are reconciled as blocks arrive, so an open authorization is followed until it settles or expires.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from wallet.config import DataDir, Settings
from wallet.errors import InvalidInput
from wallet.events import EventBus, PaymentBudgetsChanged, PaymentRecorded, SettingsChanged

if TYPE_CHECKING:
    from x402.mechanisms.evm.signer import ClientEvmSigner

    from wallet.networks import NetworkProfile
    from wallet.payments.budgets import Budgets
    from wallet.payments.expected import ExpectedCharge, FillRatio
    from wallet.payments.flow import PaymentFlow, PaymentResult, PreparedPayment, Progress, Task
    from wallet.payments.intents import Intent, IntentStore
    from wallet.payments.reconcile import ReconcileReport
    from wallet.quote import PromptInput, Quote
    from wallet.registry import ProviderInfo
    from wallet.services.accounts import SignerFor
    from wallet.services.network import NetworkService
    from wallet.services.quotes import QuoteService

SCHEME_SETTING = "payment_scheme"
WATCH_SECONDS = 5.0    # at most this often, pending payments are looked up as blocks arrive


class PaymentService:
    def __init__(self, data_dir: DataDir, network: NetworkService, quotes: QuoteService, bus: EventBus, *,
                 signer: SignerFor, settings: Settings | None = None, answer_timeout: float | None = None) -> None:
        self._data_dir = data_dir
        self._network = network
        self._quotes = quotes
        self._bus = bus
        self._signer = signer
        self._settings = settings or Settings()
        self._answer_timeout = answer_timeout
        self._lock = threading.Lock()
        self._store: IntentStore | None = None
        self._flow: tuple[NetworkProfile, PaymentFlow] | None = None
        self._last_watch = 0.0
        network.follow_blocks(self._watch_pending)

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
                *, repeat: bool = False, scheme: str | None = None,
                on_progress: Progress | None = None) -> PreparedPayment:
        from wallet.payments.flow import Task

        task = Task(provider_id, model, prompt_input, max_output, scheme or self.scheme())
        return self.flow().prepare(task, account, repeat=repeat, on_progress=on_progress)

    # --- the scheme preference ---
    def scheme(self) -> str:
        """``auto`` (metered when the provider offers it, else exact; the default), ``upto`` or ``exact``."""
        from wallet.payments.guard import SCHEME_PREFERENCES

        saved = self._settings.extra.get(SCHEME_SETTING)
        return saved if saved in SCHEME_PREFERENCES else "auto"

    def set_scheme(self, scheme: str) -> None:
        from wallet.payments.guard import SCHEME_PREFERENCES

        if scheme not in SCHEME_PREFERENCES:
            raise InvalidInput(f"The payment scheme must be one of {', '.join(SCHEME_PREFERENCES)}.")
        self._settings.extra[SCHEME_SETTING] = scheme
        self._settings.save(self._data_dir)
        self._bus.publish(SettingsChanged(SCHEME_SETTING))

    def expected_charge(self, quote: Quote) -> ExpectedCharge:
        return self.fill_ratio(quote.provider_id, quote.model).apply(quote)

    def fill_ratio(self, provider_id: int, model: str) -> FillRatio:
        from wallet.payments.expected import FillRatio

        if not self._data_dir.database.exists():  # no payment yet: a quote never creates the database
            return FillRatio.from_history([])
        chain_id = self._network.profile().chain_id
        return FillRatio.from_history(self.store.fill_history(chain_id, provider_id, model))

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
        """Every pending payment of this network, looked up on chain: settled, disputed, expired, cancelled or
        pending."""
        from wallet.payments.reconcile import ReconcileReport

        report = ReconcileReport()
        for after in self.flow().reconcile():
            {"settled": report.settled, "disputed": report.disputed, "expired": report.expired,
             "cancelled": report.cancelled}.get(after.status, report.pending).append(after)
        return report

    def cancel(self, intent_id: int) -> Intent:
        """Cancel a pending payment's authorization on chain (the account pays the gas: ``InsufficientFunds``
        says so when it has no ETH). Announced with ``PaymentRecorded(id, "cancelled")``."""
        from wallet.payments.cancel import cancel_authorization

        intent = self.payment(intent_id)
        flow = self.flow()
        after = cancel_authorization(flow.ledger, self.store, intent, self._signer(intent.account))
        self._bus.publish(PaymentRecorded(after.id, after.status))
        return after

    def disputes(self, *, provider_id: int | None = None, limit: int = 500) -> list[Intent]:
        """This network's disputed payments (newest first), of one provider or all."""
        chain_id = self._network.profile().chain_id
        found = self.store.list(status="disputed", chain_id=chain_id, limit=limit)
        return [i for i in found if provider_id is None or i.provider_id == provider_id]

    def disputes_by_provider(self) -> dict[int, int]:
        """Provider id → how many disputed payments this wallet holds against it, on this network."""
        return self.store.disputes_by_provider(self._network.profile().chain_id)

    def _watch_pending(self, _first: int, _last: int) -> None:
        now = time.monotonic()
        if now - self._last_watch < WATCH_SECONDS:
            return
        self._last_watch = now
        if self.store.pending(self._network.profile().chain_id):
            self.flow().reconcile()

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
