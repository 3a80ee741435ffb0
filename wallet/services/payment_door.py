"""The payment calls of ``WalletService`` (``wallet/service.py``), kept here so the facade stays small: each
forwards to ``PaymentService`` with one line, plus the account a payment is made from. Plain types in and out;
the signer never passes through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wallet.errors import InvalidInput

if TYPE_CHECKING:
    from wallet.payments.budgets import Budgets
    from wallet.payments.expected import ExpectedCharge, FillRatio
    from wallet.payments.flow import PaymentResult, PreparedPayment, Progress
    from wallet.payments.intents import Intent
    from wallet.payments.reconcile import ReconcileReport
    from wallet.quote import PromptInput, Quote
    from wallet.services.accounts import AccountService
    from wallet.services.network import NetworkService
    from wallet.services.payments import PaymentService


class PaymentDoor:
    _payments: PaymentService
    _accounts: AccountService
    _network: NetworkService

    # --- payments ---
    def prepare_payment(self, provider_id: int, model: str, prompt_input: PromptInput, max_output: int, *,
                        account: str | None = None, repeat: bool = False, scheme: str | None = None,
                        on_progress: Progress | None = None) -> PreparedPayment:
        """Ask the provider for its 402 and run the guard on it: the demand and the verdict. Nothing is signed.
        ``scheme``: auto | upto | exact (default: ``payment_scheme()``)."""
        payer = account or self._accounts.current_account()
        if payer is None:
            raise InvalidInput("There is no account to pay from: create or import a wallet first.")
        return self._payments.prepare(payer, provider_id, model, prompt_input, max_output, repeat=repeat,
                                      scheme=scheme, on_progress=on_progress)

    def pay(self, prepared: PreparedPayment, on_progress: Progress | None = None, *,
            repeat: bool = False) -> PaymentResult:
        """Record, sign, send and check on chain the payment ``prepare_payment`` approved."""
        result = self._payments.pay(prepared, on_progress, repeat=repeat)
        self._network.refresh_balances()
        return result

    def payments(self, *, pending_only: bool = False, limit: int = 500) -> list[Intent]:
        return self._payments.payments(pending_only=pending_only, limit=limit)

    def payment(self, intent_id: int) -> Intent:
        return self._payments.payment(intent_id)

    def reconcile_payments(self) -> ReconcileReport:
        return self._payments.reconcile()

    def cancel_payment(self, intent_id: int) -> Intent:
        """Cancel a pending payment's authorization on chain; the account pays the gas (``InsufficientFunds``
        when it has no ETH: the authorization then stays open until it expires)."""
        return self._payments.cancel(intent_id)

    def disputes(self, *, provider_id: int | None = None, limit: int = 500) -> list[Intent]:
        return self._payments.disputes(provider_id=provider_id, limit=limit)

    def disputes_by_provider(self) -> dict[int, int]:
        """Provider id → disputed payments held against it on this network (to mark providers)."""
        return self._payments.disputes_by_provider()

    def expected_charge(self, quote: Quote) -> ExpectedCharge:
        """The maximum of a metered payment for ``quote`` and the charge to expect (docs/payments.md)."""
        return self._payments.expected_charge(quote)

    def fill_ratio(self, provider_id: int, model: str) -> FillRatio:
        """The share of their output budget this wallet's latest answers from ``model`` at the provider used
        (it reads the database): ``.apply(quote)`` is ``expected_charge(quote)`` without a read, for a quote
        that changes on every keystroke."""
        return self._payments.fill_ratio(provider_id, model)

    def payment_scheme(self) -> str:
        """The scheme preference: auto (metered when offered, else exact), upto or exact."""
        return self._payments.scheme()

    def set_payment_scheme(self, scheme: str) -> None:
        """Saved across restarts; announced with ``SettingsChanged("payment_scheme")``."""
        self._payments.set_scheme(scheme)

    def payment_budgets(self) -> Budgets:
        return self._payments.budgets()

    def set_payment_budgets(self, per_task: int | None, daily: int | None) -> Budgets:
        """Base units; None is no limit. Announced with PaymentBudgetsChanged."""
        return self._payments.set_budgets(per_task, daily)

    def spent_today(self) -> int:
        return self._payments.spent_today()

    def set_payment_timeout(self, seconds: float) -> None:
        """How long to wait for a provider's answer, for this run (the CLI's --timeout)."""
        self._payments.set_answer_timeout(seconds)
