"""The wallet's one SQLite database (WAL): the connection, the schema version and its migrations.

Everything the wallet records — payment intents, transactions it sent, the history synced from the chain —
lives in one file in the data dir, so that one transaction can check a budget and record a payment, and two
wallet processes (the app and the CLI) serialize their writes through SQLite's own locking.
"""

from wallet.storage.db import Database, StorageBusy, StorageError

__all__ = ["Database", "StorageBusy", "StorageError"]
