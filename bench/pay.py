"""Paying a provider: the wallet's paid round trip, exact and metered (upto), beside a bare x402 SDK client paying
the same gateway in the same run; gas per settlement of each scheme; what a workload whose output is a fraction of
its budget costs under each scheme; the guard and signing alone beside the SDK's own signing. Prints figures;
asserts nothing. (Paid requests per second through one gateway, and where its time goes: bench/gateway.py.)

Goals: the wallet's round trip (prepare + pay: quote, 402, guard, intent, sign, send, on-chain check) within 1.2×
the bare client's (402, sign, send); guard + signing under 10 ms.

Runs a devnet of its own (anvil, the demo providers' gateways with the demo backend, their facilitator) in a
temporary data dir, and pays the demo provider from a fresh account holding AIT and no ETH.
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine

TASKS = int(os.environ.get("BENCH_TASKS", "60"))
WORKLOAD = int(os.environ.get("BENCH_WORKLOAD", "20"))
PROVIDER, MODEL, MAX_OUTPUT = 1, "gpt-4o-mini", 64
WORKLOAD_BUDGET = 1000   # the demo answers with 40-600 tokens: a fraction of this budget


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] * 1000


def line(name: str, samples: list[float], base: list[float] | None = None) -> str:
    ratio = f"   {statistics.median(samples) / statistics.median(base):.2f}× bare" if base else ""
    return f"{name:<34} p50 {pct(samples, .5):7.1f} ms   p95 {pct(samples, .95):7.1f} ms   (n={len(samples)}){ratio}"


def main() -> None:
    from eth_account import Account

    from wallet.chain.client import ChainClient
    from wallet.config import DataDir
    from wallet.devnet.anvil import free_port
    from wallet.devnet.manager import DevnetManager
    from wallet.quote import PromptInput
    from wallet.service import WalletService
    from wallet.units import ONE, format_amount

    print(f"machine: {machine()}")
    os.environ["AI_WALLET_KEYRING"] = "file"
    with tempfile.TemporaryDirectory() as tmp:
        data = DataDir(Path(tmp))
        manager = DevnetManager(data)
        manager.up(free_port())
        try:
            service = WalletService(data)
            account = Account.create()
            service.import_private_key(account.key.hex(), "bench password 1")
            service.unlock("bench password 1")
            service.devnet_faucet(account.address, 0, 100 * ONE)
            service.set_payment_budgets(None, None)
            provider = next(p for p in service.list_providers() if p.id == PROVIDER)
            url = provider.endpoint.rstrip("/") + "/v1/chat/completions"
            bare = bare_payer(service, account)

            def wallet_once(i: int, scheme: str, max_output: int = MAX_OUTPUT, what: str = "Bench") -> object:
                prompt = PromptInput.text(f"{what} task {i}: say something short.")
                prepared = service.prepare_payment(PROVIDER, MODEL, prompt, max_output, account=account.address,
                                                   scheme=scheme)
                result = service.pay(prepared)
                assert result.tx_hash and result.scheme == scheme and result.status == "settled", result
                return result

            def bare_once(i: int) -> None:
                body = {"model": MODEL, "max_tokens": MAX_OUTPUT,
                        "messages": [{"role": "user", "content": f"Bare task {i}: say something short."}]}
                r = bare.pay(url, body)
                assert r.status_code == 200, r.text

            for i in range(3):  # warm: imports, tokenizer, connections
                wallet_once(-1 - i, "exact")
                wallet_once(-1 - i, "upto", what="Warm")
                bare_once(-1 - i)
            exact: list[float] = []
            upto: list[float] = []
            theirs: list[float] = []
            gas: dict[str, list[int]] = {"exact": [], "upto": []}
            client = ChainClient(service.profile)
            for i in range(TASKS):  # interleaved, so all three see the same machine
                for scheme, samples in (("exact", exact), ("upto", upto)):
                    t0 = time.perf_counter()
                    result = wallet_once(i, scheme, what=scheme)
                    samples.append(time.perf_counter() - t0)
                    gas[scheme].append(client.receipt(result.tx_hash, "read a settlement").gas_used)
                t0 = time.perf_counter()
                bare_once(i)
                theirs.append(time.perf_counter() - t0)
            print(f"\nPaid round trip, demo backend, one client, {MAX_OUTPUT} output tokens asked")
            print(line("bare x402 SDK client (baseline)", theirs))
            print(line("wallet, exact: prepare + pay", exact, theirs))
            print(line("wallet, upto: prepare + pay", upto, theirs))

            print("\nGas per settlement (one transaction each, paid by the facilitator or the payee)")
            for scheme, name in (("exact", "transferWithAuthorization"), ("upto", "receiveWithAuthorizationUpTo")):
                g = gas[scheme]
                print(f"{scheme:<6} {name:<30} median {statistics.median(g):,.0f}   min {min(g):,}   "
                      f"max {max(g):,}")

            print(f"\nA workload of {WORKLOAD} tasks, {WORKLOAD_BUDGET} output tokens asked each "
                  "(the same tasks under each scheme)")
            paid = {"exact": 0, "upto": 0}
            generated = 0
            for i in range(WORKLOAD):
                for scheme in ("exact", "upto"):
                    result = wallet_once(i, scheme, WORKLOAD_BUDGET, "Workload")
                    paid[scheme] += result.paid_base_units
                generated += result.output_tokens
            saved = paid["exact"] - paid["upto"]
            print(f"output generated: {generated:,} of {WORKLOAD * WORKLOAD_BUDGET:,} tokens asked "
                  f"({100 * generated / (WORKLOAD * WORKLOAD_BUDGET):.1f}% of the budgets)")
            print(f"paid with exact: {format_amount(paid['exact'])} AIT   with upto: {format_amount(paid['upto'])} AIT")
            print(f"saved by upto:   {format_amount(saved)} AIT ({100 * saved / paid['exact']:.1f}%)")

            print("\nGuard + signing alone (no network)")
            guard_and_sign(account)

            service.close()
        finally:
            manager.down()


def bare_payer(service, account):
    import httpx
    from x402 import x402ClientSync
    from x402.http import x402HTTPClientSync
    from x402.mechanisms.evm.exact import ExactEvmClientScheme

    network = f"eip155:{service.profile.chain_id}"
    client = x402ClientSync()
    client.register(network, ExactEvmClientScheme(account))
    client.set_spend_controls({"allowed_assets": [{"network": network, "asset": service.profile.contract("AIToken"),
                                                   "max_amount_per_payment": str(10**18)}]})
    http = x402HTTPClientSync(client)

    class Bare:
        session = httpx.Client(timeout=60)

        def pay(self, url: str, body: dict) -> httpx.Response:
            r = self.session.post(url, json=body)
            required = http.get_payment_required_response(r.headers.get, None)
            headers = http.encode_payment_signature_header(client.create_payment_payload(required))
            return self.session.post(url, json=body, headers=headers)

    return Bare()


def guard_and_sign(account) -> None:
    from x402 import x402ClientSync
    from x402.http.utils import decode_payment_required_header
    from x402.mechanisms.evm.exact import ExactEvmClientScheme
    from x402.mechanisms.evm.signers import EthAccountSigner

    from wallet.payments.guard import GuardFacts, check
    from wallet.payments.signing import Authorization, RecordedExactScheme, sign_payment
    from wallet.payments.wire import decode_demand, encode_payment

    token, pay_to, amount = "0x5FbDB2315678afecb367f032d93F642f64180aa3", "0x" + "3c" * 20, 2_100_000_000_000_000
    option = {"scheme": "exact", "network": "eip155:31337", "asset": token, "amount": str(amount), "payTo": pay_to,
              "maxTimeoutSeconds": 180, "extra": {"name": "AI Token", "version": "1"}}
    header = base64.b64encode(json.dumps({"x402Version": 2, "resource": {"url": "http://x"},
                                          "accepts": [option]}).encode()).decode()
    facts = GuardFacts(chain_id=31337, token=token, pay_to=pay_to, provider_name="bench", quote=amount, balance=ONE_AIT)
    signer = EthAccountSigner(account)

    def ours() -> None:
        demand, _ = decode_demand(header)
        verdict = check(demand, facts)
        auth = Authorization(account.address, pay_to, amount, 0, int(time.time()) + 180, "0x" + os.urandom(32).hex())
        encode_payment(sign_payment(demand, verdict.requirement, RecordedExactScheme(signer, auth, 31337, token),
                                    "eip155:31337"))

    def bare() -> None:
        client = x402ClientSync()
        client.register("eip155:31337", ExactEvmClientScheme(signer))
        client.set_spend_controls({"allowed_assets": [{"network": "eip155:31337", "asset": token}]})
        encode_payment(client.create_payment_payload(decode_payment_required_header(header)))

    a: list[float] = []
    b: list[float] = []
    for _ in range(20):
        ours()
        bare()
    for _ in range(300):
        t0 = time.perf_counter()
        bare()
        b.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ours()
        a.append(time.perf_counter() - t0)
    print(line("SDK ExactEvmScheme signing (baseline)", b))
    print(line("wallet: decode + guard + sign", a, b))


ONE_AIT = 10**18


if __name__ == "__main__":
    main()
