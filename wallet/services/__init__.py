"""The sub-services WalletService composes."""
