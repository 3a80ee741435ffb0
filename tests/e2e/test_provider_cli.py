"""`ai-provider register`, `ai-provider facilitator` and `ai-provider serve` as real processes: a provider joins
the registry from a key file and a price sheet, is served, and is paid; keys are read from files or the
environment and never appear in any output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from gatewaykit import BarePayer, PrivateChain, chat_body, fund, new_payer, register_provider, transfers

from provider.network import GatewayChain
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetStatus
from wallet.units import ONE

pytestmark = pytest.mark.chain


def ai_provider(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`ai-provider` on the private chain (network ``testchain`` of ``data_dir``)."""
    r = subprocess.run([sys.executable, "-m", "provider.main", *args, "--data-dir", str(data_dir), "--network",
                        "testchain"],
                       capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
                       stdin=subprocess.DEVNULL)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def key_file(path: Path, account: LocalAccount) -> Path:
    path.write_text(bytes(account.key).hex() + "\n")
    return path


def sheet_file(path: Path, models: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"models": models}))
    return path


MINI = {"model": "gpt-4o-mini", "encoding": "o200k_base", "input_price": "150000000000000000",
        "output_price": "600000000000000000", "context_window": 128000, "max_output": 16384}
OLD = {"model": "gpt-3.5-turbo", "encoding": "cl100k_base", "input_price": 500, "output_price": 1500,
       "context_window": 16385, "max_output": 4096}


@pytest.fixture
def owner(private_chain: PrivateChain) -> LocalAccount:
    account: LocalAccount = Account.create()
    fund(private_chain.chain, account.address, eth=ONE)
    return account


def test_register_then_bring_the_entry_in_line(private_chain: PrivateChain, owner: LocalAccount,
                                               tmp_path: Path) -> None:
    data_dir, gateway_chain = private_chain.data_dir.root, private_chain.chain
    keys = key_file(tmp_path / "owner.key", owner)
    pay_to = Account.create().address
    args = ["register", "--key-file", str(keys), "--name", "Acme AI", "--endpoint", "http://127.0.0.1:9999",
            "--pay-to", pay_to, "--json"]
    r = ai_provider(data_dir, *args, "--prices", str(sheet_file(tmp_path / "a.json", [MINI, OLD])))
    assert r.returncode == 0, r.stderr
    created = json.loads(r.stdout)
    assert created["created"] is True and created["models_set"] == ["gpt-4o-mini", "gpt-3.5-turbo"]
    pid = created["provider_id"]
    entry = gateway_chain.registry().get_provider(pid)
    assert (entry.name, entry.endpoint, entry.pay_to, entry.owner) == (
        "Acme AI", "http://127.0.0.1:9999", pay_to, owner.address)
    assert [m.model for m in entry.models] == ["gpt-4o-mini", "gpt-3.5-turbo"]

    cheaper = {**MINI, "output_price": "500000000000000000"}
    update = [a if a != "Acme AI" else "Acme AI 2" for a in args] + ["--provider-id", str(pid)]
    r = ai_provider(data_dir, *update, "--prices", str(sheet_file(tmp_path / "b.json", [cheaper])))
    assert json.loads(r.stdout) == {"provider_id": pid, "created": False, "details_updated": True,
                                    "models_set": ["gpt-4o-mini"], "models_removed": ["gpt-3.5-turbo"]}
    entry = gateway_chain.registry().get_provider(pid)
    assert entry.name == "Acme AI 2" and [(m.model, m.output_price) for m in entry.models] == [
        ("gpt-4o-mini", 5 * 10**17)]
    unchanged = ai_provider(data_dir, *update, "--prices", str(tmp_path / "b.json"))
    assert json.loads(unchanged.stdout)["models_set"] == [] and not json.loads(unchanged.stdout)["details_updated"]

    stranger = key_file(tmp_path / "stranger.key", Account.create())
    r = ai_provider(data_dir, *[a if a != str(keys) else str(stranger) for a in update], "--prices",
                    str(tmp_path / "b.json"))
    assert r.returncode == 2 and "not the owner" in r.stderr


@pytest.mark.parametrize(("key_text", "sheet", "words"), [
    ("not a key\n", [MINI], "64 hexadecimal"),
    (None, [{**MINI, "encoding": "gpt2"}], "not one this wallet can meter by"),
    (None, [{**MINI, "input_price": "0", "output_price": "0"}], "no price set"),
])
def test_bad_register_input_is_refused_before_any_transaction(private_chain: PrivateChain,
                                                              owner: LocalAccount, tmp_path: Path,
                                                              key_text: str | None, sheet: list, words: str) -> None:
    keys = key_file(tmp_path / "owner.key", owner)
    if key_text is not None:
        keys.write_text(key_text)
    r = ai_provider(private_chain.data_dir.root, "register", "--key-file", str(keys), "--name", "X", "--endpoint",
                    "http://127.0.0.1:1", "--pay-to", Account.create().address,
                    "--prices", str(sheet_file(tmp_path / "s.json", sheet)))
    assert r.returncode == 2 and words in r.stderr
    assert bytes(owner.key).hex() not in r.stderr + r.stdout
    assert private_chain.chain.client.pending_nonce(owner.address) == 0  # nothing was sent


@pytest.fixture
def served(private_chain: PrivateChain, tmp_path: Path) -> Iterator[dict]:
    """A provider registered for this test on the private chain, served by `ai-provider serve` with a separate
    `ai-provider facilitator` (its key from a key file)."""
    chain = private_chain.chain
    provider_id, _, pay_to = register_provider(chain, name="CLI AI")
    fee: LocalAccount = Account.create()
    fund(chain, fee.address, eth=ONE)
    fee_file = key_file(tmp_path / "facilitator.key", fee)
    fac_port, gw_port = free_port(), free_port()
    common = ["--data-dir", str(private_chain.data_dir.root), "--network", "testchain"]
    procs = [
        subprocess.Popen([sys.executable, "-m", "provider.main", "facilitator", "--port", str(fac_port),
                          "--key-file", str(fee_file), *common], stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
        subprocess.Popen([sys.executable, "-m", "provider.main", "serve", "--provider-id", str(provider_id),
                          "--port", str(gw_port), "--facilitator-url", f"http://127.0.0.1:{fac_port}", *common],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
    ]
    try:
        for port, proc in ((fac_port, procs[0]), (gw_port, procs[1])):
            assert chain.client.wait_until(lambda p=port, pr=proc: _answers(p) or pr.poll() is not None,
                                           timeout=90)
            assert proc.poll() is None, proc.communicate()[0]
        payer = BarePayer(new_payer(chain), chain.network, chain.token_address)
        yield {"url": f"http://127.0.0.1:{gw_port}", "pay_to": pay_to, "procs": procs, "fee": fee, "payer": payer}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_registered_provider_is_served_and_paid(served: dict, private_chain: PrivateChain) -> None:
    payer: BarePayer = served["payer"]
    paid = payer.pay(served["url"], chat_body("gpt-4o-mini", 80))
    assert paid.status_code == 200, paid.text
    tx = payer.settlement(paid).transaction
    [(_, to, _)] = transfers(private_chain.chain, tx)
    assert to == served["pay_to"].address.lower()
    outputs = []
    for proc in served["procs"]:
        proc.send_signal(signal.SIGTERM)
        outputs.append(proc.communicate(timeout=30)[0].decode())
        assert proc.returncode in (0, -signal.SIGTERM), outputs[-1]  # uvicorn re-raises the signal once shut down
        assert "Traceback" not in outputs[-1]
    assert "settled" in outputs[0] and bytes(served["fee"].key).hex() not in "".join(outputs)


def test_serve_with_its_own_facilitator_takes_the_key_from_the_environment(
        devnet: tuple[DataDir, DevnetStatus], gateway_chain: GatewayChain, bare_payer: BarePayer) -> None:
    fee: LocalAccount = Account.create()
    fund(gateway_chain, fee.address, eth=ONE)
    port = free_port()
    env = {**os.environ, "AI_FACILITATOR_KEY": bytes(fee.key).hex()}
    proc = subprocess.Popen([sys.executable, "-m", "provider.main", "--provider-id", "2", "--port", str(port),
                             "--with-facilitator", "--data-dir", str(devnet[0].root)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert gateway_chain.client.wait_until(lambda: _answers(port) or proc.poll() is not None, timeout=90)
        paid = bare_payer.pay(f"http://127.0.0.1:{port}", chat_body("gpt-4o-mini", 30))
        assert paid.status_code == 200, paid.text
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[0].decode()
    assert bytes(fee.key).hex() not in out and "Traceback" not in out


def test_a_facilitator_without_a_key_says_how_to_give_one(devnet: tuple[DataDir, DevnetStatus]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AI_FACILITATOR_KEY"}
    r = subprocess.run([sys.executable, "-m", "provider.main", "facilitator", "--data-dir", str(devnet[0].root)],
                       capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "--key-file" in r.stderr and "AI_FACILITATOR_KEY" in r.stderr
