"""Contract-test helpers: the committed artifacts deployed on a real anvil with web3 and eth_account directly."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.datastructures import SignedMessage
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.logs import DISCARD
from web3.types import TxReceipt

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "resources" / "contracts"
CHAIN_ID = 31337
AIT = 10**18  # one AIT in base units
RATE = 1000 * AIT  # TokenSale: 1 ETH buys 1000 AIT

EIP712_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
AUTH_FIELDS = [
    {"name": "from", "type": "address"},
    {"name": "to", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "validAfter", "type": "uint256"},
    {"name": "validBefore", "type": "uint256"},
    {"name": "nonce", "type": "bytes32"},
]
AUTH_TYPES: dict[str, list[dict[str, str]]] = {
    "TransferWithAuthorization": AUTH_FIELDS,
    "ReceiveWithAuthorization": AUTH_FIELDS,
    "CancelAuthorization": [
        {"name": "authorizer", "type": "address"},
        {"name": "nonce", "type": "bytes32"},
    ],
    "ReceiveUpToAuthorization": [
        {"name": "from", "type": "address"},
        {"name": "to", "type": "address"},
        {"name": "maxValue", "type": "uint256"},
        {"name": "validAfter", "type": "uint256"},
        {"name": "validBefore", "type": "uint256"},
        {"name": "nonce", "type": "bytes32"},
    ],
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
}


def load_artifact(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ARTIFACTS_DIR / f"{name}.json").read_text())
    return data


@dataclass
class Chain:
    """A fresh anvil with AIToken, ProviderRegistry and TokenSale deployed by ``admin``.

    ``admin`` holds every admin role and MINTER_ROLE (the devnet faucet's role); the sale holds MINTER_ROLE.
    ``alice`` starts with 1000 AIT; ``bob``, ``carol`` and ``mallory`` start with none.
    """

    w3: Web3
    admin: LocalAccount
    alice: LocalAccount
    bob: LocalAccount
    carol: LocalAccount
    mallory: LocalAccount
    token: Contract
    registry: Contract
    sale: Contract

    def transact(self, fn: Any, sender: LocalAccount, value: int = 0) -> TxReceipt:
        """Send ``fn`` from an anvil dev account (unlocked on anvil) and require success."""
        tx_hash = fn.transact({"from": sender.address, "value": value})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        assert receipt["status"] == 1, receipt
        return receipt

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def domain(self) -> dict[str, Any]:
        return {"name": "AI Token", "version": "1", "chainId": CHAIN_ID, "verifyingContract": self.token.address}

    def sign(
        self, signer: LocalAccount, primary: str, message: dict[str, Any], domain: dict[str, Any] | None = None
    ) -> SignedMessage:
        """EIP-712 signature by eth_account, over the token's domain unless another ``domain`` is given."""
        full = {
            "types": {
                "EIP712Domain": EIP712_DOMAIN_TYPE,
                primary: AUTH_TYPES[primary],
            },
            "primaryType": primary,
            "domain": self.domain() if domain is None else domain,
            "message": message,
        }
        return Account.sign_typed_data(signer.key, full_message=full)

    def balance(self, who: LocalAccount | str) -> int:
        address = who if isinstance(who, str) else who.address
        return int(self.token.functions.balanceOf(address).call())

    def fn(self, contract: Contract, signature: str) -> Any:
        """An overloaded function picked by its exact signature."""
        return contract.get_function_by_signature(signature)


def new_nonce() -> bytes:
    return os.urandom(32)


def deploy(w3: Web3, name: str, sender: LocalAccount, *args: Any) -> Contract:
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx_hash = factory.constructor(*args).transact({"from": sender.address})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1 and receipt["contractAddress"]
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])


def deploy_all(rpc_url: str, dev_keys: list[str]) -> Chain:
    """Deploy AIToken, ProviderRegistry and TokenSale as described on ``Chain``."""
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    admin, alice, bob, carol, mallory = (Account.from_key(k) for k in dev_keys[:5])
    token = deploy(w3, "AIToken", admin, admin.address)
    registry = deploy(w3, "ProviderRegistry", admin, admin.address)
    sale = deploy(w3, "TokenSale", admin, token.address, RATE, admin.address)
    c = Chain(w3, admin, alice, bob, carol, mallory, token, registry, sale)
    minter = token.functions.MINTER_ROLE().call()
    c.transact(token.functions.grantRole(minter, sale.address), admin)
    c.transact(token.functions.grantRole(minter, admin.address), admin)
    c.transact(token.functions.mint(alice.address, 1000 * AIT), admin)
    return c



@contextmanager
def reverts(reason: str) -> Iterator[None]:
    """Expect a plain Error(string) revert whose text is exactly ``reason``."""
    with pytest.raises(ContractLogicError) as info:
        yield
    assert not isinstance(info.value, ContractCustomError), info.value
    assert info.value.message == f"execution reverted: {reason}", info.value.message


@contextmanager
def reverts_custom(error_signature: str) -> Iterator[None]:
    """Expect a custom-error revert (e.g. OpenZeppelin's ``OwnableUnauthorizedAccount(address)``)."""
    with pytest.raises(ContractCustomError) as info:
        yield
    selector = "0x" + keccak(text=error_signature)[:4].hex()
    assert str(info.value.data).startswith(selector), (info.value.data, selector)


TWA_VRS = "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)"
TWA_BYTES = "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)"
RWA_VRS = "receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)"
RWA_BYTES = "receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)"
CANCEL_VRS = "cancelAuthorization(address,bytes32,uint8,bytes32,bytes32)"
CANCEL_BYTES = "cancelAuthorization(address,bytes32,bytes)"
UPTO = "receiveWithAuthorizationUpTo(address,address,uint256,uint256,uint256,uint256,bytes32,bytes)"


def authorization(
    c: Chain,
    payer: LocalAccount,
    payee: LocalAccount,
    value: int,
    *,
    valid_after: int = 0,
    valid_before: int | None = None,
    nonce: bytes | None = None,
) -> dict[str, Any]:
    """An EIP-3009 message (field order as in the typehash): valid for an hour from the latest block."""
    return {
        "from": payer.address,
        "to": payee.address,
        "value": value,
        "validAfter": valid_after,
        "validBefore": c.now() + 3600 if valid_before is None else valid_before,
        "nonce": new_nonce() if nonce is None else nonce,
    }


def upto_authorization(c: Chain, payer: LocalAccount, payee: LocalAccount, max_value: int, **kw: Any) -> dict[str, Any]:
    """A ReceiveUpToAuthorization message: the EIP-3009 fields with ``maxValue`` in place of ``value``."""
    msg = authorization(c, payer, payee, max_value, **kw)
    return {"from": msg["from"], "to": msg["to"], "maxValue": max_value, "validAfter": msg["validAfter"],
            "validBefore": msg["validBefore"], "nonce": msg["nonce"]}


def with_signature(msg: dict[str, Any], sig: SignedMessage, form: str) -> tuple[Any, ...]:
    """The call arguments: the message fields in order, then (v, r, s) or the 65-byte signature."""
    if form == "vrs":
        return (*msg.values(), sig.v, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big"))
    return (*msg.values(), bytes(sig.signature))


def upto_args(msg: dict[str, Any], value: int, sig: SignedMessage) -> tuple[Any, ...]:
    """Arguments of receiveWithAuthorizationUpTo for a signed ReceiveUpToAuthorization ``msg``."""
    return (msg["from"], msg["to"], msg["maxValue"], value, msg["validAfter"], msg["validBefore"], msg["nonce"],
            bytes(sig.signature))


def events(contract: Contract, name: str, receipt: TxReceipt) -> list[dict[str, Any]]:
    """The decoded ``name`` events ``contract`` emitted in ``receipt`` (their args)."""
    logs = getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD)
    return [dict(log["args"]) for log in logs if log["address"] == contract.address]
