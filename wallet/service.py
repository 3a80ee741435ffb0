"""`WalletService`: the one facade the GUI and the CLI call. Blocking and thread-safe.

It owns the data dir, the selected network profile and (lazily, since web3 is a heavy import) the chain
client. Background threads, Qt signals and progress belong to the GUI; this class only does the work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wallet.addresses import parse_address
from wallet.config import DataDir, Settings
from wallet.errors import ConfigError, InvalidInput
from wallet.events import AccountsChanged, BalancesChanged, EventBus, LockChanged, ProvidersChanged
from wallet.networks import NetworkProfile, get_profile, load_profiles, save_custom_profile
from wallet.registry import ProviderInfo
from wallet.units import format_amount

if TYPE_CHECKING:
    from concurrent.futures import Future

    from eth_account.signers.local import LocalAccount

    from wallet.chain.client import ChainClient
    from wallet.devnet.manager import DevnetManager, DevnetStatus
    from wallet.history.follower import HistoryFollower
    from wallet.history.service import HistoryService
    from wallet.keys.manager import KeyManager
    from wallet.keys.metadata import AccountInfo
    from wallet.money import MoneyParts
    from wallet.quote import LiveQuote, QuoteEngine
    from wallet.storage import Database
    from wallet.transfers.service import TransferService
    from wallet.watcher import ChainWatcher

CURRENT_ACCOUNT_KEY = "current_account"


@dataclass(frozen=True)
class Balances:
    address: str
    eth: int  # wei
    ait: int  # AIT base units

    def to_json(self) -> dict[str, str]:
        return {"address": self.address, "eth": format_amount(self.eth), "ait": format_amount(self.ait)}


class WalletService:
    def __init__(self, data_dir: DataDir, *, network: str | None = None) -> None:
        self.data_dir = data_dir
        self.settings = Settings.load(data_dir)
        self.network_name = network or self.settings.network
        self._lock = threading.RLock()
        self._client: ChainClient | None = None
        self._profile: NetworkProfile | None = None
        self._keys: KeyManager | None = None
        self._quotes: QuoteEngine | None = None
        self._watcher: ChainWatcher | None = None
        self._database: Database | None = None
        self._money: MoneyParts | None = None
        self._follower: HistoryFollower | None = None
        self.bus = EventBus()

    def close(self) -> None:
        self.stop_watching()
        with self._lock:
            self._client = None
            if self._keys is not None:
                self._keys.close()
            if self._database is not None:
                self._database.close()

    # --- the wallet database, the history and transfers ---
    @property
    def database(self) -> Database:
        from wallet.storage import Database

        with self._lock:
            if self._database is None:
                self._database = Database(self.data_dir.database)
            return self._database

    @property
    def money(self) -> MoneyParts:
        from wallet.money import MoneyParts

        with self._lock:
            if self._money is None:
                self._money = MoneyParts(
                    db=self.database, chain=lambda: self.chain, profile=lambda: self.profile,
                    accounts=self._account_addresses, signer_for=self.signer, providers=self.list_providers,
                    bus=self.bus, database_marker=self._database_marker)
            return self._money

    @property
    def history(self) -> HistoryService:
        """Sync, paged queries, spending summaries and CSV export of the wallet's history."""
        return self.money.history

    @property
    def transfers(self) -> TransferService:
        """Top up, send, receive and replace stuck transactions."""
        return self.money.transfers

    def _account_addresses(self) -> list[str]:
        return [a.address for a in self.keys.list_accounts()]

    def _database_marker(self, value: str | None) -> str | None:
        key = "database_id"
        if value is None:
            found = self.settings.extra.get(key)
            return str(found) if isinstance(found, str) else None
        self.settings.extra[key] = value
        self.settings.save(self.data_dir)
        return value

    # --- network ---
    @property
    def profile(self) -> NetworkProfile:
        with self._lock:
            if self._profile is None:
                profile = get_profile(self.data_dir, self.network_name)
                if profile.is_devnet:
                    dev = self.devnet.profile()
                    # networks.json may pin devnet addresses; the local deployment record wins otherwise.
                    profile = dev.with_contracts({**dev.contracts, **profile.contracts})
                self._profile = profile
            return self._profile

    def reload_profile(self) -> NetworkProfile:
        with self._lock:
            self._profile = None
            self._client = None
            if self._quotes is not None:
                self._quotes.invalidate()
        return self.profile

    def network_names(self) -> list[str]:
        return sorted(load_profiles(self.data_dir))

    def profile_named(self, name: str) -> NetworkProfile:
        return get_profile(self.data_dir, name)

    def switch_network(self, name: str) -> NetworkProfile:
        """Make ``name`` the network this service and the next start use."""
        get_profile(self.data_dir, name)  # refuse unknown names before changing anything
        self.settings.network = name
        self.settings.save(self.data_dir)
        self.network_name = name
        return self.reload_profile()

    def save_network(self, profile: NetworkProfile) -> None:
        if profile.name == "devnet":
            raise ConfigError("The devnet profile is managed by the wallet; add a custom network instead.")
        save_custom_profile(self.data_dir, profile)
        if profile.name == self.network_name:
            self.reload_profile()

    @property
    def chain(self) -> ChainClient:
        # web3 takes a second or two to import: do it outside the lock, so the GUI thread's quick reads
        # (profile, settings) never wait for it.
        from wallet.chain.client import ChainClient

        with self._lock:
            if self._client is None:
                self._client = ChainClient(self.profile)
            return self._client

    def connect(self) -> int:
        return self.chain.connect()

    def block_number(self) -> int:
        return self.chain.block_number()

    # --- devnet ---
    @property
    def devnet(self) -> DevnetManager:
        from wallet.devnet.manager import DevnetManager

        return DevnetManager(self.data_dir)

    def devnet_up(self, port: int | None = None) -> tuple[DevnetStatus, bool]:
        status, started = self.devnet.up(port)
        self.reload_profile()
        return status, started

    def devnet_down(self) -> bool:
        stopped = self.devnet.down()
        self.reload_profile()
        return stopped

    def devnet_faucet(self, address: str, eth: int, ait: int) -> dict[str, str]:
        """Grant devnet ETH and AIT; the grants are recorded, so the history shows them as faucet grants."""
        from wallet.devnet.faucet import faucet

        to = parse_address(address)
        out = faucet(self.profile, to, eth, ait)
        grants = {asset: (out[key], amount) for asset, key, amount in (("ETH", "eth_tx", eth), ("AIT", "ait_tx", ait))
                  if key in out}
        self.money.record_faucet(to, grants)
        return out

    # --- balances and tokens ---
    def _token(self):
        from wallet.chain.contracts import AIToken

        return AIToken(self.chain, self.profile.contract("AIToken"))

    def eth_balance(self, address: str) -> int:
        return self.chain.eth_balance(address)

    def ait_balance(self, address: str) -> int:
        return self._token().balance_of(address)

    def balances(self, address: str) -> Balances:
        addr = parse_address(address, allow_zero=True)
        return Balances(addr, self.eth_balance(addr), self.ait_balance(addr))

    # --- providers ---
    def list_providers(self, *, include_inactive: bool = False) -> list[ProviderInfo]:
        from wallet.chain.contracts import ProviderRegistry

        registry = ProviderRegistry(self.chain, self.profile.contract("ProviderRegistry"))
        return registry.list_providers(include_inactive=include_inactive)

    def check_endpoint(self, url: str, timeout: float = 3.0) -> tuple[bool, str]:
        """Whether a provider's endpoint answers HTTP at all (any status): (reachable, what happened)."""
        import time

        import httpx

        t0 = time.monotonic()
        try:
            r = httpx.get(url, timeout=timeout, follow_redirects=False)
        except httpx.HTTPError as e:
            return False, f"not reachable ({e.__class__.__name__})"
        return True, f"HTTP {r.status_code} in {(time.monotonic() - t0) * 1000:.0f} ms"

    # --- keys ---
    @property
    def keys(self) -> KeyManager:
        from wallet.keys.manager import KeyManager  # eth_account: ~1 s, imported outside the lock

        with self._lock:
            if self._keys is None:
                self._keys = KeyManager(self.data_dir, self.settings, on_lock=self._on_keys_locked)
            return self._keys

    def _on_keys_locked(self, reason: str) -> None:
        self.bus.publish(LockChanged(True))

    def has_wallet(self) -> bool:
        return self.keys.has_wallet()

    def create_wallet(self, password: str, words: int = 12) -> str:
        phrase = self.keys.create_wallet(password, words)
        self._after_accounts_changed()
        return phrase

    def import_mnemonic(self, phrase: str, password: str) -> AccountInfo:
        info = self.keys.import_mnemonic(phrase, password)
        self._after_accounts_changed(info.address)
        return info

    def import_private_key(self, key_text: str, password: str) -> AccountInfo:
        info = self.keys.import_private_key(key_text, password)
        self._after_accounts_changed(info.address)
        return info

    def import_keystore(self, json_text: str, keystore_password: str, password: str) -> AccountInfo:
        info = self.keys.import_keystore(json_text, keystore_password, password)
        self._after_accounts_changed(info.address)
        return info

    # --- recovery phrases: pure helpers, so that the GUI never imports the key libraries itself ---
    def new_recovery_phrase(self, words: int = 12) -> str:
        """A fresh BIP-39 phrase, stored nowhere. Onboarding shows it, has it confirmed, then imports it with
        ``import_mnemonic``, so that a wallet never exists before its backup was checked."""
        from wallet.keys import mnemonic

        return mnemonic.generate(words)

    def check_recovery_phrase(self, phrase: str) -> int:
        """The word count of a valid phrase, else ``InvalidInput`` naming word positions (never the words)."""
        from wallet.keys import mnemonic

        return len(mnemonic.normalize(phrase).split())

    def add_account(self, label: str | None = None) -> AccountInfo:
        info = self.keys.add_account(label)
        self._after_accounts_changed(info.address)
        return info

    def accounts(self) -> list[AccountInfo]:
        return self.keys.list_accounts()

    def unlock(self, password: str) -> None:
        self.keys.unlock(password)
        self.bus.publish(LockChanged(False))

    def lock(self) -> None:
        self.keys.lock()  # publishes LockChanged through the manager's on_lock hook

    def is_locked(self) -> bool:
        return self.keys.is_locked()

    def touch(self) -> None:
        """User activity: pushes the auto-lock deadline back."""
        self.keys.touch()

    def rename_account(self, address: str, label: str) -> AccountInfo:
        info = self.keys.rename_account(address, label)
        self.bus.publish(AccountsChanged())
        return info

    def export_keystore(self, address: str, password: str, keystore_password: str | None = None) -> str:
        return self.keys.export_keystore(address, password, keystore_password)

    def reveal_mnemonic(self, password: str) -> str:
        return self.keys.reveal_mnemonic(password)

    def change_password(self, old: str, new: str) -> None:
        self.keys.change_password(old, new)

    def missing_secrets(self) -> list[str]:
        return self.keys.missing_secrets()

    def signer(self, address: str) -> LocalAccount:
        """For core modules that sign (payments, transactions); raises WalletLocked while locked."""
        return self.keys.signer(address)

    def set_auto_lock_minutes(self, minutes: int) -> None:
        if not 0 <= minutes <= 24 * 60:
            raise InvalidInput("Auto-lock must be between 0 (never) and 1440 minutes.")
        self.settings.auto_lock_minutes = minutes
        self.settings.save(self.data_dir)
        self.keys.set_idle_timeout(minutes * 60 or None)

    def _after_accounts_changed(self, select: str | None = None) -> None:
        if select is not None or self.current_account() is None:
            accounts = self.keys.list_accounts()
            if accounts:
                self.select_account(select or accounts[0].address)
        self.bus.publish(AccountsChanged())

    def current_account(self) -> str | None:
        """The account the app shows and pays from; the first one unless the user picked another."""
        known = [a.address for a in self.keys.list_accounts()]
        chosen = self.settings.extra.get(CURRENT_ACCOUNT_KEY)
        if chosen in known:
            return str(chosen)
        return known[0] if known else None

    def select_account(self, address: str) -> None:
        addr = parse_address(address)
        if addr not in [a.address for a in self.keys.list_accounts()]:
            raise InvalidInput(f"The account {addr} is not in this wallet.")
        self.settings.extra[CURRENT_ACCOUNT_KEY] = addr
        self.settings.save(self.data_dir)
        if self._watcher is not None:
            self._watcher.watch_address(addr)

    # --- quotes ---
    @property
    def quotes(self) -> QuoteEngine:
        from wallet.quote import QuoteEngine  # tiktoken, imported outside the lock

        with self._lock:
            if self._quotes is None:
                self._quotes = QuoteEngine(self.list_providers)
            return self._quotes

    def live_quote(self, provider_id: int, model: str, max_output: int) -> LiveQuote:
        from wallet.quote import LiveQuote

        return LiveQuote(self.quotes, provider_id, model, max_output)

    def warm_up_tokenizers(self) -> Future[None]:
        from wallet.tokenizers import warm_up

        return warm_up()

    # --- following the chain ---
    def start_watching(self, interval: float = 1.0) -> None:
        """Publish NewBlock / ConnectionChanged / BalancesChanged for the current account from now on."""
        from wallet.watcher import ChainWatcher

        with self._lock:
            if self._watcher is None:
                self._watcher = ChainWatcher(self.bus, self.block_number, self._balance_pair, interval=interval,
                                             on_blocks=self._registry_events)
                self._watcher.watch_address(self.current_account() if self.has_wallet() else None)
                self._watcher.start()
        self.start_following_history()

    def stop_watching(self) -> None:
        with self._lock:
            watcher, self._watcher = self._watcher, None
            follower, self._follower = self._follower, None
        if follower is not None:
            follower.stop()
        if watcher is not None:
            watcher.stop()

    def start_following_history(self) -> None:
        """From now on every new block checks pending transactions and syncs the history in the background."""
        from wallet.history.follower import HistoryFollower

        with self._lock:
            if self._follower is None:
                self._follower = HistoryFollower(self.bus, self.money.catch_up)
                self._follower.start()

    def refresh_balances(self) -> None:
        if self._watcher is not None:
            self._watcher.refresh()

    def _registry_events(self, first: int, last: int) -> None:
        """Any registry event in the new blocks (price set, provider updated…) makes the cached sheet stale."""
        registry = self.profile.contracts.get("ProviderRegistry")
        if registry is None or self._quotes is None:
            return
        if self.chain.get_logs(registry, [], first, last):
            self._quotes.invalidate()
            if self._money is not None:
                self._money.forget_providers()
            self.bus.publish(ProvidersChanged())

    def _balance_pair(self, address: str) -> tuple[int, int]:
        b = self.balances(address)
        return b.eth, b.ait

    def publish_balances(self, address: str) -> Balances:
        """Read balances now and tell subscribers (used right after a faucet or payment)."""
        b = self.balances(address)
        self.bus.publish(BalancesChanged(b.address, b.eth, b.ait))
        return b
