"""AI Token Wallet core: plain Python, no Qt. The GUI and the CLI both sit on ``wallet.service.WalletService``."""

__version__ = "0.1.0"
