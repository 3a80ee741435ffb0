"""The history: initial sync of 10,000 transfers from a devnet and an incremental sync of 100 more; filtered
queries, the spending summary and a CSV export over 100,000 rows.

Baselines, measured in the same run: the bare ``eth_getLogs`` calls the sync cannot avoid (one JSON-RPC
request each, no decoding, no database); for a filtered page, the unfiltered page (its 100 rows and the total);
for the export, a bare ``SELECT`` of every row.
Goals: initial sync ≤ 3 s, a filtered page ≤ 50 ms.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "chain"))
from common import machine, summary, time_runs

from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetManager
from wallet.history.decode import TRANSFER, topic_of
from wallet.history.merge import search_text
from wallet.history.model import HistoryFilter
from wallet.storage import Database
from wallet.units import ONE

TRANSFERS = 10_000
PER_BLOCK = 100
MORE = 100
ROWS = 100_000
PAGE_BASE = "page 1 of every row, with its total (baseline)"
EXPORT_BASE = "SELECT of every row (baseline for the export)"


def rpc(url: str, calls: list[tuple[str, list[Any]]]) -> list[Any]:
    body = json.dumps([{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)])
    req = urllib.request.Request(url, data=body.encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        answers = json.loads(resp.read())
    return [a.get("result") for a in sorted(answers, key=lambda a: a["id"])]


def make_transfers(url: str, token: str, to: str, n: int) -> None:
    """n AIT transfers to ``to`` from anvil's unlocked dev accounts, PER_BLOCK to a block."""
    senders = rpc(url, [("eth_accounts", [])])[0][5:10]
    admin = rpc(url, [("eth_accounts", [])])[0][0]
    mint = "0x40c10f19"  # mint(address,uint256)
    for s in senders:  # one at a time: a batch would give them all the same nonce
        rpc(url, [("eth_sendTransaction", [{"from": admin, "to": token, "data": mint + topic_of(s)[2:]
                                            + f"{10**30:064x}"}])])
    data = "0xa9059cbb" + topic_of(to)[2:] + f"{ONE:064x}"  # transfer(to, 1 AIT)
    nonces = [int(x, 16) for x in rpc(url, [("eth_getTransactionCount", [s, "latest"]) for s in senders])]
    rpc(url, [("evm_setAutomine", [False])])
    for start in range(0, n, PER_BLOCK):
        count = min(PER_BLOCK, n - start)
        calls = []
        for i in range(count):
            k = (start + i) % len(senders)
            calls.append(("eth_sendTransaction", [{"from": senders[k], "to": token, "data": data, "gas": "0x15f90",
                                                   "nonce": hex(nonces[k])}]))
            nonces[k] += 1
        assert all(rpc(url, calls)), "a transfer was refused"
        rpc(url, [("evm_mine", [])])
    rpc(url, [("evm_setAutomine", [True])])


def bare_logs(url: str, token: str, account: str, head: int) -> list[float]:
    """The sync's unavoidable part: the two log queries over the whole range, answered and parsed as JSON."""
    flt_in = {"address": [token], "fromBlock": "0x0", "toBlock": hex(head), "topics": [TRANSFER, None,
                                                                                       [topic_of(account)]]}
    flt_out = {"address": [token], "fromBlock": "0x0", "toBlock": hex(head), "topics": [TRANSFER,
                                                                                        [topic_of(account)]]}
    return time_runs(lambda: rpc(url, [("eth_getLogs", [flt_in]), ("eth_getLogs", [flt_out])]), 3)


def sync_figures(profile: Any, tmp: Path) -> dict[str, Any]:
    from eth_account import Account
    from moneykit import money_wallet

    target = Account.create()
    token = profile.contract("AIToken")
    t0 = time.perf_counter()
    make_transfers(profile.rpc_url, token, target.address, TRANSFERS)
    print(f"(made {TRANSFERS:,} transfers in {time.perf_counter() - t0:.0f} s)")
    head = int(rpc(profile.rpc_url, [("eth_blockNumber", [])])[0], 16)
    baseline = bare_logs(profile.rpc_url, token, target.address, head)
    initial = []
    for i in range(3):
        w = money_wallet(profile, tmp / f"sync-{i}.sqlite3", [target])
        w.history.sync()  # connect once outside the timing: web3's import and the first request
        w.db.close()
        for f in tmp.glob(f"sync-{i}.sqlite3*"):
            f.unlink()
        w = money_wallet(profile, tmp / f"sync-{i}.sqlite3", [target])
        w.client.connect()
        t0 = time.perf_counter()
        report = w.history.sync()
        initial.append(time.perf_counter() - t0)
        assert w.history.count() == TRANSFERS, (w.history.count(), report)
    make_transfers(profile.rpc_url, token, target.address, MORE)
    t0 = time.perf_counter()
    w.history.sync()
    incremental = [time.perf_counter() - t0]
    assert w.history.count() == TRANSFERS + MORE
    return {"baseline": baseline, "initial": initial, "incremental": incremental}


def seed_rows(db: Database, n: int) -> list[str]:
    rnd = random.Random(7)
    accounts = [f"0x{rnd.getrandbits(160):040x}" for _ in range(3)]
    providers = ["Demo AI", "Budget AI", "Fast AI", "Local AI"]
    kinds = ["payment"] * 6 + ["send", "receive", "topup", "faucet"]
    t0 = 1_700_000_000
    rows = []
    for i in range(n):
        kind = kinds[rnd.randrange(len(kinds))]
        rows.append((31337, accounts[i % 3], kind, "confirmed" if rnd.random() > 0.05 else "pending",
                     "out" if kind in ("payment", "send") else "in", "AIT", str(rnd.randrange(10**15, 10**19)),
                     f"0x{rnd.getrandbits(160):040x}", f"0x{rnd.getrandbits(256):064x}", i, t0 + i * 60,
                     providers[i % 4] if kind == "payment" else None,
                     f"model-{i % 3}" if kind == "payment" else None,
                     json.dumps({"input_tokens": 40, "output_tokens": 120}) if kind == "payment" else None))
        r = rows[-1]
        rows[-1] = (*r, search_text(r[1], r[7], r[8], r[11], r[12]))
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO history (chain_id, account, kind, status, direction, asset, amount, counterparty, tx_hash, "
            "block_number, timestamp, provider, model, details, search) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows)
    return accounts


def query_figures(tmp: Path) -> dict[str, Any]:
    from wallet.history import query
    from wallet.history.export import write_csv

    db = Database(tmp / "rows.sqlite3")
    accounts = seed_rows(db, ROWS)
    conn = db.connection()
    conn.execute("ANALYZE")
    mid = 1_700_000_000 + ROWS * 30

    def page(f: HistoryFilter, offset: int = 0) -> object:
        return query.page(conn, 31337, f, offset, 100)

    cases = {
        PAGE_BASE: lambda: page(HistoryFilter()),
        "page 1, the wallet's accounts": lambda: page(HistoryFilter(accounts=tuple(accounts))),
        "page 1, kind payment + provider + since": lambda: page(HistoryFilter(
            kinds=("payment",), providers=("Demo AI",), since=mid, accounts=tuple(accounts))),
        "page 1, one account + status pending": lambda: page(HistoryFilter(accounts=(accounts[0],),
                                                                           statuses=("pending",))),
        "page 500 (offset 49,900), the wallet's accounts": lambda: page(HistoryFilter(
            accounts=tuple(accounts)), 49_900),
        "search text in 100,000 rows": lambda: page(HistoryFilter(text="dead", accounts=tuple(accounts))),
        "spend by provider (chart)": lambda: query.spend(conn, 31337, "provider", HistoryFilter()),
        "spend per provider per day (chart)": lambda: query.spend_series(conn, 31337, "day", HistoryFilter()),
    }
    out = {name: time_runs(fn, 20) for name, fn in cases.items()}
    select_all = time_runs(lambda: conn.execute("SELECT * FROM history").fetchall(), 3)
    csv_runs = time_runs(lambda: write_csv(tmp / "out.csv", query.iter_rows(conn, 31337, HistoryFilter())), 3)
    out[EXPORT_BASE] = select_all
    out[f"CSV export of {ROWS:,} rows"] = csv_runs
    return out


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        manager = DevnetManager(DataDir(tmp / "devnet"))
        manager.up(free_port())
        try:
            figures = sync_figures(manager.profile(), tmp)
        finally:
            manager.down()
        base = statistics.median(figures["baseline"])
        print(f"bare eth_getLogs of {TRANSFERS:,} transfers   {summary(figures['baseline'])}   1.0x")
        for key, label in (("initial", f"initial sync, {TRANSFERS:,} transfers"),
                           ("incremental", f"incremental sync, {MORE} more")):
            print(f"{label:<36} {summary(figures[key])}   {statistics.median(figures[key]) / base:5.1f}x")
        sqlite3.connect(":memory:").close()
        q = query_figures(tmp)
        qbase = statistics.median(q[PAGE_BASE])
        ebase = statistics.median(q[EXPORT_BASE])
        for name, samples in q.items():
            ref = ebase if name in (EXPORT_BASE, f"CSV export of {ROWS:,} rows") else qbase
            print(f"{name:<52} {summary(samples)}   {statistics.median(samples) / ref:6.1f}x")


if __name__ == "__main__":
    main()
