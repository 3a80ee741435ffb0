"""`ai-wallet devnet …` and `ai-wallet balance` end to end: real anvil, real processes, real files."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import run_cli
from eth_account import Account

from wallet.devnet.anvil import free_port, start_anvil
from wallet.devnet.demo import DEMO_ACCOUNT_KEY

pytestmark = pytest.mark.chain
DEMO = Account.from_key(DEMO_ACCOUNT_KEY).address


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "wd"
    yield d
    run_cli(d, "devnet", "down")  # never leave an anvil behind


def test_up_status_down_up_keeps_addresses_and_state(data_dir: Path) -> None:
    port = free_port()
    up = run_cli(data_dir, "devnet", "up", "--port", str(port), "--json")
    assert up.code == 0, up.err
    first = up.json()
    assert first["running"] is True
    assert first["rpc_url"] == f"http://127.0.0.1:{port}" and first["chain_id"] == 31337
    assert set(first["contracts"]) == {"AIToken", "ProviderRegistry", "TokenSale"}
    assert all(a and a.startswith("0x") and len(a) == 42 for a in first["contracts"].values())

    status = run_cli(data_dir, "devnet", "status", "--json").json()
    assert {k: status[k] for k in ("running", "rpc_url", "chain_id", "contracts")} == {
        k: first[k] for k in ("running", "rpc_url", "chain_id", "contracts")}

    receiver = Account.create().address
    fc = run_cli(data_dir, "devnet", "faucet", receiver, "--eth", "2.5", "--ait", "42.000000000000000001", "--json")
    assert fc.code == 0, fc.err
    assert run_cli(data_dir, "balance", receiver, "--json").json() == {
        "address": receiver, "eth": "2.5", "ait": "42.000000000000000001"}

    assert run_cli(data_dir, "devnet", "down").code == 0
    down = run_cli(data_dir, "devnet", "status", "--json").json()
    assert down["running"] is False and down["contracts"] == first["contracts"]

    again = run_cli(data_dir, "devnet", "up", "--json").json()  # same port remembered, no redeploy
    assert again["contracts"] == first["contracts"] and again["rpc_url"] == first["rpc_url"]
    assert run_cli(data_dir, "balance", receiver.lower(), "--json").json()["ait"] == "42.000000000000000001"
    assert again["block"] >= first["block"]

    second_up = run_cli(data_dir, "devnet", "up")
    assert second_up.code == 0 and "already running" in second_up.out


def test_port_taken_by_another_program_is_refused(data_dir: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = run_cli(data_dir, "devnet", "up", "--port", str(port))
    assert r.code == 1
    assert f"Port {port}" in r.err and "another program" in r.err and "--port" in r.err


def test_port_taken_by_a_foreign_chain_is_refused(data_dir: Path) -> None:
    other = start_anvil(free_port(), chain_id=4242)
    try:
        r = run_cli(data_dir, "devnet", "up", "--port", str(other.port))
    finally:
        other.stop()
    assert r.code == 1 and "chain with id 4242" in r.err


def test_missing_anvil_says_how_to_install(data_dir: Path, tmp_path: Path) -> None:
    r = run_cli(data_dir, "devnet", "up", "--port", str(free_port()),
                env={"AI_WALLET_ANVIL": str(tmp_path / "no-such-anvil")})
    assert r.code == 1 and "npm install --prefix contracts" in r.err


def test_corrupted_state_file_is_reported_and_kept(data_dir: Path) -> None:
    state = data_dir / "devnet" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_bytes(b'{"block": {"number": "0x5"')  # cut short, as by a crash or a full disk
    r = run_cli(data_dir, "devnet", "up", "--port", str(free_port()))
    assert r.code == 1 and "damaged" in r.err and "devnet reset" in r.err
    assert state.read_bytes() == b'{"block": {"number": "0x5"'
    assert run_cli(data_dir, "devnet", "status", "--json").json()["running"] is False

    refused = run_cli(data_dir, "devnet", "reset")  # no terminal: confirmation must be explicit
    assert refused.code == 2 and "--yes" in refused.err and state.exists()
    assert run_cli(data_dir, "devnet", "reset", "--yes").code == 0
    kept = list(state.parent.glob("state.damaged-*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == b'{"block": {"number": "0x5"'
    assert run_cli(data_dir, "devnet", "up", "--port", str(free_port())).code == 0


def test_rpc_down_is_a_clear_error_without_traceback(data_dir: Path) -> None:
    r = run_cli(data_dir, "balance", DEMO, "--json")  # nothing started in this data dir
    assert r.code == 1
    assert "Cannot reach the network" in r.err or "no AIToken address" in r.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["balance", "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266"], "checksum"),
        (["balance", "0x1234"], "4 characters"),
        (["devnet", "faucet", DEMO, "--ait", "-5"], "negative"),
        (["devnet", "faucet", DEMO, "--ait", "ten"], "not an amount"),
        (["devnet", "faucet", DEMO, "--eth", "0.0000000000000000001"], "19 decimal places"),
        (["--network", "nowhere", "balance", DEMO], "Unknown network"),
    ],
)
def test_bad_input_gets_a_clear_error(data_dir: Path, args: list[str], message: str) -> None:
    r = run_cli(data_dir, *args)
    assert r.code == 2 and message in r.err


def test_json_errors_are_one_object(data_dir: Path) -> None:
    r = run_cli(data_dir, "balance", "0x1234", "--json")
    assert r.code == 2 and r.json() == {"error": {"code": "invalid_address", "message": r.json()["error"]["message"]}}
    assert "4 characters" in r.json()["error"]["message"]


def test_down_never_kills_a_process_that_reused_the_pid(data_dir: Path) -> None:
    import json
    import subprocess as sp

    (data_dir / "devnet").mkdir(parents=True)
    bystander = sp.Popen(["sleep", "60"])  # stands in for whatever got the old devnet's pid
    try:
        (data_dir / "devnet" / "node.json").write_text(json.dumps({"pid": bystander.pid, "port": free_port()}))
        assert run_cli(data_dir, "devnet", "status", "--json").json()["running"] is False
        r = run_cli(data_dir, "devnet", "down")
        assert r.code == 0 and "was not running" in r.out
        assert bystander.poll() is None
    finally:
        bystander.kill()


def test_two_concurrent_ups_share_one_devnet(data_dir: Path) -> None:
    import subprocess as sp
    import sys

    port = str(free_port())
    procs = [sp.Popen([sys.executable, "-m", "wallet.cli.main", "--data-dir", str(data_dir), "devnet", "up",
                       "--port", port, "--json"], stdout=sp.PIPE, stderr=sp.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    first, second = (json.loads(o[0]) for o in outs)
    assert first["contracts"] == second["contracts"] and all(first["contracts"].values())
    assert run_cli(data_dir, "devnet", "status", "--json").json()["running"] is True


@pytest.mark.parametrize("port", ["0", "-1", "70000"])
def test_port_out_of_range_is_refused(data_dir: Path, port: str) -> None:
    r = run_cli(data_dir, "devnet", "up", "--port", port)
    assert r.code == 2 and "not a port number" in r.err


def test_faucet_to_a_contract_fails_clearly(devnet) -> None:  # type: ignore[no-untyped-def]
    # A fixed 21,000 gas sent to a contract used to fail on chain while the command said it had sent the ETH.
    data_dir, status = devnet
    r = run_cli(data_dir.root, "devnet", "faucet", status.contracts["AIToken"], "--eth", "0.5", "--ait", "0", "--json")
    assert r.code == 1, r.out
    assert r.json()["error"]["code"] == "tx_error" and "send devnet ETH" in r.json()["error"]["message"]
    ok = run_cli(data_dir.root, "devnet", "faucet", Account.create().address, "--eth", "0.5", "--ait", "1", "--json")
    assert ok.code == 0 and ok.json()["eth_tx"].startswith("0x")
