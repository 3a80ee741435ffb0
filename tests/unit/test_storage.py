"""The wallet database: WAL, migrations from every older schema (golden files), hostile files, two processes."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from wallet.storage import Database, StorageBusy, StorageError
from wallet.storage.db import amount_from_db, amount_to_db
from wallet.storage.schema import SCHEMA_VERSION

GOLDEN = Path(__file__).parent / "golden"


def schema_of(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name").fetchall()
    return [" ".join(r[0].split()) for r in rows]


def golden_versions() -> list[int]:
    return sorted(int(p.stem.split("-v")[1]) for p in GOLDEN.glob("schema-v*.sql"))


def load_golden(version: int, path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript((GOLDEN / f"schema-v{version}.sql").read_text())
    conn.close()


def test_fresh_database_is_wal_private_and_current(tmp_path: Path) -> None:
    db = Database(tmp_path / "wallet.sqlite3")
    conn = db.connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.schema_version() == SCHEMA_VERSION
    with db.write() as c:
        c.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
    for suffix in ("", "-wal", "-shm"):
        assert stat.S_IMODE(os.stat(f"{db.path}{suffix}").st_mode) == 0o600
    db.close()


def test_every_schema_version_has_a_golden_file_and_the_newest_matches_the_migrations(tmp_path: Path) -> None:
    assert golden_versions() == list(range(1, SCHEMA_VERSION + 1))
    fresh = Database(tmp_path / "fresh.sqlite3")
    golden = tmp_path / "golden.sqlite3"
    load_golden(SCHEMA_VERSION, golden)
    assert schema_of(fresh.connection()) == schema_of(sqlite3.connect(golden))


@pytest.mark.parametrize("version", golden_versions())
def test_older_schemas_migrate_and_keep_their_rows(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.sqlite3"
    load_golden(version, path)
    before = {t: sqlite3.connect(path).execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for (t,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db = Database(path)
    conn = db.connection()
    assert db.schema_version() == SCHEMA_VERSION
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert schema_of(conn) == schema_of(Database(tmp_path / "fresh.sqlite3").connection())
    for table, count in before.items():
        assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == count


def test_a_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match="newer version"):
        Database(path).connection()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_a_damaged_file_is_a_clear_error_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "wallet.sqlite3"
    junk = os.urandom(8192)
    path.write_bytes(junk)
    with pytest.raises(StorageError, match="damaged"):
        Database(path).connection()
    assert path.read_bytes() == junk


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_only_a_regular_file_is_a_database(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "wallet.sqlite3"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    with pytest.raises(StorageError, match="not a regular file"):
        Database(path).connection()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_sqlite_companion_files_must_be_regular_too(tmp_path: Path, suffix: str, kind: str) -> None:
    path = tmp_path / "wallet.sqlite3"
    db = Database(path)
    db.execute("SELECT 1")
    db.close()  # the last connection removes the -wal and -shm files
    companion = tmp_path / f"wallet.sqlite3{suffix}"
    if kind == "fifo":
        os.mkfifo(companion)
    elif kind == "directory":
        companion.mkdir()
    else:
        companion.symlink_to("/dev/zero")
    with pytest.raises(StorageError, match=f"wallet.sqlite3{suffix} is not a regular file"):
        Database(path).connection()
    assert companion.is_fifo() or companion.is_dir() or companion.is_symlink()  # left as it is


def test_amounts_round_trip_beyond_64_bits(tmp_path: Path) -> None:
    db = Database(tmp_path / "wallet.sqlite3")
    big = 10**30 + 7  # a million trillion AIT in base units: past SQLite's INTEGER
    with db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('x', ?)", (amount_to_db(big),))
    assert amount_from_db(db.execute("SELECT value FROM meta WHERE key = 'x'")[0][0]) == big
    with pytest.raises(TypeError):
        amount_to_db(1.5)  # type: ignore[arg-type]


def test_a_failed_write_transaction_leaves_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "wallet.sqlite3")
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('half', 'done')")
        raise RuntimeError("crash in the middle")
    assert db.execute("SELECT * FROM meta WHERE key = 'half'") == []


def test_a_writer_held_by_another_process_is_a_clear_busy_error(tmp_path: Path) -> None:
    path = tmp_path / "wallet.sqlite3"
    Database(path).connection()  # created and migrated
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, sys, time
        conn = sqlite3.connect({str(path)!r}, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO meta (key, value) VALUES ('other', 'process')")
        print("holding", flush=True)
        sys.stdin.readline()
        conn.execute("COMMIT")
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        db = Database(path, busy_timeout_ms=200)
        with pytest.raises(StorageBusy, match="another wallet process"), db.write() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('mine', '1')")
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)
    rows = {r[0] for r in Database(path).execute("SELECT key FROM meta")}
    assert rows == {"other"}
    assert Database(path).connection().execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_close_waits_for_a_transaction_another_thread_has_under_way(tmp_path: Path) -> None:
    """The app quitting while a background read runs: closing that thread's connection under its statement
    crashed the process. The connection stays usable to the end of the transaction, then is closed."""
    db = Database(tmp_path / "wallet.sqlite3")
    db.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    inside, closed = threading.Event(), threading.Event()
    seen: list[object] = []

    def background_read() -> None:
        with db.read() as conn:
            inside.set()
            closed.wait(10)
            seen.append(conn.execute("SELECT count(*) FROM t").fetchone()[0])
        seen.append(conn)

    worker = threading.Thread(target=background_read)
    worker.start()
    assert inside.wait(10)
    db.close()
    closed.set()
    worker.join(10)
    assert seen[0] == 0  # the read finished on its own connection
    with pytest.raises(sqlite3.ProgrammingError):  # and that connection was closed as the transaction ended
        seen[1].execute("SELECT 1")  # type: ignore[attr-defined]
    assert db.execute("SELECT count(*) FROM t")[0][0] == 0  # the database opens again for later use
    db.close()


def test_close_closes_idle_connections_of_every_thread_at_once(tmp_path: Path) -> None:
    db = Database(tmp_path / "wallet.sqlite3")
    conns: list[sqlite3.Connection] = []

    def use() -> None:
        with db.read() as conn:
            conns.append(conn)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join(10)
    db.close()
    with pytest.raises(sqlite3.ProgrammingError):
        conns[0].execute("SELECT 1")
