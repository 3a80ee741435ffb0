"""AIToken: metadata, EIP-712 domain, minting rights, EIP-2612 permit, plain transfers."""

from __future__ import annotations

from typing import Any

import pytest
from chainkit import AIT, EIP712_DOMAIN_TYPE, Chain, deploy, events, reverts, reverts_custom
from eth_account.messages import encode_typed_data
from eth_utils import keccak

pytestmark = pytest.mark.chain

ZERO = "0x0000000000000000000000000000000000000000"


def test_metadata_and_typehashes(chain: Chain) -> None:
    t = chain.token.functions
    assert (t.name().call(), t.symbol().call(), t.decimals().call(), t.version().call()) == ("AI Token", "AIT", 18, "1")
    expected = {
        "TRANSFER_WITH_AUTHORIZATION_TYPEHASH": "TransferWithAuthorization(address from,address to,uint256 value,"
        "uint256 validAfter,uint256 validBefore,bytes32 nonce)",
        "RECEIVE_WITH_AUTHORIZATION_TYPEHASH": "ReceiveWithAuthorization(address from,address to,uint256 value,"
        "uint256 validAfter,uint256 validBefore,bytes32 nonce)",
        "CANCEL_AUTHORIZATION_TYPEHASH": "CancelAuthorization(address authorizer,bytes32 nonce)",
        "RECEIVE_UP_TO_AUTHORIZATION_TYPEHASH": "ReceiveUpToAuthorization(address from,address to,uint256 maxValue,"
        "uint256 validAfter,uint256 validBefore,bytes32 nonce)",
        "MINTER_ROLE": "MINTER_ROLE",
    }
    for constant, text in expected.items():
        assert getattr(t, constant)().call() == keccak(text=text), constant
    # USDC's published value, so any EIP-3009 client's signature fits.
    assert t.TRANSFER_WITH_AUTHORIZATION_TYPEHASH().call().hex() == (
        "7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267"
    )


def test_domain_separator_matches_eth_account(chain: Chain) -> None:
    c = chain
    full: dict[str, Any] = {
        "types": {
            "EIP712Domain": EIP712_DOMAIN_TYPE,
            "CancelAuthorization": [{"name": "authorizer", "type": "address"}, {"name": "nonce", "type": "bytes32"}],
        },
        "primaryType": "CancelAuthorization",
        "domain": c.domain(),
        "message": {"authorizer": c.alice.address, "nonce": b"\x00" * 32},
    }
    assert c.token.functions.DOMAIN_SEPARATOR().call() == encode_typed_data(full_message=full).header
    fields, name, version, chain_id, contract, _, _ = c.token.functions.eip712Domain().call()
    assert (fields, name, version, chain_id, contract) == (b"\x0f", "AI Token", "1", 31337, c.token.address)


def test_only_minters_mint(chain: Chain) -> None:
    c = chain
    supply = c.token.functions.totalSupply().call()
    with reverts_custom("AccessControlUnauthorizedAccount(address,bytes32)"):
        c.transact(c.token.functions.mint(c.mallory.address, AIT), c.mallory)
    receipt = c.transact(c.token.functions.mint(c.bob.address, 2 * AIT), c.admin)
    assert events(c.token, "Transfer", receipt) == [{"from": ZERO, "to": c.bob.address, "value": 2 * AIT}]
    assert c.token.functions.totalSupply().call() == supply + 2 * AIT
    assert c.balance(c.mallory) == 0


def test_only_the_admin_grants_and_revokes_minting(chain: Chain) -> None:
    c = chain
    minter = c.token.functions.MINTER_ROLE().call()
    with reverts_custom("AccessControlUnauthorizedAccount(address,bytes32)"):
        c.transact(c.token.functions.grantRole(minter, c.mallory.address), c.mallory)
    c.transact(c.token.functions.grantRole(minter, c.carol.address), c.admin)
    c.transact(c.token.functions.mint(c.carol.address, AIT), c.carol)
    c.transact(c.token.functions.revokeRole(minter, c.carol.address), c.admin)
    with reverts_custom("AccessControlUnauthorizedAccount(address,bytes32)"):
        c.transact(c.token.functions.mint(c.carol.address, AIT), c.carol)
    assert c.balance(c.carol) == AIT


def test_a_fresh_token_has_no_minter_and_needs_an_admin(chain: Chain) -> None:
    c = chain
    fresh = deploy(c.w3, "AIToken", c.admin, c.admin.address)
    assert fresh.functions.totalSupply().call() == 0
    assert fresh.functions.hasRole(b"\x00" * 32, c.admin.address).call() is True
    with reverts_custom("AccessControlUnauthorizedAccount(address,bytes32)"):
        c.transact(fresh.functions.mint(c.admin.address, 1), c.admin)
    with reverts("AIToken: admin is the zero address"):
        deploy(c.w3, "AIToken", c.admin, ZERO)


def permit_message(c: Chain, value: int, deadline: int) -> dict[str, Any]:
    return {
        "owner": c.alice.address,
        "spender": c.bob.address,
        "value": value,
        "nonce": c.token.functions.nonces(c.alice.address).call(),
        "deadline": deadline,
    }


def permit_args(msg: dict[str, Any], sig: Any) -> tuple[Any, ...]:
    return (msg["owner"], msg["spender"], msg["value"], msg["deadline"], sig.v, sig.r.to_bytes(32, "big"),
            sig.s.to_bytes(32, "big"))


def test_permit_sets_allowance_and_cannot_be_replayed(chain: Chain) -> None:
    c = chain
    msg = permit_message(c, 50 * AIT, c.now() + 3600)
    args = permit_args(msg, c.sign(c.alice, "Permit", msg))

    receipt = c.transact(c.token.functions.permit(*args), c.carol)  # relayed by a third party

    assert events(c.token, "Approval", receipt) == [
        {"owner": c.alice.address, "spender": c.bob.address, "value": 50 * AIT}
    ]
    assert c.token.functions.allowance(c.alice.address, c.bob.address).call() == 50 * AIT
    assert c.token.functions.nonces(c.alice.address).call() == 1
    c.transact(c.token.functions.transferFrom(c.alice.address, c.carol.address, 20 * AIT), c.bob)
    assert c.balance(c.carol) == 20 * AIT
    with reverts_custom("ERC2612InvalidSigner(address,address)"):  # the nonce moved on
        c.transact(c.token.functions.permit(*args), c.carol)


def test_permit_rejects_expired_and_foreign_signatures(chain: Chain) -> None:
    c = chain
    expired = permit_message(c, AIT, c.now() - 1)
    with reverts_custom("ERC2612ExpiredSignature(uint256)"):
        c.transact(c.token.functions.permit(*permit_args(expired, c.sign(c.alice, "Permit", expired))), c.bob)
    msg = permit_message(c, AIT, c.now() + 3600)
    with reverts_custom("ERC2612InvalidSigner(address,address)"):
        c.transact(c.token.functions.permit(*permit_args(msg, c.sign(c.mallory, "Permit", msg))), c.bob)
    assert c.token.functions.allowance(c.alice.address, c.bob.address).call() == 0


def test_transfer_over_balance_reverts_with_the_classic_reason(chain: Chain) -> None:
    c = chain
    with reverts("ERC20: transfer amount exceeds balance"):
        c.transact(c.token.functions.transfer(c.bob.address, 1000 * AIT + 1), c.alice)
    receipt = c.transact(c.token.functions.transfer(c.bob.address, 1000 * AIT), c.alice)
    assert events(c.token, "Transfer", receipt) == [{"from": c.alice.address, "to": c.bob.address, "value": 1000 * AIT}]
    assert (c.balance(c.alice), c.balance(c.bob)) == (0, 1000 * AIT)
