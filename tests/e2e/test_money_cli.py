"""Money in and out through the real `ai-wallet` CLI, on a real devnet: top up, receive, send, pay, and a history
that shows every movement with its task — the same after a restart and, for what the chain holds, after the
database is deleted."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from clirun import Result, run_cli
from eth_account import Account

from wallet.devnet.anvil import free_port
from wallet.units import format_amount

pytestmark = pytest.mark.chain
ENV = {"AI_WALLET_KEYRING": "file"}
PASSWORD = "correct horse battery 7"


@pytest.fixture
def wallet_dir(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "wd"
    assert cli(d, "devnet", "up", "--port", str(free_port())).code == 0
    (tmp_path / "pw.txt").write_text(PASSWORD + "\n")
    yield d
    cli(d, "devnet", "down")


def cli(d: Path, *args: str, ok: bool = False) -> Result:
    result = run_cli(d, *args, env=ENV, timeout=180)
    if ok:
        assert result.code == 0, result.err
    return result


def error_of(result: Result) -> str:
    return str(result.json()["error"]["message"])


def pw(d: Path) -> str:
    return str(d.parent / "pw.txt")


def movements(d: Path, *extra: str) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    doc = cli(d, "history", "--json", *extra, ok=True).json()
    rows = sorted((r["account"], r["kind"], r["status"], r["direction"], r["asset"], r["amount"], r["tx_hash"])
                  for r in doc["rows"])
    return rows, doc


def test_top_up_receive_send_and_see_every_movement_in_the_history(wallet_dir: Path, tmp_path: Path) -> None:
    d = wallet_dir
    cli(d, "account", "create", "--password-file", pw(d), "--json", ok=True)
    cli(d, "account", "add", "--password-file", pw(d), "--json", ok=True)
    a, b = (x["address"] for x in cli(d, "account", "list", "--json", ok=True).json())
    cli(d, "devnet", "faucet", a, "--eth", "2", "--ait", "10", ok=True)

    top = cli(d, "topup", "--account", a, "--ait", "50", "--yes", "--password-file", pw(d), "--json", ok=True).json()
    assert (top["status"], top["amount"], top["plan"]["eth_cost"], top["plan"]["rate"]) == \
        ("confirmed", "50", "0.05", "1 ETH = 1000 AIT")

    qr = tmp_path / "request.png"
    request = cli(d, "receive", "--account", b, "--amount", "3", "--qr", str(qr), "--json", ok=True).json()
    assert request["address"] == b and request["uri"].endswith(f"address={b}&uint256=3000000000000000000")
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    sent = cli(d, "send", request["uri"], "--account", a, "--yes", "--password-file", pw(d), "--json", ok=True).json()
    assert (sent["status"], sent["amount"], sent["to"]) == ("confirmed", "3", b)
    eth = cli(d, "send", b, "0.5", "--asset", "ETH", "--account", a, "--yes", "--password-file", pw(d), "--json",
              ok=True).json()
    assert eth["status"] == "confirmed" and Decimal(eth["fee_eth"]) > 0

    refused = cli(d, "send", Account.create().address, "1", "--account", a, "--password-file", pw(d), "--json")
    assert refused.code == 2 and "confirm with --yes" in error_of(refused)

    paid = cli(d, "run", "--provider", "1", "--model", "gpt-4o-mini", "--max-output", "40", "--prompt",
               "In one sentence: why keep a history?", "--account", a, "--yes", "--password-file", pw(d), "--json",
               ok=True).json()
    charged = format_amount(int(paid["paid_base_units"]))

    rows, doc = movements(d)
    assert doc["synced"] is True and doc["total"] == 8
    assert [(r[0], r[1], r[2], r[4], r[5]) for r in rows] == sorted([
        (a, "faucet", "confirmed", "ETH", "2"), (a, "faucet", "confirmed", "AIT", "10"),
        (a, "topup", "confirmed", "AIT", "50"), (a, "send", "confirmed", "AIT", "3"),
        (b, "receive", "confirmed", "AIT", "3"), (a, "send", "confirmed", "ETH", "0.5"),
        (b, "receive", "confirmed", "ETH", "0.5"), (a, "payment", "confirmed", "AIT", charged),
    ])
    assert {r[6] for r in rows} >= {top["tx_hash"], sent["tx_hash"], eth["tx_hash"], paid["tx_hash"]}
    [payment] = [r for r in doc["rows"] if r["kind"] == "payment"]
    assert (payment["provider"], payment["model"]) == ("Demo AI", "gpt-4o-mini")
    task = payment["details"]
    assert task["output_tokens"] == paid["usage"]["completion_tokens"] and task["input_tokens"] > 0
    assert task["charged_base_units"] == task["quote_base_units"] == paid["paid_base_units"]
    spend = cli(d, "spend", "--json", ok=True).json()
    assert spend["total"] == charged and spend["buckets"][0]["key"] == "Demo AI"

    # Another process, later: the same history.
    assert movements(d)[0] == rows
    assert movements(d, "--kind", "topup")[1]["total"] == 1
    assert movements(d, "--account", b)[1]["total"] == 2

    csv_file = tmp_path / "history.csv"
    assert cli(d, "history", "--csv", str(csv_file), "--json", ok=True).json()["written"] == 8
    assert csv_file.read_text().splitlines()[0].startswith("time,chain_id,account,kind,status")

    # The database deleted: the chain gives every movement back, and the wallet says what it could not.
    for f in d.glob("wallet.sqlite3*"):
        f.unlink()
    again, doc = movements(d)
    assert again == rows  # the payment too: found by its AuthorizationUsed, named by the registry's payee
    assert any("database was missing" in n for n in doc["notes"])
    [payment] = [r for r in doc["rows"] if r["kind"] == "payment"]
    assert payment["provider"] == "Demo AI" and "output_tokens" not in payment["details"]  # the task is lost
    assert cli(d, "spend", "--json", ok=True).json()["total"] == charged


def test_bad_amounts_and_foreign_payment_requests_are_clear_errors(wallet_dir: Path) -> None:
    d = wallet_dir
    cli(d, "account", "create", "--password-file", pw(d), "--json", ok=True)
    a = cli(d, "account", "list", "--json", ok=True).json()[0]["address"]
    cli(d, "devnet", "faucet", a, "--eth", "1", "--ait", "5", ok=True)
    token = cli(d, "devnet", "status", "--json", ok=True).json()["contracts"]["AIToken"]
    stranger = Account.create().address
    cases = [  # (arguments, exit code, words): 1 the wallet cannot do it, 2 the input cannot be used
        ([stranger, "999"], 1, "Not enough AIT"),
        ([stranger, "0"], 2, "more than zero"),
        ([stranger, "0.0000000000000000001"], 2, "19 decimal places"),
        ([stranger, "9" * 5000], 2, "not an amount"),
        ([stranger.lower()[:-1] + "G", "1"], 2, "not hexadecimal"),
        ([f"ethereum:{token}@1/transfer?address={a}&uint256=1"], 2, "chain 1"),
        ([f"ethereum:{stranger}@31337/transfer?address={a}&uint256=1"], 2, "not the AI Token"),
    ]
    for args, code, words in cases:
        result = cli(d, "send", *args, "--yes", "--password-file", pw(d), "--json")
        assert result.code == code and words in error_of(result), (args[0][:60], result.out)
    assert [t["kind"] for t in cli(d, "tx", "list", "--json", ok=True).json()] == ["faucet", "faucet"]


def test_a_stuck_send_is_sped_up_and_another_cancelled_from_the_cli(wallet_dir: Path) -> None:
    import json
    import urllib.request

    d = wallet_dir
    cli(d, "account", "create", "--password-file", pw(d), "--json", ok=True)
    a = cli(d, "account", "list", "--json", ok=True).json()[0]["address"]
    cli(d, "devnet", "faucet", a, "--eth", "1", "--ait", "10", ok=True)
    rpc_url = cli(d, "devnet", "status", "--json", ok=True).json()["rpc_url"]

    def rpc(method: str, *params: object) -> object:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
        req = urllib.request.Request(rpc_url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())["result"]

    friend = Account.create().address
    rpc("evm_setAutomine", False)  # nothing is mined until the test says so: the sends are stuck
    sends = [cli(d, "send", friend, n, "--yes", "--no-wait", "--password-file", pw(d), "--json", ok=True).json()
             for n in ("1", "2")]
    assert [s["status"] for s in sends] == ["pending", "pending"] and sends[1]["nonce"] == sends[0]["nonce"] + 1
    pending = cli(d, "tx", "list", "--pending", "--json", ok=True).json()
    assert {t["tx_hash"] for t in pending} == {s["tx_hash"] for s in sends}
    faster = cli(d, "tx", "speedup", sends[0]["tx_hash"], "--yes", "--no-wait", "--password-file", pw(d), "--json",
                 ok=True).json()
    cancel = cli(d, "tx", "cancel", sends[1]["tx_hash"], "--yes", "--no-wait", "--password-file", pw(d), "--json",
                 ok=True).json()
    assert (faster["nonce"], cancel["nonce"]) == (sends[0]["nonce"], sends[1]["nonce"])
    assert int(faster["max_fee_per_gas_wei"]) > int(sends[0]["max_fee_per_gas_wei"])
    rpc("evm_mine")
    rpc("evm_setAutomine", True)
    statuses = {t["tx_hash"]: t["status"] for t in cli(d, "tx", "list", "--json", ok=True).json()}
    assert [statuses[h] for h in (sends[0]["tx_hash"], sends[1]["tx_hash"], faster["tx_hash"],
                                  cancel["tx_hash"])] == ["replaced", "replaced", "confirmed", "confirmed"]
    again = cli(d, "tx", "cancel", cancel["tx_hash"], "--yes", "--password-file", pw(d), "--json")
    assert again.code == 1 and "only a pending one" in error_of(again)
    rows, _ = movements(d, "--kind", "send", "--kind", "cancel")
    assert sorted((r[1], r[2], r[5]) for r in rows) == [("cancel", "confirmed", "0"), ("send", "confirmed", "1"),
                                                       ("send", "replaced", "1"), ("send", "replaced", "2")]
