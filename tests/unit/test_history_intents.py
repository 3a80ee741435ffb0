"""Payment intents in the history, through their own record source: every status mapped, every change announced
by the payment flow recomputes its row, and a missed announcement is caught by the next sync's safety net."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from wallet.events import EventBus, PaymentRecorded
from wallet.history.model import HistoryFilter
from wallet.networks import NetworkProfile
from wallet.payments.budgets import Budgets
from wallet.payments.history_records import IntentRecordSource
from wallet.payments.intents import IntentDraft, IntentStore
from wallet.services.history import HistoryService
from wallet.storage import Database
from wallet.units import ONE

ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PAY_TO = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHARGED = 123_456_789_012_345_678  # more digits than a float keeps


class Devnet:
    def profile(self) -> NetworkProfile:
        return NetworkProfile("devnet", 31337, "http://127.0.0.1:1", is_devnet=True)

    def chain(self):  # type: ignore[no-untyped-def]
        raise AssertionError("no chain is read here")


def draft(task: str, nonce: int) -> IntentDraft:
    return IntentDraft(task_key=task, chain_id=31337, account=ACCOUNT, provider_id=1, provider_name="Demo AI",
                       endpoint="http://127.0.0.1:8402", model="gpt-4o-mini", scheme="exact", asset=TOKEN,
                       pay_to=PAY_TO, quote=ONE // 5, authorized=ONE // 5, nonce=f"0x{nonce:064x}", valid_after=0,
                       valid_before=int(time.time()) + 300, from_block=1, evidence={"request": "{}"})


@pytest.fixture
def wired(tmp_path: Path) -> tuple[IntentStore, HistoryService, EventBus]:
    db = Database(tmp_path / "wallet.sqlite3")
    bus = EventBus()
    history = HistoryService(db, Devnet(), bus, accounts=lambda: [ACCOUNT], providers=lambda: [],
                             database_marker=lambda value: None)
    history.add_source(IntentRecordSource())
    store = IntentStore(Database(tmp_path / "wallet.sqlite3"))  # the payment service's own connection
    store.set_budgets(Budgets(None, None))
    return store, history, bus


def rows(history: HistoryService) -> list[tuple[str, str, int, str | None]]:
    return sorted((r.kind, r.status, r.amount, r.details.get("note")) for r in history.page(HistoryFilter()).rows)


def test_every_status_of_a_payment_has_its_row(wired: tuple[IntentStore, HistoryService, EventBus]) -> None:
    store, history, bus = wired
    pending = store.reserve(draft("t1", 1))
    refused = store.record_refusal(draft("t2", 2), "Over the daily budget. Nothing was signed.")
    expired = store.reserve(draft("t3", 3))
    store.expire(expired.id)
    cancelled = store.reserve(draft("t4", 4))
    store.cancel(cancelled.id)
    settled = store.reserve(draft("t5", 5))
    store.settle(settled.id, tx_hash="0x" + "ab" * 32, block_number=9, charged=CHARGED,
                 usage={"prompt_tokens": 12, "completion_tokens": 34})
    for intent in (pending, refused, expired, cancelled, settled):
        bus.publish(PaymentRecorded(intent.id, "any"))  # as the payment flow announces each change
    assert rows(history) == sorted([
        ("payment", "pending", ONE // 5, None),
        ("payment", "failed", ONE // 5, "Over the daily budget. Nothing was signed."),
        ("payment", "expired", ONE // 5, None), ("payment", "expired", ONE // 5, None),
        ("payment", "confirmed", CHARGED, None),
    ])
    [paid] = history.page(HistoryFilter(statuses=("confirmed",))).rows
    assert (paid.provider, paid.model, paid.tx_hash, paid.counterparty) == ("Demo AI", "gpt-4o-mini",
                                                                           "0x" + "ab" * 32, PAY_TO)
    assert paid.details["input_tokens"] == 12 and paid.details["output_tokens"] == 34
    assert paid.details["max_base_units"] == str(ONE // 5) and paid.details["charged_base_units"] == str(CHARGED)
    [spent] = history.spend("provider")
    assert (spent.key, spent.amount, spent.count) == ("Demo AI", CHARGED, 1)


def test_a_change_nobody_announced_is_caught_by_the_next_sync(
        wired: tuple[IntentStore, HistoryService, EventBus]) -> None:
    store, history, bus = wired
    intent = store.reserve(draft("t1", 1))
    bus.publish(PaymentRecorded(intent.id, "pending"))
    store.expire(intent.id)  # written by another process, say, whose announcement this one never hears
    assert rows(history) == [("payment", "pending", ONE // 5, None)]
    history._catch_up_records(31337)  # what every sync does first
    assert rows(history) == [("payment", "expired", ONE // 5, None)]


def test_a_metered_payment_shows_its_maximum_charge_tokens_and_dispute(
        wired: tuple[IntentStore, HistoryService, EventBus]) -> None:
    from dataclasses import replace

    from wallet.events import PaymentDisputed

    store, history, bus = wired
    metered = replace(draft("m1", 7), scheme="upto", input_tokens=33, max_output_tokens=800)
    fair, unfair = store.reserve(metered), store.reserve(replace(metered, task_key="m2", nonce=f"0x{8:064x}"))
    store.settle(fair.id, tx_hash="0x" + "01" * 32, block_number=9, charged=ONE // 50, output_tokens=120,
                 delivered=True)
    store.dispute(unfair.id, tx_hash="0x" + "02" * 32, block_number=9, charged=ONE // 5, output_tokens=90,
                  delivered=True, reason="The provider took more than the metering rule gives.",
                  dispute={"expected_base_units": "1", "problems": ["more than the metering rule"]})
    bus.publish(PaymentRecorded(fair.id, "settled"))
    bus.publish(PaymentDisputed(unfair.id, ACCOUNT, 1, ONE // 5, 1, "0x" + "02" * 32))
    by_status = {r.status: r for r in history.page(HistoryFilter()).rows}
    ok, bad = by_status["confirmed"], by_status["disputed"]
    assert (ok.amount, ok.details["max_base_units"], ok.details["scheme"]) == (ONE // 50, str(ONE // 5), "upto")
    assert (ok.details["input_tokens"], ok.details["output_tokens"], ok.details["max_output_tokens"]) == (33, 120, 800)
    assert bad.amount == ONE // 5 and bad.details["dispute"]["problems"] == ["more than the metering rule"]
    from wallet.cli.history_cmd import payment_facts

    assert payment_facts(ok.details) == " · max 0.2 (metered) · 33 in / 120 out of 800 tokens"
