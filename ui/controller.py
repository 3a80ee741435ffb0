"""The app's state machine around one WalletService: starting → onboarding | locked → main.

It starts the devnet when the selected network is the devnet and it is not running (and stops what it
started on exit), warms up the heavy parts in the background, and turns core events into Qt signals.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from ui.bridge import CoreSignals
from ui.ops import op, wait_for_all
from wallet.errors import WalletError
from wallet.logs import log_failure
from wallet.service import WalletService

log = logging.getLogger(__name__)
TOUCH_EVERY = 5.0  # seconds: user activity pushes the auto-lock deadline back at most this often


@dataclass
class StartupResult:
    started_devnet: bool
    chain_id: int | None


class AppController(QObject):
    mode_changed = Signal(str)  # "starting" | "onboarding" | "locked" | "main"
    startup_progress = Signal(str)
    loading_changed = Signal(str)  # what is still loading in the background ("" when nothing)
    loading_started = Signal()  # the first screen is up: what it did not need may load now
    network_error = Signal(str)

    def __init__(self, service: WalletService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.signals = CoreSignals(service.bus, self)
        self.mode = "starting"
        self.started_devnet = False
        self.shut_down = False
        self._last_touch = 0.0
        self._loading: set[str] = set()
        self.signals.lock_changed.connect(self._on_lock_changed)

    # --- start-up ---
    def start(self) -> None:
        self.show_first_screen()
        self.load_behind()

    def show_first_screen(self) -> None:
        """Onboarding or the lock screen, decided from the wallet's light metadata (accounts.json): no key
        library, chain library or tokenizer is needed to show either."""
        self._enter(self._mode_for(self.service.has_wallet()))

    def load_behind(self) -> None:
        """What the first screen does not need, in the background: the key library first (the next thing a
        person does is unlock or create a wallet), then the network (the devnet started if it is the
        choice), then the tokenizer of the model Run a task will price with."""
        self.loading_started.emit()
        self._set_loading("network", True)
        self.startup_progress.emit(f"Connecting to {self.service.network_name}…")
        self._set_loading("keys", True)
        op(self.service.prepare_keys, parent=self).finally_(lambda: self._set_loading("keys", False)).run()
        self._set_loading("tokenizer", True)
        # The tokenizer loads after the network is up: both are CPU-bound Python and would slow each other.
        op(self._startup, parent=self).success(self._startup_done).failure(self._startup_failed).finally_(
            self._warm_tokenizer).run()

    def _warm_tokenizer(self) -> None:
        op(self.service.warm_up_chosen_tokenizer, parent=self).finally_(
            lambda: self._set_loading("tokenizer", False)).run()

    def _startup(self) -> StartupResult:
        started = False
        if self.service.profile.is_devnet:
            # The demo providers finish loading in the background: the first screen need not wait for them.
            _, started = self.service.devnet_up(wait_for_services=False)
            # Known at once, not only in the success callback: a quit before that callback still stops it.
            self.started_devnet = self.started_devnet or started
        chain_id = self.service.connect()
        return StartupResult(started, chain_id)

    def _startup_done(self, result: StartupResult) -> None:
        self._set_loading("network", False)
        self.service.start_watching()
        # Payments a crash or a silent provider left pending are settled, expired or kept pending by the chain;
        # each change is announced (PaymentRecorded / PaymentSettled) for the history to follow.
        op(self.service.reconcile_payments, parent=self).failure(
            lambda e: log_failure(e, "reconciling pending payments at start-up", log)).run()

    def _startup_failed(self, exc: BaseException) -> None:
        from ui.errors import user_message

        self._set_loading("network", False)
        msg = user_message(exc)
        log.warning("start-up could not reach the network: %s", msg)
        self.network_error.emit(msg)
        # The wallet still works: keys work offline, and the watcher keeps trying to reconnect.
        self.service.start_watching()

    def _mode_for(self, has_wallet: bool) -> str:
        if not has_wallet:
            return "onboarding"
        return "locked" if self.service.is_locked() else "main"

    def _enter(self, mode: str) -> None:
        self.mode = mode
        self.mode_changed.emit(mode)

    def _set_loading(self, what: str, on: bool) -> None:
        (self._loading.add if on else self._loading.discard)(what)
        self.loading_changed.emit(", ".join(sorted(self._loading)))

    # --- network ---
    def switch_network(self, name: str) -> tuple[str, int, str]:
        """Blocking (run it in a change_op): make ``name`` the network, reconnect. The devnet is started first
        when it is the choice, so the switch — which the service announces, and which clears every figure of
        the old network — happens once the new one can answer. Returns (name, chain id, problem) where problem
        is "" when the network answered."""
        if self.service.profile_named(name).is_devnet:  # also refuses an unknown name before anything starts
            _, started = self.service.devnet_up(wait_for_services=False)
            self.started_devnet = self.started_devnet or started  # stopped when the app quits
        new = self.service.switch_network(name)
        try:
            self.service.connect()
            problem = ""
        except WalletError as e:
            problem = e.user_message
        return new.name, new.chain_id, problem

    # --- lock ---
    def _on_lock_changed(self, locked: bool) -> None:
        mode = "locked" if locked else "main"
        if self.mode in ("main", "locked") and self.mode != mode:  # lock() may have covered the window already
            self._enter(mode)

    def wallet_ready(self) -> None:
        """After onboarding created or imported a wallet (and so unlocked it)."""
        self.service.start_watching()
        current = self.service.current_account()
        if current:
            self.service.select_account(current)  # points the watcher at it
        self._enter("main")

    def lock(self) -> None:
        """Lock now. Not on the serial worker, where it would wait behind a devnet start or a keystore import:
        dropping the keys takes only the small lock of the unlocked state (wallet.keys.unlocked), which slow
        key operations do not hold, so a thread of its own does it at once. The lock screen covers the window
        right away, before the keys are gone."""
        if self.mode == "main":
            self._enter("locked")
        threading.Thread(target=self._drop_keys, name="lock", daemon=True).start()

    def _drop_keys(self) -> None:
        try:
            self.service.lock()
        except Exception as e:  # the window is covered anyway; the idle auto-lock remains
            log_failure(e, "locking the wallet", log)

    def activity(self) -> None:
        """User input: keep the wallet unlocked while someone is using it."""
        now = time.monotonic()
        if now - self._last_touch >= TOUCH_EVERY and self.mode == "main":
            self._last_touch = now
            self.service.touch()

    # --- shut-down ---
    def shutdown(self) -> None:
        if self.shut_down:
            return
        self.shut_down = True
        self.signals.detach()
        self.service.stop_watching()
        wait_for_all(10_000)
        if self.started_devnet:
            try:
                self.service.devnet_down()
            except Exception as e:  # exiting anyway; the next start finds and reuses or restarts it
                log_failure(e, "stopping the devnet", log)
        self.service.close()
