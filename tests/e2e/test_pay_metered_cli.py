"""Metered payment through the CLI, as a script sees it: a disputed charge exits 4 with the dispute in the JSON
and in `payments disputes`; an open authorization is cancelled with `payments cancel`, which says plainly when
the account has no ETH for the fee; `payments` shows the maximum beside the charge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clirun import run_cli
from eth_account.signers.local import LocalAccount
from gatewaykit import PrivateChain, RunningGateway, fund, new_payer
from paykit import cli_wallet, serve_provider, token_of

from provider.misbehaviour import Misbehaviour
from wallet.units import ONE

pytestmark = pytest.mark.chain


@pytest.fixture
def chain(private_chain: PrivateChain) -> Any:
    return private_chain.chain


@pytest.fixture
def payer(chain: Any) -> LocalAccount:
    return new_payer(chain)


def run_args(provider_id: int, pw: Path, *extra: str) -> list[str]:
    return ["run", "--network", "chain", "--provider", str(provider_id), "--model", "gpt-4o-mini", "--max-output",
            "700", "--prompt", "Metered, from a script.", "--yes", "--password-file", str(pw), "--json", *extra]


def test_a_disputed_charge_exits_4_and_is_listed_against_the_provider(
        chain, payer, tmp_path: Path, start_gateway: Callable[..., RunningGateway]) -> None:
    s = serve_provider(chain, start_gateway, Misbehaviour(metered_charge="max"), settles_itself=True)
    data, pw, env = cli_wallet(tmp_path, chain.profile, payer)
    r = run_cli(data, *run_args(s.provider_id, pw), env=env)
    assert r.code == 4, r.err
    out = r.json()
    assert out["status"] == "disputed" and out["scheme"] == "upto" and out["response"]
    assert out["paid_base_units"] == out["max_base_units"] and out["receipt"]["amount"] == out["max_base_units"]
    assert r.err.startswith(f"disputed: payment {out['intent_id']}: The provider took") and out["notes"]
    disputes = run_cli(data, "payments", "disputes", "--network", "chain", "--json", env=env).json()
    assert disputes["by_provider"] == {str(s.provider_id): 1}
    [d] = disputes["disputes"]
    assert d["status"] == "disputed" and d["evidence"]["dispute"]["problems"]
    text = run_cli(data, "payments", "show", str(d["id"]), "--network", "chain", env=env).out
    assert "expected" in text and "problem" in text and "max authorized" in text


def test_an_open_authorization_is_cancelled_from_the_cli_once_there_is_gas(
        chain, payer, tmp_path: Path, start_gateway: Callable[..., RunningGateway]) -> None:
    s = serve_provider(chain, start_gateway, Misbehaviour(never_settle=True))
    data, pw, env = cli_wallet(tmp_path, chain.profile, payer)
    r = run_cli(data, *run_args(s.provider_id, pw, "--scheme", "upto"), env=env)
    assert r.code == 0, r.err
    out = r.json()
    assert out["status"] == "pending" and out["paid_base_units"] is None and "payments cancel" in out["notes"][0]
    intent = out["intent_id"]
    listed = run_cli(data, "payments", "--network", "chain", env=env).out
    assert "pending" in listed and "(metered)" in listed

    no_gas = run_cli(data, "payments", "cancel", str(intent), "--network", "chain", "--password-file", str(pw),
                     env=env)
    assert no_gas.code == 1 and "no ETH to pay its network fee" in no_gas.err and "stays open until" in no_gas.err
    fund(chain, payer.address, eth=ONE // 100)
    done = run_cli(data, "payments", "cancel", str(intent), "--network", "chain", "--password-file", str(pw),
                   "--json", env=env)
    assert done.code == 0, done.err
    assert done.json()["status"] == "cancelled" and done.json()["tx_hash"]
    assert token_of(chain).balance_of(payer.address) == 100 * ONE
    again = run_cli(data, "payments", "cancel", str(intent), "--network", "chain", "--password-file", str(pw),
                    env=env)
    assert again.code == 2 and "only a pending payment can be cancelled" in again.err
