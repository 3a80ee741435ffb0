"""The sub-services ``WalletService`` composes, one per concern: network, accounts, quotes, devnet.

Each is a small class that owns its state and takes what it depends on in its constructor (another
sub-service, the event bus, a ``SignerFor`` if it signs). The facade builds them, forwards its public methods to
them, and hands none of them out; nothing outside the core imports this package (an import-linter rule).
A new concern (payments, history, transfers) is a new module here, built the same way: see
docs/architecture.md, "Adding a sub-service".
"""
