"""Every transaction the wallet sends is checked for its receipt status, and its gas is estimated, never fixed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account

from wallet.chain.client import ChainClient
from wallet.chain.contracts import AIToken, deploy
from wallet.devnet.anvil import AnvilProcess, rpc_call
from wallet.devnet.demo import DEPLOYER_KEY
from wallet.errors import TxError
from wallet.networks import NetworkProfile
from wallet.units import ONE

pytestmark = pytest.mark.chain
ADMIN = Account.from_key(DEPLOYER_KEY)


@pytest.fixture
def chain(anvil: AnvilProcess) -> Iterator[tuple[ChainClient, AIToken, AnvilProcess]]:
    """A fresh anvil of this test's own (it turns automine off) with a token deployed."""
    client = ChainClient(NetworkProfile("local", 31337, anvil.rpc_url))
    client.connect()
    token = AIToken(client, deploy(client, ADMIN, "AIToken", ADMIN.address))
    token.grant_role(ADMIN, "MINTER_ROLE", ADMIN.address)
    yield client, token, anvil


def test_a_transaction_included_but_failed_is_a_txerror_with_its_hash(chain) -> None:  # type: ignore[no-untyped-def]
    client, token, node = chain
    alice = Account.create()
    client.send_and_confirm(ADMIN, {"to": alice.address, "value": ONE}, "fund")
    token.mint(ADMIN, alice.address, 100)
    # Two transfers of the whole balance, both estimated against the same state, then mined together: the second
    # passes its estimate and fails on chain. Only the receipt tells.
    rpc_call(node.rpc_url, "evm_setAutomine", [False])
    fn = token._c.functions.transfer(ADMIN.address, 100)
    hashes = []
    for _ in range(2):
        tx = fn.build_transaction({"from": alice.address, "nonce": 0})
        for k in ("nonce", "gas", "maxFeePerGas", "maxPriorityFeePerGas", "gasPrice"):
            tx.pop(k, None)
        hashes.append(client.send(alice, tx, "transfer AIT"))
    rpc_call(node.rpc_url, "evm_mine")
    assert client.confirm(hashes[0], "transfer AIT").ok
    with pytest.raises(TxError) as e:
        client.confirm(hashes[1], "transfer AIT")
    assert hashes[1] in e.value.user_message and "included but failed" in e.value.user_message


def test_eth_to_a_contract_that_refuses_it_is_refused_before_sending(chain) -> None:  # type: ignore[no-untyped-def]
    client, token, _ = chain
    nonce = client.pending_nonce(ADMIN.address)
    with pytest.raises(TxError, match="refused"):
        client.send_and_confirm(ADMIN, {"to": token.address, "value": ONE // 2}, "send ETH")
    assert client.pending_nonce(ADMIN.address) == nonce  # the estimate refused it: nothing went out
    assert client.eth_balance(token.address) == 0


def test_a_fixed_gas_limit_is_not_accepted(chain) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = chain
    with pytest.raises(ValueError, match="estimates the gas"):
        client.send(ADMIN, {"to": Account.create().address, "value": 1, "gas": 21_000}, "send ETH")

