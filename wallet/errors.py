"""One exception root for the whole core.

Every error the core raises on purpose is a ``WalletError`` carrying ``user_message``: a sentence a person
can act on. The CLI prints it, the GUI shows it; neither ever shows a traceback for these. Messages never
contain secrets (keys, mnemonics, passwords).
"""

from __future__ import annotations


class WalletError(Exception):
    """Root of every error the wallet raises on purpose."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class InvalidInput(WalletError):
    """Something the user typed or passed cannot be used (address, amount, option)."""


class InvalidAddress(InvalidInput):
    pass


class InvalidAmount(InvalidInput):
    pass


class ConfigError(WalletError):
    """Settings or network profiles are missing or inconsistent."""


class KeystoreError(WalletError):
    pass


class InvalidPassword(KeystoreError):
    pass


class WalletLocked(KeystoreError):
    pass


class KeyringUnavailable(KeystoreError):
    pass


class TooManyAttempts(InvalidPassword):
    """Password attempts are refused until a time after repeated wrong passwords."""

    def __init__(self, user_message: str, retry_after_seconds: int) -> None:
        super().__init__(user_message)
        self.retry_after_seconds = retry_after_seconds


class SecretMissing(KeystoreError):
    """The metadata names a keyring entry that is no longer there."""


class NetworkError(WalletError):
    """The RPC endpoint cannot be reached or answered nonsense."""


class ChainMismatch(NetworkError):
    pass


class TxError(WalletError):
    """A transaction failed, reverted or did not confirm in time."""


class InsufficientFunds(WalletError):
    pass


class DevnetError(WalletError):
    """The embedded local chain cannot be started, stopped or deployed."""


class QuoteError(WalletError):
    pass


class PaymentRefused(WalletError):
    pass


class ProviderError(WalletError):
    pass


class UserCancelled(WalletError):
    def __init__(self, user_message: str = "Cancelled.") -> None:
        super().__init__(user_message)
