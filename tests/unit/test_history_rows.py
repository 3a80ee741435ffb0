"""History rows from facts and records, pages, spending sums and the CSV — on a real database file."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pytest

from wallet.errors import InvalidInput
from wallet.history import merge, query, store
from wallet.history.export import CSV_COLUMNS, write_csv
from wallet.history.model import ChainFact, Direction, HistoryFilter, Kind, Status, WalletRecord
from wallet.history.sources import RecordSelector
from wallet.storage import Database

CHAIN = 31337
A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
SALE = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"
DAY = 86_400
T0 = 1_700_006_400  # 2023-11-15 00:00 UTC, a Wednesday


def tx(n: int) -> str:
    return "0x" + f"{n:064x}"


class Records:
    def __init__(self, *recs: WalletRecord) -> None:
        self.recs = {r.key: r for r in recs}

    def records(self, conn: sqlite3.Connection, chain_id: int,
                selector: RecordSelector | None) -> Iterable[WalletRecord]:
        return [r for r in self.recs.values() if selector is None or r.key in selector.keys
                or (r.tx_hash and r.tx_hash in selector.tx_hashes) or r.auth_nonce in selector.auth_nonces]


def fact(n: int, kind: str, amount: int, *, log_index: int = 0, account: str = A, counterparty: str | None = B,
         ts: int = T0, **extra: object) -> ChainFact:
    return ChainFact(CHAIN, tx(n), log_index, account, kind, n, "0x" + "ab" * 32, ts,
                     "ETH" if kind in ("tx", "eth_in") else "AIT", amount, counterparty, dict(extra))


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "wallet.sqlite3")


def add(db: Database, facts: list[ChainFact], source: Records, ctx: merge.MergeContext | None = None) -> None:
    with db.write() as conn:
        new = store.insert_facts(conn, facts)
        merge.refresh(conn, CHAIN, [source], ctx or merge.MergeContext(devnet=True),
                      tx_hashes={f.tx_hash for f in new}, record_keys=list(source.recs))


def rows(db: Database) -> list[tuple]:
    with db.read() as conn:
        return [(r.kind, r.status, r.direction, r.asset, r.amount, r.fee) for r in
                query.iter_rows(conn, CHAIN, HistoryFilter())]


def test_a_topup_is_one_row_with_its_price_and_fee(db: Database) -> None:
    facts = [fact(1, "purchase", 50, counterparty=SALE, paid_wei=5),
             fact(1, "ait_in", 50, log_index=1, counterparty=None, minted=True),
             fact(1, "tx", 5, log_index=-1, counterparty=SALE, ok=True, fee_wei=7, value_wei=5)]
    add(db, facts, Records())
    assert rows(db) == [("topup", "confirmed", "in", "AIT", 50, 7)]
    add(db, facts, Records())  # the same facts again: nothing doubles
    with db.write() as conn:
        merge.refresh(conn, CHAIN, [Records()], merge.MergeContext(), tx_hashes=[tx(1)])
    assert len(rows(db)) == 1


def test_a_record_is_its_own_row_until_the_chain_has_it_then_they_are_one(db: Database) -> None:
    rec = WalletRecord("tx:1", CHAIN, A, Kind.SEND, Status.PENDING, Direction.OUT, "AIT", 9, T0, B, tx(2))
    source = Records(rec)
    add(db, [], source)
    assert rows(db) == [("send", "pending", "out", "AIT", 9, None)]
    add(db, [fact(2, "ait_out", 9), fact(2, "tx", 0, log_index=-1, ok=True, fee_wei=3, value_wei=0)], source)
    assert rows(db) == [("send", "confirmed", "out", "AIT", 9, 3)]


def test_a_reverted_send_shows_what_it_was_meant_to_move_and_its_fee(db: Database) -> None:
    rec = WalletRecord("tx:1", CHAIN, A, Kind.SEND, Status.FAILED, Direction.OUT, "AIT", 4, T0, B, tx(3))
    add(db, [fact(3, "tx", 0, log_index=-1, counterparty=SALE, ok=False, fee_wei=2, value_wei=0)], Records(rec))
    assert rows(db) == [("send", "failed", "out", "AIT", 4, 2)]


def test_minted_ait_is_a_faucet_grant_on_the_devnet_only(db: Database, tmp_path: Path) -> None:
    add(db, [fact(4, "ait_in", 10, counterparty=None, minted=True)], Records())
    assert rows(db)[0][0] == "faucet"
    other = Database(tmp_path / "other.sqlite3")
    add(other, [fact(4, "ait_in", 10, counterparty=None, minted=True)], Records(), merge.MergeContext(devnet=False))
    assert rows(other)[0][0] == "receive"


def seed(db: Database, n: int) -> None:
    """n payments across three providers and models, one every 6 hours."""
    providers = ("Demo AI", "Budget AI", "=cmd|' /C calc'!A0")
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO history (chain_id, account, kind, status, direction, asset, amount, counterparty, tx_hash, "
            "block_number, timestamp, provider, model, details, search) VALUES (?, ?, 'payment', ?, 'out', 'AIT', ?, "
            "?, ?, ?, ?, ?, ?, ?, ?)",
            [(CHAIN, A if i % 2 else B, "confirmed" if i % 10 else "pending", str(10**18 + i), B, tx(i), i,
              T0 + i * DAY // 4, providers[i % 3], f"model-{i % 2}",
              json.dumps({"input_tokens": 3, "output_tokens": 5, "charged_base_units": str(10**18 + i)}),
              merge.search_text(A if i % 2 else B, B, tx(i), providers[i % 3], f"model-{i % 2}"))
             for i in range(n)])


def test_pages_cover_every_row_once_newest_first(db: Database) -> None:
    seed(db, 250)
    with db.read() as conn:
        pages = [query.page(conn, CHAIN, HistoryFilter(), offset, 100) for offset in (0, 100, 200)]
    assert [len(p.rows) for p in pages] == [100, 100, 50] and {p.total for p in pages} == {250}
    ids = [r.tx_hash for p in pages for r in p.rows]
    assert len(set(ids)) == 250 and ids[0] == tx(249)
    with db.read() as conn, pytest.raises(InvalidInput):
        query.page(conn, CHAIN, HistoryFilter(), 0, 100_000)


def test_filters_narrow_the_rows(db: Database) -> None:
    seed(db, 40)
    with db.read() as conn:
        def total(**kw: object) -> int:
            return query.count(conn, CHAIN, HistoryFilter(**kw))  # type: ignore[arg-type]
        assert total(accounts=(A,)) == 20
        assert total(providers=("Demo AI",)) == 14
        assert total(statuses=("pending",)) == 4
        assert total(since=T0 + 5 * DAY) == 20
        assert total(since=T0, until=T0 + DAY) == 4
        assert total(text="budget") == 13  # any case
        assert total(text="%") == 0  # wildcards are literal


def test_spending_is_summed_exactly_by_provider_model_day_and_week(db: Database) -> None:
    seed(db, 40)  # 36 confirmed: pending payments are not (yet) spent
    with db.read() as conn:
        by_provider = query.spend(conn, CHAIN, "provider", HistoryFilter())
        by_day = query.spend(conn, CHAIN, "day", HistoryFilter())
        by_week = query.spend(conn, CHAIN, "week", HistoryFilter())
        series = query.spend_series(conn, CHAIN, "day", HistoryFilter())
        by_model = query.spend(conn, CHAIN, "model", HistoryFilter())
    expected = sum(10**18 + i for i in range(40) if i % 10)
    for buckets in (by_provider, by_day, by_week, by_model):
        assert sum(b.amount for b in buckets) == expected and sum(b.count for b in buckets) == 36
    assert [b.key for b in by_day][:2] == ["2023-11-15", "2023-11-16"] and len(by_day) == 10
    assert [b.key for b in by_week] == ["2023-11-13", "2023-11-20"]
    assert sum(p.amount for p in series) == expected
    assert by_provider[0].amount >= by_provider[-1].amount
    with db.read() as conn, pytest.raises(InvalidInput):
        query.spend(conn, CHAIN, "hour", HistoryFilter())


def test_the_csv_has_the_documented_columns_exact_amounts_and_no_formulas(db: Database, tmp_path: Path) -> None:
    seed(db, 6)
    out = tmp_path / "history.csv"
    with db.read() as conn:
        assert write_csv(out, query.iter_rows(conn, CHAIN, HistoryFilter())) == 6
    lines = list(csv.reader(out.open(newline="")))
    assert tuple(lines[0]) == CSV_COLUMNS
    doc = (Path(__file__).parents[2] / "docs" / "history.md").read_text()
    assert all(f"`{c}`" in doc for c in CSV_COLUMNS)
    body = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    assert body[0]["amount"] == "1.000000000000000005" and body[0]["charged_ait"] == "1.000000000000000005"
    assert all(not r["provider"].startswith("=") for r in body)
    assert any(r["provider"].startswith("'=") for r in body)
    assert (out.stat().st_mode & 0o777) == 0o600


def test_a_failed_export_leaves_no_file(db: Database, tmp_path: Path) -> None:
    seed(db, 3)
    out = tmp_path / "history.csv"

    def broken() -> Iterable:
        with db.read() as conn:
            yield from query.iter_rows(conn, CHAIN, HistoryFilter())
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_csv(out, broken())
    assert not out.exists() and list(tmp_path.glob("history.csv*")) == []


def test_spending_sums_stay_exact_for_any_size_of_amount(db: Database) -> None:
    amounts = [5, 10**18 - 1, 10**18, 123_456_789_012_345_678_901_234_567, 999_999_999, 10**9]
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO history (chain_id, account, kind, status, direction, asset, amount, timestamp, provider) "
            "VALUES (?, ?, 'payment', 'confirmed', 'out', 'AIT', ?, ?, 'P')",
            [(CHAIN, A, str(a), T0) for a in amounts])
    with db.read() as conn:
        [bucket] = query.spend(conn, CHAIN, "provider", HistoryFilter())
    assert (bucket.amount, bucket.count) == (sum(amounts), len(amounts))


def test_damaged_or_hostile_details_cost_only_that_rows_details() -> None:
    from wallet.history.model import UNREADABLE_DETAILS, details_from_db, details_to_db

    assert details_from_db(details_to_db({"input_tokens": 40})) == {"input_tokens": 40}
    assert details_from_db(None) == {}
    for damaged in ("[" * 100_000 + "]" * 100_000, "not json", "[1, 2]", '{"a": NaN}'):
        assert details_from_db(damaged) == {"unreadable": UNREADABLE_DETAILS}
