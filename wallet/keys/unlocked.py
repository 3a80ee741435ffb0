"""The unlocked state: the session's decrypted keys, the idle deadline, the lock callback and the signers.

It has its own small lock, separate from the manager's operation lock, so that ``is_locked`` and signing stay
fast while a slow operation (seconds of scrypt) runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Literal

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_keys import keys

from wallet.errors import WalletLocked
from wallet.keys.lockstate import IdleTimer, Session

log = logging.getLogger(__name__)

LockReason = Literal["manual", "idle"]
LOCKED_MESSAGE = "The wallet is locked. Unlock it with your password first."


class Unlocked:
    def __init__(
        self,
        idle_timeout: float | None,
        on_lock: Callable[[LockReason], None] | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        background: bool = True,
    ) -> None:
        self._lock = threading.Lock()
        self._session: Session | None = None
        self._signers: dict[str, GuardedAccount] = {}
        self._on_lock = on_lock
        self._timer = IdleTimer(idle_timeout, self._idle_expired, clock=monotonic, background=background)

    # --- state ---
    def start(self, session: Session) -> None:
        with self._lock:
            old, self._session = self._session, session
            self._signers.clear()
            self._timer.start()
        if old is not None and old is not session:
            old.wipe()

    def end(self, reason: LockReason, *, only: Session | None = None) -> None:
        with self._lock:
            if only is not None and self._session is not only:
                return  # a newer unlock replaced the session that was due to expire
            session, self._session = self._session, None
            self._signers.clear()
            self._timer.stop()
        if session is None:
            return
        session.wipe()
        log.info("locked (%s)", reason)
        callback = self._on_lock
        if callback is not None:
            try:
                callback(reason)
            except Exception:
                log.exception("on_lock callback failed")

    def is_locked(self) -> bool:
        self._expire_if_due()
        with self._lock:
            return self._session is None

    def current(self) -> Session | None:
        """The session if unlocked (after applying the idle deadline), else None."""
        self._expire_if_due()
        with self._lock:
            return self._session

    def touch(self) -> None:
        with self._lock:
            if self._session is not None:
                self._timer.touch()

    def set_timeout(self, seconds: float | None) -> None:
        self._timer.set_timeout(seconds)

    def set_on_lock(self, callback: Callable[[LockReason], None] | None) -> None:
        self._on_lock = callback

    def missing(self) -> list[str]:
        with self._lock:
            return sorted(self._session.missing) if self._session else []

    def seed_copy(self) -> bytearray | None:
        """A copy of the BIP-39 seed; raises WalletLocked when locked."""
        self._expire_if_due()
        with self._lock:
            if self._session is None:
                raise WalletLocked(LOCKED_MESSAGE)
            return bytearray(self._session.seed) if self._session.seed is not None else None

    def add_key(self, address: str, key: bytearray) -> None:
        with self._lock:
            if self._session is not None:
                self._session.keys[address] = key
                self._session.missing.discard(address)

    def close(self) -> None:
        self.end("manual")
        self._timer.stop()

    # --- signing ---
    def signer(self, address: str) -> LocalAccount | None:
        """The guarded signer for ``address``; None if unlocked but this key is not in the session."""
        self._expire_if_due()
        with self._lock:
            if self._session is None:
                raise WalletLocked(LOCKED_MESSAGE)
            key = self._session.keys.get(address)
            if key is None:
                return None
            self._timer.touch()
            signer = self._signers.get(address)
            if signer is None:
                signer = GuardedAccount(keys.PrivateKey(bytes(key)), self._key_for)
                self._signers[address] = signer
            return signer

    def _key_for(self, address: str) -> bytes:
        self._expire_if_due()
        with self._lock:
            key = self._session.keys.get(address) if self._session is not None else None
            if key is None:
                raise WalletLocked("The wallet is locked. Unlock it with your password to sign.")
            self._timer.touch()
            return bytes(key)

    def _expire_if_due(self) -> None:
        with self._lock:
            due = self._session if self._session is not None and self._timer.expired() else None
        if due is not None:
            self.end("idle", only=due)

    def _idle_expired(self) -> None:
        self._expire_if_due()


class GuardedAccount(LocalAccount):
    """A LocalAccount that holds no key itself: each signature fetches the key from the unlocked session, so
    after a lock it raises ``WalletLocked`` instead of signing, even if a caller kept the object."""

    def __init__(self, key: keys.PrivateKey, key_for: Callable[[str], bytes]) -> None:
        super().__init__(key, Account)
        self._private_key = b""
        self._key_obj = None  # type: ignore[assignment]
        self._key_for = key_for

    @property
    def key(self) -> bytes:
        return self._key_for(self._address)

    def __repr__(self) -> str:
        return f"<signer {self._address}>"
