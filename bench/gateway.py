"""Paid requests per second through one provider gateway, with 1, 4 and 16 concurrent plain x402 SDK clients, and
where the time of a paid request goes. Prints figures; asserts nothing.

The gateway and its facilitator are the devnet's own (the processes `devnet up` starts, demo backend); the
clients are threads in this process, each a bare ``x402ClientSync`` + ``ExactEvmClientScheme`` with an account of
its own holding AIT and no ETH. One paid request = the unpaid POST answered 402, signing, the paid POST (verify,
backend, settle on chain). Baseline, in the same run and at the same concurrency: the gateway's free
``POST /v1/quote`` for the same body (parse, meter, answer — no payment).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from eth_account import Account
from x402 import x402ClientSync
from x402.http import x402HTTPClientSync
from x402.mechanisms.evm.exact import ExactEvmClientScheme

sys.path.insert(0, str(Path(__file__).parent))
from common import machine

from provider.network import GatewayChain, load_profile
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.faucet import faucet
from wallet.devnet.manager import DevnetManager
from wallet.units import ONE

CONCURRENCY = (1, 4, 16)
BODY = {"model": "gpt-4o-mini", "max_tokens": 200,
        "messages": [{"role": "user", "content": "Summarise why metered payments need an exact token count."}]}
PHASES = ("verify", "backend", "settle")


class Payer:
    def __init__(self, chain: GatewayChain) -> None:
        account = Account.create()
        faucet(chain.profile, account.address, eth=0, ait=100 * ONE)
        client = x402ClientSync()
        client.register(chain.network, ExactEvmClientScheme(account))
        client.set_spend_controls({"allowed_assets": [
            {"network": chain.network, "asset": chain.token_address, "max_amount_per_payment": str(ONE)}]})
        self.client = client
        self.x402 = x402HTTPClientSync(client)
        self.http = httpx.Client(timeout=60)

    def pay(self, url: str) -> dict[str, float]:
        t0 = time.perf_counter()
        demand = self.http.post(url, json=BODY)
        t1 = time.perf_counter()
        required = self.x402.get_payment_required_response(demand.headers.get, None)
        headers = self.x402.encode_payment_signature_header(self.client.create_payment_payload(required))
        t2 = time.perf_counter()
        paid = self.http.post(url, json=BODY, headers=headers)
        t3 = time.perf_counter()
        if paid.status_code != 200:
            raise RuntimeError(f"paid request failed: {paid.status_code} {paid.text[:200]}")
        spans = {k: float(v.split("=")[1]) / 1000 for k, v in
                 (p.split(";") for p in paid.headers["server-timing"].split(", "))}
        return {"total": t3 - t0, "demand": t1 - t0, "sign": t2 - t1, "paid": t3 - t2, **spans}


def run_at(concurrency: int, n: int, work: list, job) -> tuple[float, list]:
    """``n`` jobs over ``concurrency`` threads (thread i uses ``work[i]``); returns (wall seconds, results)."""
    counter = iter(range(n))
    lock = threading.Lock()
    results: list = []

    def worker(i: int) -> None:
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            r = job(work[i])
            with lock:
                results.append(r)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    return time.perf_counter() - t0, results


def ms(values: list[float]) -> str:
    return f"{statistics.mean(values) * 1000:6.1f}"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as d:
        manager = DevnetManager(DataDir(Path(d)))
        manager.up(free_port())
        try:
            bench(GatewayChain.connect(load_profile(DataDir(Path(d)), "devnet")))
        finally:
            manager.down()


def bench(chain: GatewayChain) -> None:
    base = chain.registry().get_provider(1).endpoint
    chat, quote = base + "/v1/chat/completions", base + "/v1/quote"
    payers = [Payer(chain) for _ in range(max(CONCURRENCY))]
    quoters = [httpx.Client(timeout=60) for _ in payers]
    for p in payers[:2]:
        p.pay(chat)  # warm: tokenizer loaded, facilitator initialised, connections open
    print(f"gateway {base} (demo backend), facilitator and anvil as separate processes; clients are threads here")
    print(f"{'clients':>7} {'free quote/s':>12} {'paid/s':>7} {'ratio':>6} {'p50 ms':>7} {'p95 ms':>7} | mean ms: "
          f"{'402':>6} {'sign':>6} {'verify':>6} {'backend':>7} {'settle':>6} {'other':>6}")
    for c in CONCURRENCY:
        n = max(30, 10 * c)
        free_wall, _ = run_at(c, 5 * n, quoters, lambda h: h.post(quote, json=BODY).raise_for_status())
        wall, rows = run_at(c, n, payers, lambda p: p.pay(chat))
        free_rate, paid_rate = 5 * n / free_wall, n / wall
        totals = [r["total"] for r in rows]
        other = [r["paid"] - sum(r[k] for k in PHASES) for r in rows]
        print(f"{c:>7} {free_rate:>12.1f} {paid_rate:>7.1f} {paid_rate / free_rate:>6.3f} {pct(totals, .5):>7.0f} "
              f"{pct(totals, .95):>7.0f} | {'':>8} {ms([r['demand'] for r in rows])} {ms([r['sign'] for r in rows])} "
              f"{ms([r['verify'] for r in rows])} {ms([r['backend'] for r in rows]):>7} "
              f"{ms([r['settle'] for r in rows])} {ms(other)}")
    print("402: the unpaid request answered with the demand; sign: the SDK client signing EIP-3009; verify/settle:")
    print("the gateway's calls to its facilitator (settle includes the transaction and its receipt); backend: the")
    print("demo answer; other: the rest of the paid request (HTTP both ways, parsing, metering, the SDK's checks).")


if __name__ == "__main__":
    main()
