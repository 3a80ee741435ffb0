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
from wallet.events import EventBus
from wallet.networks import NetworkProfile
from wallet.payments.history_records import IntentRecordSource
from wallet.registry import ProviderInfo
from wallet.services.accounts import AccountService
from wallet.services.devnet import DevnetService
from wallet.services.history import HistoryService, database_marker
from wallet.services.network import Balances, NetworkService
from wallet.services.payment_door import PaymentDoor
from wallet.services.payments import PaymentService
from wallet.services.quotes import QuoteService
from wallet.services.transfers import TransferService
from wallet.storage import Database
from wallet.task_choice import TaskChoice

if TYPE_CHECKING:
    from concurrent.futures import Future

    from wallet.devnet.manager import DevnetStatus
    from wallet.history.follower import HistoryFollower
    from wallet.history.model import HistoryFilter, HistoryPage, SpendBucket, SpendPoint
    from wallet.history.sync import SyncReport
    from wallet.quote import Comparison, LiveQuote, PromptInput, Quote
    from wallet.transfers.plans import Fees, SendPlan, TopUpPlan
    from wallet.transfers.records import TxRecord

__all__ = ["AccountInfo", "Balances", "TaskChoice", "WalletService"]


class WalletService(PaymentDoor):
    def __init__(self, data_dir: DataDir, *, network: str | None = None, auto_lock: bool = True) -> None:
        """``auto_lock=False``: no idle timer (a process that lives for one command)."""
        self.data_dir = data_dir
        self.settings = Settings.load(data_dir)
        self.bus = EventBus()
        self._network = NetworkService(data_dir, self.settings, self.bus, network or self.settings.network)
        self._accounts = AccountService(data_dir, self.settings, self.bus, auto_lock=auto_lock)
        self._quotes = QuoteService(self._network, self.bus, data_dir, self.settings)
        self._db = Database(data_dir.database)  # opened on first use
        self._history = HistoryService(self._db, self._network, self.bus, accounts=self._addresses,
                                       providers=self._quotes.list_providers,
                                       database_marker=database_marker(data_dir, self.settings))
        self._transfers = TransferService(self._db, self._network, self.bus, signer=self._accounts.signer,
                                          accounts=self._addresses, records_changed=self._history.records_changed)
        self._history.add_source(*self._transfers.history_source())
        self._history.add_source(IntentRecordSource())
        self._devnet = DevnetService(data_dir, self._network, on_grant=self._transfers.record_faucet)
        self._payments = PaymentService(data_dir, self._network, self._quotes, self.bus,
                                        signer=self._accounts.signer, settings=self.settings)
        self._follower: HistoryFollower | None = None

    def close(self) -> None:
        self.stop_watching()
        self._payments.close()
        self._network.close()
        self._accounts.close()
        self._db.close()

    def _addresses(self) -> list[str]:
        return [a.address for a in self._accounts.accounts()]

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
        """Publish NewBlock / ConnectionChanged / BalancesChanged for the current account from now on, and keep
        the history and the pending transactions up to date with every new block."""
        from wallet.history.follower import HistoryFollower

        address = self._accounts.current_account() if self._accounts.has_wallet() else None
        self._network.start_watching(address, interval)
        if self._follower is None:
            self._follower = HistoryFollower(self.bus, self._network.follow_blocks, self.sync_history)
            self._follower.start()

    def stop_watching(self) -> None:
        follower, self._follower = self._follower, None
        if follower is not None:
            follower.stop()
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

    # --- top up, send, receive (plans first: nothing is signed before the action) ---
    def payment_request(self, account: str, amount: str | None = None, asset: str = "AIT", *,
                        qr: Path | None = None) -> dict[str, str]:
        return self._transfers.payment_request(account, amount, asset, qr=qr)

    def prepare_send(self, account: str, to: str, amount: str | None, asset: str | None = None) -> SendPlan:
        return self._transfers.prepare_send(account, to, amount, asset)

    def send(self, plan: SendPlan, *, accept_warnings: bool = False) -> TxRecord:
        return self._transfers.send(plan, accept_warnings=accept_warnings)

    def prepare_topup(self, account: str, *, ait: str | None = None, eth: str | None = None) -> TopUpPlan:
        return self._transfers.prepare_topup(account, ait=ait, eth=eth)

    def topup(self, plan: TopUpPlan) -> TxRecord:
        return self._transfers.topup(plan)

    def transactions(self, status: str | None = None, *, refresh: bool = False) -> list[TxRecord]:
        return self._transfers.transactions(status, refresh=refresh)

    def wait_for_transaction(self, tx_hash: str, timeout: float = 60.0) -> TxRecord:
        return self._transfers.wait(tx_hash, timeout)

    def prepare_replacement(self, tx_hash: str) -> tuple[TxRecord, Fees]:
        return self._transfers.prepare_replacement(tx_hash)

    def speed_up(self, tx_hash: str) -> TxRecord:
        return self._transfers.speed_up(tx_hash)

    def cancel_transaction(self, tx_hash: str) -> TxRecord:
        return self._transfers.cancel(tx_hash)

    # --- history ---
    def sync_history(self) -> SyncReport:
        self._transfers.refresh()
        return self._history.sync()

    def history_page(self, flt: HistoryFilter | None = None, offset: int = 0, limit: int = 100) -> HistoryPage:
        return self._history.page(flt, offset, limit)

    def spend_summary(self, by: str = "provider", flt: HistoryFilter | None = None) -> list[SpendBucket]:
        return self._history.spend(by, flt)

    def spend_series(self, period: str = "day", flt: HistoryFilter | None = None) -> list[SpendPoint]:
        return self._history.spend_series(period, flt)

    def export_history_csv(self, path: Path, flt: HistoryFilter | None = None) -> int:
        return self._history.export_csv(path, flt)

    def import_network(self, path: Path, name: str | None = None, *, use: bool = False) -> NetworkProfile:
        return self._network.import_file(path, name, use=use)
