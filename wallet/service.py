"""`WalletService`: the one door into the core for the GUI and the CLI. Blocking and thread-safe.

The facade composes small sub-services, one per concern (``wallet/services/``): network, accounts, quotes,
devnet. It forwards each public call to the one that owns it and hands out none of their insides — no key
manager, chain client, quote engine or signer. Whatever changes state announces it on ``bus`` (see
``wallet.events``), so a screen follows events rather than guessing what a call changed.

Signing never passes through here: a sub-service that signs is given ``AccountService.signer`` when the facade
builds it (see docs/architecture.md, "Adding a sub-service").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wallet.accounts import AccountInfo
from wallet.config import DataDir, Settings
from wallet.errors import InvalidInput
from wallet.events import EventBus
from wallet.networks import NetworkProfile
from wallet.registry import ProviderInfo
from wallet.services.accounts import AccountService
from wallet.services.devnet import DevnetService
from wallet.services.network import Balances, NetworkService
from wallet.services.payments import PaymentService
from wallet.services.quotes import QuoteService
from wallet.task_choice import TaskChoice

if TYPE_CHECKING:
    from concurrent.futures import Future

    from wallet.devnet.manager import DevnetStatus
    from wallet.payments.budgets import Budgets
    from wallet.payments.expected import ExpectedCharge
    from wallet.payments.flow import PaymentResult, PreparedPayment, Progress
    from wallet.payments.intents import Intent
    from wallet.payments.reconcile import ReconcileReport
    from wallet.quote import Comparison, LiveQuote, PromptInput, Quote

__all__ = ["AccountInfo", "Balances", "TaskChoice", "WalletService"]


class WalletService:
    def __init__(self, data_dir: DataDir, *, network: str | None = None, auto_lock: bool = True) -> None:
        """``auto_lock=False``: no idle timer (a process that lives for one command)."""
        self.data_dir = data_dir
        self.settings = Settings.load(data_dir)
        self.bus = EventBus()
        self._network = NetworkService(data_dir, self.settings, self.bus, network or self.settings.network)
        self._accounts = AccountService(data_dir, self.settings, self.bus, auto_lock=auto_lock)
        self._quotes = QuoteService(self._network, self.bus, data_dir, self.settings)
        self._devnet = DevnetService(data_dir, self._network)
        self._payments = PaymentService(data_dir, self._network, self._quotes, self.bus,
                                        signer=self._accounts.signer, settings=self.settings)

    def close(self) -> None:
        self._payments.close()
        self._network.close()
        self._accounts.close()

    # --- network ---
    @property
    def network_name(self) -> str:
        return self._network.name

    @property
    def profile(self) -> NetworkProfile:
        return self._network.profile()

    def reload_profile(self) -> NetworkProfile:
        return self._network.reload()

    def network_names(self) -> list[str]:
        return self._network.names()

    def profile_named(self, name: str) -> NetworkProfile:
        return self._network.profile_named(name)

    def switch_network(self, name: str) -> NetworkProfile:
        """Make ``name`` the network of this service and of the next start; announced with NetworkSwitched."""
        return self._network.switch(name)

    def save_network(self, profile: NetworkProfile) -> None:
        self._network.save(profile)

    def connect(self) -> int:
        return self._network.connect()

    def block_number(self) -> int:
        return self._network.block_number()

    def eth_balance(self, address: str) -> int:
        return self._network.eth_balance(address)

    def ait_balance(self, address: str) -> int:
        return self._network.ait_balance(address)

    def balances(self, address: str) -> Balances:
        return self._network.balances(address)

    def publish_balances(self, address: str) -> Balances:
        """Read balances now and tell subscribers (right after a faucet or a payment)."""
        return self._network.publish_balances(address)

    # --- following the chain ---
    def start_watching(self, interval: float = 1.0) -> None:
        """Publish NewBlock / ConnectionChanged / BalancesChanged for the current account from now on."""
        address = self._accounts.current_account() if self._accounts.has_wallet() else None
        self._network.start_watching(address, interval)

    def stop_watching(self) -> None:
        self._network.stop_watching()

    def refresh_balances(self) -> None:
        self._network.refresh_balances()

    # --- devnet ---
    def devnet_status(self) -> DevnetStatus:
        return self._devnet.status()

    def devnet_up(self, port: int | None = None, *, wait_for_services: bool = True) -> tuple[DevnetStatus, bool]:
        """Start the devnet (and its demo providers' gateways); ``wait_for_services=False`` returns once the chain
        answers, while the gateways finish starting (their ports are already bound, so early requests wait)."""
        return self._devnet.up(port, wait_for_services=wait_for_services)

    def devnet_down(self) -> bool:
        return self._devnet.down()

    def devnet_reset(self) -> None:
        self._devnet.reset()

    def devnet_faucet(self, address: str, eth: int | None = None, ait: int | None = None) -> dict[str, str]:
        return self._devnet.faucet(address, eth, ait)

    def faucet_amounts(self) -> tuple[int, int]:
        return self._devnet.faucet_amounts()

    # --- accounts ---
    def has_wallet(self) -> bool:
        return self._accounts.has_wallet()

    def has_mnemonic(self) -> bool:
        return self._accounts.has_mnemonic()

    def accounts(self) -> list[AccountInfo]:
        return self._accounts.accounts()

    def current_account(self) -> str | None:
        return self._accounts.current_account()

    def select_account(self, address: str) -> None:
        self._accounts.select_account(address)

    def create_wallet(self, password: str, words: int = 12) -> str:
        return self._accounts.create_wallet(password, words)

    def import_mnemonic(self, phrase: str, password: str, label: str | None = None) -> AccountInfo:
        return self._accounts.import_mnemonic(phrase, password, label)

    def import_private_key(self, key_text: str, password: str, label: str | None = None) -> AccountInfo:
        return self._accounts.import_private_key(key_text, password, label)

    def import_keystore(self, json_text: str, keystore_password: str, password: str,
                        label: str | None = None) -> AccountInfo:
        return self._accounts.import_keystore(json_text, keystore_password, password, label)

    def add_account(self, label: str | None = None) -> AccountInfo:
        return self._accounts.add_account(label)

    def rename_account(self, address: str, label: str) -> AccountInfo:
        return self._accounts.rename_account(address, label)

    def new_recovery_phrase(self, words: int = 12) -> str:
        """A fresh BIP-39 phrase, stored nowhere. Onboarding shows it, has it confirmed, then imports it with
        ``import_mnemonic``, so that a wallet never exists before its backup was checked."""
        return self._accounts.new_recovery_phrase(words)

    def check_recovery_phrase(self, phrase: str) -> int:
        """The word count of a valid phrase, else ``InvalidInput`` naming word positions (never the words)."""
        return self._accounts.check_recovery_phrase(phrase)

    def export_keystore(self, address: str, password: str, keystore_password: str | None = None) -> str:
        return self._accounts.export_keystore(address, password, keystore_password)

    def save_keystore(self, path: Path, keystore_json: str, *, replace: bool = True) -> None:
        """Write an exported keystore to ``path``, readable by its owner only (a new file unless ``replace``)."""
        self._accounts.save_keystore(path, keystore_json, replace=replace)

    def reveal_mnemonic(self, password: str) -> str:
        return self._accounts.reveal_mnemonic(password)

    def change_password(self, old: str, new: str) -> None:
        self._accounts.change_password(old, new)

    def reset_password(self, phrase: str, new_password: str) -> None:
        """A forgotten password: the wallet's own recovery phrase sets a new one and unlocks the wallet.
        Imported accounts keep their address and label but need their key imported again (it was sealed
        under the forgotten password)."""
        self._accounts.reset_password(phrase, new_password)

    def missing_secrets(self) -> list[str]:
        return self._accounts.missing_secrets()

    def unlock(self, password: str) -> None:
        self._accounts.unlock(password)

    def lock(self) -> None:
        self._accounts.lock()

    def is_locked(self) -> bool:
        return self._accounts.is_locked()

    def prepare_keys(self) -> None:
        """Load the key libraries now (blocking, ~1 s), so that the first unlock does not wait for them."""
        self._accounts.prepare_keys()

    def keys_ready(self) -> bool:
        return self._accounts.keys_ready()

    def touch(self) -> None:
        """User activity: pushes the auto-lock deadline back."""
        self._accounts.touch()

    def auto_lock_minutes(self) -> int:
        return self._accounts.auto_lock_minutes()

    def set_auto_lock_minutes(self, minutes: int) -> None:
        self._accounts.set_auto_lock_minutes(minutes)

    def set_idle_timeout(self, seconds: float | None) -> None:
        """Lock after ``seconds`` idle, for this run only (tests, benchmarks)."""
        self._accounts.set_idle_timeout(seconds)

    # --- providers and quotes ---
    def list_providers(self, *, include_inactive: bool = False) -> list[ProviderInfo]:
        return self._quotes.list_providers(include_inactive=include_inactive)

    def price_sheet(self, refresh: bool = False) -> tuple[ProviderInfo, ...]:
        return self._quotes.price_sheet(refresh)

    def check_endpoint(self, url: str, timeout: float = 3.0) -> tuple[bool, str]:
        return self._quotes.check_endpoint(url, timeout)

    def quote(self, provider_id: int, model: str, prompt_input: PromptInput, max_output: int,
              balance: int | None = None) -> Quote:
        return self._quotes.quote(provider_id, model, prompt_input, max_output, balance)

    def compare(self, prompt_input: PromptInput, max_output: int, balance: int | None = None) -> Comparison:
        return self._quotes.compare(prompt_input, max_output, balance)

    def live_quote(self, provider_id: int, model: str, max_output: int, balance: int | None = None, *,
                   sheet: Sequence[ProviderInfo] | None = None) -> LiveQuote:
        return self._quotes.live_quote(provider_id, model, max_output, balance, sheet=sheet)

    def warm_up_tokenizers(self, encodings: Sequence[str] | None = None) -> Future[None]:
        return self._quotes.warm_up_tokenizers(encodings)

    def warm_up_chosen_tokenizer(self) -> None:
        """Blocking: load the tokenizer of the model a task on this network will be priced with."""
        self._quotes.warm_up_chosen_tokenizer()

    def task_choice(self) -> TaskChoice:
        """The provider, model, budget and system prompt last chosen on the network in use."""
        return self._quotes.task_choice()

    def remember_task_choice(self, choice: TaskChoice, network: str | None = None) -> None:
        """Remember ``choice`` for ``network`` (default: the one in use) across restarts; announced with
        ``SettingsChanged("task_choice")``."""
        self._quotes.remember_task_choice(choice, network)

    def tokenizer_pending(self, encoding: str) -> bool:
        return self._quotes.tokenizer_pending(encoding)

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
