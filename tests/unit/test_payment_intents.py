"""Payment intents: budgets checked and the intent inserted in one transaction, across real processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from wallet.payments.budgets import Budgets, day_start
from wallet.payments.intents import (
    EXPIRED,
    PENDING,
    REFUSED,
    SETTLED,
    Funds,
    IntentDraft,
    IntentStore,
    RefusedPayment,
)
from wallet.storage import Database
from wallet.units import ONE

ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PAY_TO = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def draft(task: str = "task-1", amount: int = ONE // 10, nonce: int = 1) -> IntentDraft:
    return IntentDraft(task_key=task, chain_id=31337, account=ACCOUNT, provider_id=1, provider_name="Demo AI",
                       endpoint="http://127.0.0.1:8402", model="gpt-4o-mini", scheme="exact", asset=TOKEN,
                       pay_to=PAY_TO, quote=amount, authorized=amount, nonce=f"0x{nonce:064x}", valid_after=0,
                       valid_before=int(time.time()) + 300, from_block=1, evidence={"request": "{}"})


@pytest.fixture
def store(tmp_path: Path) -> IntentStore:
    return IntentStore(Database(tmp_path / "wallet.sqlite3"))


def test_reserve_records_a_pending_intent_with_amounts_as_exact_text(store: IntentStore) -> None:
    big = 12_345 * ONE + 1  # over SQLite's 64-bit integers
    store.set_budgets(Budgets(None, None))
    intent = store.reserve(draft(amount=big))
    assert intent.status == PENDING and intent.authorized == big and intent.nonce == f"0x{1:064x}"
    raw = store.db.execute("SELECT authorized_base_units, typeof(authorized_base_units) FROM payment_intents")[0]
    assert tuple(raw) == (str(big), "text")
    settled = store.settle(intent.id, tx_hash="0xabc", block_number=9, charged=big, delivered=True, usage={"a": 1})
    assert (settled.status, settled.charged, settled.delivered, settled.evidence["usage"]) == (SETTLED, big, True,
                                                                                               {"a": 1})
    assert settled.evidence["request"] == "{}"  # evidence is merged, never replaced


def test_budgets_default_persist_and_refuse_with_a_recorded_refusal(store: IntentStore) -> None:
    assert store.budgets() == Budgets(per_task=ONE, daily=10 * ONE)
    store.set_budgets(Budgets(per_task=ONE // 10, daily=ONE // 4))
    assert store.budgets() == Budgets(per_task=ONE // 10, daily=ONE // 4)
    with pytest.raises(RefusedPayment) as e:
        store.reserve(draft(amount=ONE // 10 + 1))
    assert e.value.codes == ("per_task_budget",) and "Nothing was signed" in e.value.user_message
    refused = store.get(e.value.intent_id)
    assert refused.status == REFUSED and refused.nonce is None and "per-task budget" in (refused.reason or "")
    store.reserve(draft("a", nonce=1))
    store.reserve(draft("b", nonce=2))
    with pytest.raises(RefusedPayment) as e:
        store.reserve(draft("c", nonce=3))
    assert e.value.codes == ("daily_budget",)
    assert store.spent_today(31337) == 2 * ONE // 10


def test_expired_and_refused_payments_do_not_count_against_the_day(store: IntentStore) -> None:
    store.set_budgets(Budgets(per_task=None, daily=ONE // 10))
    first = store.reserve(draft("a", nonce=1))
    store.expire(first.id)
    assert store.get(first.id).status == EXPIRED
    store.reserve(draft("b", nonce=2))  # the expired one freed its share of the day
    assert store.spent_today(31337) == ONE // 10
    assert store.spent_today(31337, now=time.time() + 86_400) == 0  # tomorrow starts afresh


def test_a_task_with_a_pending_or_unanswered_payment_is_not_paid_twice(store: IntentStore) -> None:
    store.set_budgets(Budgets(None, None))
    first = store.reserve(draft("same", nonce=1))
    with pytest.raises(RefusedPayment) as e:
        store.reserve(draft("same", nonce=2))
    assert e.value.codes == ("pending_task",)
    store.settle(first.id, tx_hash="0x1", block_number=2, charged=first.authorized)  # paid, answer lost
    with pytest.raises(RefusedPayment) as e:
        store.reserve(draft("same", nonce=3))
    assert e.value.codes == ("unpaid_answer",)
    second = store.reserve(draft("same", nonce=4), repeat=True)  # the user said: pay again
    store.settle(second.id, tx_hash="0x2", block_number=3, charged=second.authorized, delivered=True)
    with pytest.raises(RefusedPayment):
        store.reserve(draft("same", nonce=5))  # the first one is still unanswered
    store.mark_delivered(first.id)
    assert store.reserve(draft("same", nonce=6)).status == PENDING  # everything answered: a new run is new


def test_a_settlement_found_later_wins_over_expiry_but_never_the_reverse(store: IntentStore) -> None:
    store.set_budgets(Budgets(None, None))
    i = store.reserve(draft())
    assert store.settle(i.id, tx_hash="0x1", block_number=2, charged=1).status == SETTLED
    assert store.expire(i.id).status == SETTLED
    assert store.void(i.id, "x").status == SETTLED


def test_the_local_day_starts_at_midnight() -> None:
    now = time.time()
    start = day_start(now)
    assert start <= now < start + 25 * 3600
    assert time.localtime(start)[3:6] == (0, 0, 0)


RACER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_payment_intents import draft
    from wallet.errors import PaymentRefused
    from wallet.payments.intents import Funds, IntentStore
    from wallet.storage import Database

    store = IntentStore(Database(Path({db!r})))
    go = Path({go!r})
    Path(str(go) + sys.argv[1]).touch()  # ready
    while not go.exists():
        time.sleep(0.001)
    funds = Funds(int(sys.argv[2]), 0) if len(sys.argv) > 2 else None
    ok = 0
    for i in range({tries}):
        try:
            store.reserve(draft(f"task-{{sys.argv[1]}}-{{i}}", nonce=int(sys.argv[1]) * 1000 + i), funds=funds)
            ok += 1
        except PaymentRefused:
            pass
    print(ok)
""")


def race(db_path: Path, tries: int, *args: str) -> list[int]:
    """Two processes reserving ``tries`` payments each at the same moment: how many each got."""
    go = db_path.with_name("go")
    script = RACER.format(tests=str(Path(__file__).parent), db=str(db_path), go=str(go), tries=tries)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n), *args], stdout=subprocess.PIPE, text=True)
             for n in (1, 2)]
    deadline = time.monotonic() + 60
    while not all(Path(f"{go}{n}").exists() for n in (1, 2)):  # both imported: start them at once
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    return [int(p.communicate(timeout=60)[0]) for p in procs]


def test_two_processes_racing_cannot_together_overspend_the_daily_budget(tmp_path: Path) -> None:
    db_path = tmp_path / "wallet.sqlite3"
    amount, allowed, tries = ONE // 10, 7, 10
    IntentStore(Database(db_path)).set_budgets(Budgets(per_task=None, daily=allowed * amount))
    counts = race(db_path, tries)
    store = IntentStore(Database(db_path))
    assert sum(counts) == allowed
    assert store.spent_today(31337) == allowed * amount
    assert len(store.list(status=REFUSED)) == 2 * tries - allowed
    assert sorted({i.account for i in store.list()}) == [ACCOUNT]


def test_two_processes_paying_from_one_account_cannot_together_sign_for_more_than_it_holds(
        tmp_path: Path) -> None:
    # Each process checked the balance before either had signed: only the reservation, in one transaction with
    # what is already pending, can tell that the second payment is no longer covered.
    db_path = tmp_path / "wallet.sqlite3"
    amount, covered, tries = ONE // 10, 5, 10
    IntentStore(Database(db_path)).set_budgets(Budgets(per_task=None, daily=None))
    counts = race(db_path, tries, str(covered * amount))
    store = IntentStore(Database(db_path))
    assert sum(counts) == covered
    assert store.outstanding(31337, ACCOUNT) == covered * amount
    refused = store.list(status=REFUSED)
    assert len(refused) == 2 * tries - covered
    assert all("does not cover" in (r.reason or "") and "held by payments still pending" in (r.reason or "")
               for r in refused)


def test_a_payment_settled_since_the_balance_was_read_counts_against_it(store: IntentStore) -> None:
    store.set_budgets(Budgets(per_task=None, daily=None))
    tenth = ONE // 10
    old = store.reserve(draft("old", tenth, nonce=1))
    store.settle(old.id, tx_hash="0x" + "11" * 32, block_number=5, charged=tenth)   # in the balance read below
    funds = Funds(2 * tenth, store.last_id(), frozenset({store.reserve(draft("then", tenth, nonce=2)).id}))
    # read as 0.2 AIT with "then" pending: only "then" is to come off it
    late = store.reserve(draft("late", tenth // 2, nonce=3), funds=funds)
    store.settle(late.id, tx_hash="0x" + "22" * 32, block_number=6, charged=tenth // 2)
    with pytest.raises(RefusedPayment) as refused:   # "then" may take 0.1, "late" took 0.05: 0.05 is left
        store.reserve(draft("more", tenth, nonce=4), funds=funds)
    assert refused.value.codes == ("balance",)
    assert store.reserve(draft("fits", tenth // 2, nonce=5), funds=funds).status == PENDING
    assert store.reserve(draft("unchecked", ONE, nonce=6)).status == PENDING   # no funds known: not checked


def test_reserving_keeps_nonces_unique(store: IntentStore) -> None:
    store.set_budgets(Budgets(None, None))
    store.reserve(draft("a", nonce=1))
    with pytest.raises(sqlite3.IntegrityError):
        store.reserve(replace(draft("b", nonce=1)))


DEEP_READER = textwrap.dedent("""
    import sys
    import eth_account  # raises the recursion limit to 100,000: deep JSON would overflow the C stack
    from pathlib import Path
    from wallet.payments.intents import IntentStore
    from wallet.storage import Database
    store = IntentStore(Database(Path(sys.argv[1])))
    print(*(sorted(i.evidence) for i in store.list()))
""")


@pytest.mark.parametrize("evidence", ["[" * 200_000 + "]" * 200_000, "{not json", '"a string"', "[]"])
def test_hostile_evidence_costs_that_record_its_evidence_never_the_list(store: IntentStore, tmp_path: Path,
                                                                       evidence: str) -> None:
    store.set_budgets(Budgets(None, None))
    store.reserve(draft("a", nonce=1))
    bad = store.reserve(draft("b", nonce=2))
    store.db.execute("UPDATE payment_intents SET evidence = ? WHERE id = ?", (evidence, bad.id))
    out = subprocess.run([sys.executable, "-c", DEEP_READER, str(store.db.path)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["['unreadable']", "['request']"]
    assert store.note(bad.id, "noted").reason == "noted"  # and it can still be written to


def test_a_damaged_amount_is_said_in_words(store: IntentStore) -> None:
    from wallet.storage.db import StorageError

    store.set_budgets(Budgets(None, None))
    intent = store.reserve(draft("a", nonce=1))
    store.db.execute("UPDATE payment_intents SET authorized_base_units = 'lots' WHERE id = ?", (intent.id,))
    with pytest.raises(StorageError, match=f"Payment record {intent.id} .* is damaged"):
        store.list()
