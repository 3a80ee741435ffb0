"""One SQLite database per data dir, opened in WAL mode, migrated to the current schema on open.

Amounts are stored as decimal TEXT: AIT has 18 decimals, so 10 AIT (10**19 base units) already exceeds
SQLite's 64-bit INTEGER. ``amount_to_db`` / ``amount_from_db`` are the only conversions.

Writers use ``write()``: ``BEGIN IMMEDIATE`` takes the database's write lock at once, so a check-then-insert
(a budget, a nonce) cannot interleave with another process's. A lock held too long by someone else becomes
``StorageBusy`` with a message, never a hang.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

from wallet.errors import WalletError
from wallet.storage.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 3_000


class StorageError(WalletError):
    """The wallet's database cannot be opened, read or written."""


class StorageBusy(StorageError):
    """Another wallet process holds the database's write lock for too long."""


def amount_to_db(base_units: int) -> str:
    if isinstance(base_units, bool) or not isinstance(base_units, int):
        raise TypeError("amounts in base units are ints")
    return str(base_units)


def amount_from_db(text: str | None) -> int | None:
    return None if text is None else int(text)


class Database:
    """Thread-safe: each thread gets its own connection to the same file."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._in_use: dict[sqlite3.Connection, int] = {}  # a connection → its statements/transactions under way
        self._closing: set[sqlite3.Connection] = set()  # in use when close() came: closed by their own thread
        self._lock = threading.Lock()
        self._migrated = False

    # --- connections ---
    def _connect(self) -> sqlite3.Connection:
        self._check_file()
        try:
            conn = sqlite3.connect(self.path, timeout=self._busy_timeout_ms / 1000, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable across app crashes
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as e:
            raise self._error(e, "open") from None
        return conn

    def _check_file(self) -> None:
        """Only a regular file (or none yet) is a database: never a FIFO, a device or a directory."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            # Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            return
        except OSError as e:
            raise StorageError(f"The wallet's database {self.path} cannot be read: {e.strerror}.") from None
        if not stat.S_ISREG(st.st_mode):
            raise StorageError(f"The wallet's database {self.path} is not a regular file; move it aside.")
        for suffix in ("-wal", "-shm", "-journal"):  # SQLite's companions: a device or pipe there hangs or fails
            companion = self.path.with_name(self.path.name + suffix)
            try:
                mode = os.lstat(companion).st_mode
            except FileNotFoundError:
                continue
            except OSError as e:
                raise StorageError(f"The wallet's database file {companion} cannot be read: {e.strerror}.") from None
            if not stat.S_ISREG(mode):
                raise StorageError(f"The wallet's database file {companion} is not a regular file (SQLite keeps "
                                   "its write-ahead log there); move it aside.")

    def _thread_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def connection(self) -> sqlite3.Connection:
        """This thread's connection to a database at the current schema."""
        conn = self._thread_connection()
        if not self._migrated:
            self.migrate()
        return conn

    def close(self) -> None:
        """Close every thread's connection. One that another thread is using at that moment (the app quitting
        while a background read runs) is closed by that thread as its statement or transaction ends: closing
        a connection under a running statement crashes the process."""
        with self._lock:
            conns, self._connections = self._connections, []
            self._local = threading.local()
            idle = [c for c in conns if c not in self._in_use]
            self._closing.update(c for c in conns if c in self._in_use)
        for c in idle:
            with contextlib.suppress(sqlite3.Error):
                c.close()

    @contextlib.contextmanager
    def _using(self, *, migrate: bool = True) -> Iterator[sqlite3.Connection]:
        """This thread's connection, marked in use until the block ends, so that ``close`` never pulls it away
        from under a statement."""
        while True:
            conn = self.connection() if migrate else self._thread_connection()
            with self._lock:
                if conn in self._connections:  # else close() took it between the two lines: take a fresh one
                    self._in_use[conn] = self._in_use.get(conn, 0) + 1
                    break
        try:
            yield conn
        finally:
            with self._lock:
                left = self._in_use.pop(conn) - 1
                if left:
                    self._in_use[conn] = left
                doomed = not left and conn in self._closing
                if doomed:
                    self._closing.discard(conn)
            if doomed:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()

    # --- transactions ---
    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the database's lock from its first statement (BEGIN IMMEDIATE)."""
        with self._using() as conn, self._transaction(conn, "BEGIN IMMEDIATE", "write"):
            yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several reads."""
        with self._using() as conn, self._transaction(conn, "BEGIN", "read"):
            yield conn

    @contextlib.contextmanager
    def _transaction(self, conn: sqlite3.Connection, begin: str, action: str) -> Iterator[None]:
        if conn.in_transaction:  # nested use on the same thread joins the outer transaction
            yield
            return
        try:
            conn.execute(begin)
        except sqlite3.Error as e:
            raise self._error(e, action) from None
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise self._error(e, action) from None

    def execute(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        """One statement in its own transaction (reads, or writes that need no check before them)."""
        with self._using() as conn:
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as e:
                raise self._error(e, "use") from None

    def _error(self, e: sqlite3.Error, action: str) -> StorageError:
        text = str(e).lower()
        if "locked" in text or "busy" in text:
            return StorageBusy(
                f"The wallet's database is in use by another wallet process (the app or a command) and "
                f"stayed locked for {self._busy_timeout_ms / 1000:g} s. Nothing was changed; try again."
            )
        if "not a database" in text or "malformed" in text or "disk image" in text:
            return StorageError(
                f"The wallet's database {self.path} is damaged; it was left as it is. Move it aside: the "
                "history is rebuilt from the chain (details only this wallet knew, such as task notes, "
                "are lost)."
            )
        return StorageError(f"Could not {action} the wallet's database {self.path}: {e}.")

    # --- schema ---
    def schema_version(self) -> int:
        """The version the file is at (without migrating it)."""
        with self._using(migrate=False) as conn:
            try:
                return int(conn.execute("PRAGMA user_version").fetchone()[0])
            except sqlite3.Error as e:
                raise self._error(e, "read") from None

    def migrate(self) -> int:
        """Bring the file to ``SCHEMA_VERSION``, one migration per transaction; returns the version."""
        conn = self._thread_connection()
        with self._lock:
            if self._migrated:
                return SCHEMA_VERSION
            try:
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            except sqlite3.Error as e:
                raise self._error(e, "read") from None
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"The wallet's database {self.path} was written by a newer version of the wallet "
                    f"(schema {version}; this one knows {SCHEMA_VERSION}). Update the wallet."
                )
            for target, script in MIGRATIONS:
                if target <= version:
                    continue
                with self._transaction(conn, "BEGIN IMMEDIATE", "upgrade"):
                    # Re-read under the write lock: another process may have migrated meanwhile.
                    now = int(conn.execute("PRAGMA user_version").fetchone()[0])
                    if now < target:
                        for statement in _statements(script):
                            try:
                                conn.execute(statement)
                            except sqlite3.Error as e:
                                raise self._error(e, "upgrade") from None
                        conn.execute(f"PRAGMA user_version = {int(target)}")
            self._migrated = True
            return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """A script as single statements (``executescript`` would commit the open transaction first)."""
    out: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    if current.strip():
        out.append(current.strip())
    return out
