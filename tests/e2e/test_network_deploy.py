"""Beyond the devnet: an operator deploys the contracts to another chain with one command, a wallet imports
the profile file it writes and uses that chain end to end (balance, top-up, send, history)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import run_cli
from eth_account import Account

from wallet.devnet.anvil import AnvilProcess, free_port, rpc_call, start_anvil
from wallet.devnet.demo import DEV_KEYS

pytestmark = pytest.mark.chain
ENV = {"AI_WALLET_KEYRING": "file"}
CHAIN_ID = 4242


@pytest.fixture
def other_chain() -> Iterator[AnvilProcess]:
    node = start_anvil(free_port(), chain_id=CHAIN_ID)
    try:
        yield node
    finally:
        node.stop()


def test_deploy_import_and_use_another_chain(other_chain: AnvilProcess, tmp_path: Path) -> None:
    operator = tmp_path / "operator"
    key_file = tmp_path / "deployer.key"
    key_file.write_text(DEV_KEYS[0] + "\n")  # anvil's funded development key, on this test chain only
    profile_file = tmp_path / "testnet.json"
    profile_file.write_text("kept")
    taken = run_cli(operator, "contracts", "deploy", "--rpc", other_chain.rpc_url, "--key-file", str(key_file),
                    "--out", str(profile_file), "--json", env=ENV)
    assert taken.code == 2 and "already exists" in taken.json()["error"]["message"]
    assert profile_file.read_text() == "kept"
    assert rpc_call(other_chain.rpc_url, "eth_blockNumber") == "0x0"  # checked before anything was deployed
    deployed = run_cli(operator, "contracts", "deploy", "--rpc", other_chain.rpc_url, "--key-file", str(key_file),
                       "--name", "testnet", "--rate", "500", "--out", str(profile_file), "--force", "--json",
                       env=ENV)
    assert deployed.code == 0, deployed.err
    assert DEV_KEYS[0][2:] not in deployed.out + deployed.err + profile_file.read_text()
    doc = json.loads(profile_file.read_text())
    assert (doc["format"], doc["chain_id"], doc["name"]) == ("ai-token-wallet/network", CHAIN_ID, "testnet")
    assert doc["start_block"] >= 1 and set(doc["contracts"]) == {"AIToken", "ProviderRegistry", "TokenSale"}

    user = tmp_path / "user"
    imported = run_cli(user, "network", "import", str(profile_file), "--use", "--json", env=ENV)
    assert imported.code == 0, imported.err
    pw = tmp_path / "pw.txt"
    pw.write_text("a long enough password\n")
    key = tmp_path / "user.key"
    key.write_text(DEV_KEYS[3] + "\n")
    assert run_cli(user, "account", "import", "--private-key-file", str(key), "--password-file", str(pw),
                   "--json", env=ENV).code == 0
    me = Account.from_key(DEV_KEYS[3]).address
    friend = Account.create().address

    top = run_cli(user, "topup", "--eth", "1", "--yes", "--password-file", str(pw), "--json", env=ENV)
    assert top.code == 0, top.err
    assert (top.json()["amount"], top.json()["plan"]["rate"]) == ("500", "1 ETH = 500 AIT")
    sent = run_cli(user, "send", friend, "12.5", "--yes", "--password-file", str(pw), "--json", env=ENV)
    assert sent.code == 0 and sent.json()["status"] == "confirmed", sent.err
    balance = run_cli(user, "balance", me, "--json", env=ENV).json()
    assert balance["ait"] == "487.5"
    history = run_cli(user, "history", "--json", env=ENV).json()
    assert sorted((r["kind"], r["amount"], r["chain_id"]) for r in history["rows"]) == \
        [("send", "12.5", CHAIN_ID), ("topup", "500", CHAIN_ID)]


def test_profile_files_that_do_not_match_their_chain_are_refused(other_chain: AnvilProcess, tmp_path: Path) -> None:
    d = tmp_path / "user"
    good = {"format": "ai-token-wallet/network", "version": 1, "name": "elsewhere", "chain_id": CHAIN_ID,
            "rpc_url": other_chain.rpc_url, "start_block": 0,
            "contracts": {n: Account.create().address for n in ("AIToken", "ProviderRegistry", "TokenSale")}}
    cases = [  # exit 1: the file is well formed but does not match its chain; 2: the file cannot be used
        ({**good}, 1, "no contract at"),
        ({**good, "chain_id": 1}, 1, "is on chain 4242"),
        ({**good, "format": "something-else"}, 2, "not an AI Token network profile"),
        ({**good, "name": "devnet"}, 2, "built-in network"),
        ({**good, "rpc_url": "file:///etc/passwd"}, 2, "rpc_url"),
        ({**good, "contracts": {"AIToken": good["contracts"]["AIToken"]}}, 2, "names no address"),
    ]
    for i, (doc, code, words) in enumerate(cases):
        f = tmp_path / f"p{i}.json"
        f.write_text(json.dumps(doc))
        result = run_cli(d, "network", "import", str(f), "--json", env=ENV)
        assert result.code == code and words in result.json()["error"]["message"], (words, result.out)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = run_cli(d, "network", "import", str(deep), "--json", env=ENV)
    assert result.code == 2 and "larger than" in result.json()["error"]["message"]
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 5_000 + "]" * 5_000)
    result = run_cli(d, "network", "import", str(nested), "--json", env=ENV)
    assert result.code == 2 and "nested more than" in result.json()["error"]["message"]
    assert run_cli(d, "network", "list", "--json", env=ENV).json()["current"] == "devnet"
