"""A wallet database with many history rows, written straight into the history table as the sync would leave them
(for tests and benchmarks of History's table; the rows' origin is tested in the core)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from wallet.history.merge import search_text
from wallet.storage import Database

PROVIDERS = ("Demo AI", "Budget AI", "Fast AI", "Local AI")
T0 = 1_700_000_000


def seed_history(db_path: Path, chain_id: int, account: str, n: int, seed: int = 7, t0: int = T0,
                 step: int = 60) -> None:
    """``n`` rows for ``account``, one every ``step`` seconds from ``t0``: mostly payments, some sends, receipts,
    top-ups and faucet grants; 5 % pending."""
    rnd = random.Random(seed)
    kinds = ["payment"] * 6 + ["send", "receive", "topup", "faucet"]
    rows = []
    for i in range(n):
        kind = kinds[rnd.randrange(len(kinds))]
        provider = PROVIDERS[i % 4] if kind == "payment" else None
        counterparty, tx = f"0x{rnd.getrandbits(160):040x}", f"0x{rnd.getrandbits(256):064x}"
        model = f"model-{i % 3}" if kind == "payment" else None
        details = json.dumps({"input_tokens": 40, "output_tokens": 120, "quote_base_units": "2000000000000000",
                              "charged_base_units": "2000000000000000"}) if kind == "payment" else None
        rows.append((chain_id, account, kind, "confirmed" if rnd.random() > 0.05 else "pending",
                     "out" if kind in ("payment", "send") else "in", "AIT", str(rnd.randrange(10**15, 10**19)),
                     counterparty, tx, i, t0 + i * step, provider, model, details,
                     search_text(account, counterparty, tx, provider, model)))
    db = Database(db_path)
    try:
        with db.write() as conn:
            conn.executemany(
                "INSERT INTO history (chain_id, account, kind, status, direction, asset, amount, counterparty, "
                "tx_hash, block_number, timestamp, provider, model, details, search) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    finally:
        db.close()
