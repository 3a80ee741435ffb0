"""Earlier answers in a wallet's database, as a settled metered payment leaves them: what the expected charge
of the next quote for that model is computed from."""

from __future__ import annotations

import time
from itertools import count

from wallet.config import DataDir
from wallet.payments.intents import IntentDraft, IntentStore
from wallet.storage import Database
from wallet.units import ONE

ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PAY_TO = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
_nonces = count(1)


def record_answer(data_dir: DataDir, chain_id: int, provider_id: int, model: str, output_tokens: int,
                  budget: int) -> int:
    """A settled metered payment whose answer had ``output_tokens`` of a ``budget``; its id."""
    store = IntentStore(Database(data_dir.database))
    try:
        nonce = next(_nonces)
        draft = IntentDraft(task_key=f"answer-{nonce}-{time.time_ns()}", chain_id=chain_id, account=ACCOUNT,
                            provider_id=provider_id, provider_name="Demo AI", endpoint="http://127.0.0.1:8402",
                            model=model, scheme="upto", asset=TOKEN, pay_to=PAY_TO, quote=ONE // 5,
                            authorized=ONE // 5, nonce=f"0x{time.time_ns() + nonce:064x}", valid_after=0,
                            valid_before=int(time.time()) + 300, from_block=1, evidence={"request": "{}"},
                            input_tokens=33, max_output_tokens=budget)
        intent = store.reserve(draft)
        store.settle(intent.id, tx_hash="0x" + f"{nonce:02x}" * 32, block_number=9, charged=ONE // 50,
                     output_tokens=output_tokens, delivered=True)
        return intent.id
    finally:
        store.db.close()
