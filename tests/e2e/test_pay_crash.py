"""The wallet killed (SIGKILL) in the middle of a payment, as a real `ai-wallet run` process: on restart the record
is there, reconciliation finds the truth on chain, and the task is never paid twice. Two processes racing one
daily budget cannot both pay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clirun import run_cli
from eth_account.signers.local import LocalAccount
from gatewaykit import PrivateChain, RunningGateway, new_payer
from paykit import anvil_mine, cli_wallet, serve_provider, token_of
from x402kit import wait_for

from provider.misbehaviour import Misbehaviour
from wallet.payments.intents import IntentStore
from wallet.storage import Database

pytestmark = pytest.mark.chain
MODEL = "gpt-4o-mini"


def run_args(provider_id: int, pw: Path, prompt: str = "Crash-safe?") -> list[str]:
    return ["run", "--network", "chain", "--provider", str(provider_id), "--model", MODEL, "--max-output", "48",
            "--prompt", prompt, "--yes", "--password-file", str(pw), "--json", "--timeout", "60"]


def start_run(data: Path, args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    env = {k: v for k, v in env.items() if k != "AI_WALLET_DATA_DIR"}
    return subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "--data-dir", str(data), *args], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def pending(data: Path) -> list:
    store = IntentStore(Database(data / "wallet.sqlite3"))
    try:
        return store.list(status="pending")
    finally:
        store.db.close()


@pytest.fixture
def chain(private_chain: PrivateChain) -> Any:
    """A chain of this module's own: the providers registered here stay out of other tests' registry."""
    return private_chain.chain


@pytest.fixture
def payer(chain: Any) -> LocalAccount:
    return new_payer(chain)


@pytest.fixture
def served(chain, start_gateway: Callable[..., RunningGateway]):
    return lambda misbehaviour=None: serve_provider(chain, start_gateway, misbehaviour)


def test_killed_right_after_signing_then_restart_neither_loses_nor_doubles(served, chain, payer,
                                                                          tmp_path: Path) -> None:
    s = served(Misbehaviour(never_answer="before_settlement", max_timeout_seconds=12))
    data, pw, env = cli_wallet(tmp_path, chain.profile, payer)
    before = token_of(chain).balance_of(payer.address)
    proc = start_run(data, run_args(s.provider_id, pw), env)
    wait_for(lambda: (data / "wallet.sqlite3").exists() and bool(pending(data)), what="the signed intent")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    # Restarted: the record is there, and the same task is not signed again while it may still settle.
    listed = run_cli(data, "payments", "--network", "chain", "--pending", "--json", env=env).json()
    assert [p["status"] for p in listed] == ["pending"]
    again = run_cli(data, *run_args(s.provider_id, pw), env=env)
    assert again.code == 3 and "may still settle" in again.err  # 3: refused
    anvil_mine(chain, until=lambda ts: ts >= listed[0]["valid_before"])
    report = run_cli(data, "payments", "reconcile", "--network", "chain", "--json", env=env).json()
    assert report["expired"] == [listed[0]["id"]]
    assert token_of(chain).balance_of(payer.address) == before


def test_killed_right_after_the_provider_settled_then_restart_finds_it_settled(served, chain, payer,
                                                                              tmp_path: Path) -> None:
    s = served(Misbehaviour(never_answer="after_settlement"))
    data, pw, env = cli_wallet(tmp_path, chain.profile, payer)
    before = token_of(chain).balance_of(payer.address)
    proc = start_run(data, run_args(s.provider_id, pw), env)
    wait_for(lambda: (data / "wallet.sqlite3").exists() and bool(pending(data)), what="the signed intent")
    [intent] = pending(data)
    token = token_of(chain)
    wait_for(lambda: token.authorization_state(payer.address, bytes.fromhex(intent.nonce[2:])),
             what="the provider's settlement")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    report = run_cli(data, "payments", "reconcile", "--network", "chain", "--json", env=env).json()
    assert report["settled"] == [intent.id]
    [shown] = run_cli(data, "payments", "--network", "chain", "--json", env=env).json()
    assert shown["status"] == "settled" and shown["tx_hash"] and not shown["delivered"]
    # Metered: the provider settled the metering rule on what it generated, at most the quote; the wallet never
    # saw the answer, so it keeps the charge with a note rather than disputing it.
    paid = before - token.balance_of(payer.address)
    assert shown["scheme"] == "upto" and 0 < paid == int(shown["charged_base_units"]) <= int(shown["quote_base_units"])
    assert "received no answer" in run_cli(data, "payments", "show", str(intent.id), "--network", "chain", "--json",
                                           env=env).json()["reason"]
    again = run_cli(data, *run_args(s.provider_id, pw), env=env)
    assert again.code == 3 and "already paid" in again.err and "--pay-again" in again.err
    assert before - token.balance_of(payer.address) == paid  # still paid once


def test_two_processes_racing_the_daily_budget_pay_once(served, chain, payer, tmp_path: Path) -> None:
    s = served()
    data, pw, env = cli_wallet(tmp_path, chain.profile, payer)
    quote = run_cli(data, "quote", "--network", "chain", "--provider", str(s.provider_id), "--model", MODEL,
                    "--max-output", "48", "--prompt", "Race A", "--json", env=env).json()
    price = int(quote["price_base_units"])
    from wallet.units import format_amount

    assert run_cli(data, "budget", "--network", "chain", "--daily", format_amount(price + price // 2),
                   env=env).code == 0
    procs = [start_run(data, run_args(s.provider_id, pw, prompt), env) for prompt in ("Race A", "Race B")]
    results = [p.communicate(timeout=120) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 3], results
    refused = next(err for (out, err), p in zip(results, procs, strict=True) if p.returncode == 3)
    assert "today's budget" in refused and "Nothing was signed" in refused
    spent = run_cli(data, "budget", "--network", "chain", "--json", env=env).json()
    assert int(spent["spent_today_base_units"]) <= price + price // 2
