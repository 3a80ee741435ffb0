"""AIToken's EIP-3009: transferWithAuthorization, receiveWithAuthorization, cancelAuthorization, both forms."""

from __future__ import annotations

from typing import Any

import pytest
from chainkit import (
    AIT,
    CANCEL_BYTES,
    CANCEL_VRS,
    RWA_BYTES,
    RWA_VRS,
    TWA_BYTES,
    TWA_VRS,
    Chain,
    authorization,
    events,
    new_nonce,
    reverts,
    with_signature,
)
from web3 import Web3
from web3.exceptions import ContractLogicError
from x402.mechanisms.evm.constants import (
    ERR_INSUFFICIENT_BALANCE,
    ERR_INVALID_SIGNATURE,
    ERR_NONCE_ALREADY_USED,
    ERR_VALID_AFTER_FUTURE,
    ERR_VALID_BEFORE_EXPIRED,
)
from x402.mechanisms.evm.exact.eip3009_utils import parse_eip3009_transfer_error

pytestmark = pytest.mark.chain

FORMS = ["vrs", "bytes"]
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def twa(c: Chain, form: str) -> Any:
    return c.fn(c.token, TWA_VRS if form == "vrs" else TWA_BYTES)


def rwa(c: Chain, form: str) -> Any:
    return c.fn(c.token, RWA_VRS if form == "vrs" else RWA_BYTES)


@pytest.mark.parametrize("form", FORMS)
def test_transfer_with_authorization_moves_tokens_and_marks_nonce(chain: Chain, form: str) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, 5 * AIT)
    sig = c.sign(c.alice, "TransferWithAuthorization", msg)
    assert c.token.functions.authorizationState(c.alice.address, msg["nonce"]).call() is False

    receipt = c.transact(twa(c, form)(*with_signature(msg, sig, form)), c.carol)  # carol relays, pays gas

    assert c.balance(c.alice) == 995 * AIT
    assert c.balance(c.bob) == 5 * AIT
    assert c.balance(c.carol) == 0
    assert c.token.functions.authorizationState(c.alice.address, msg["nonce"]).call() is True
    assert events(c.token, "AuthorizationUsed", receipt) == [{"authorizer": c.alice.address, "nonce": msg["nonce"]}]
    assert events(c.token, "Transfer", receipt) == [{"from": c.alice.address, "to": c.bob.address, "value": 5 * AIT}]


@pytest.mark.parametrize("form", FORMS)
def test_replay_is_rejected(chain: Chain, form: str) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, 5 * AIT)
    args = with_signature(msg, c.sign(c.alice, "TransferWithAuthorization", msg), form)
    c.transact(twa(c, form)(*args), c.carol)
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(twa(c, form)(*args), c.carol)
    # The other signature form carries the same authorization and is refused just the same.
    other = "bytes" if form == "vrs" else "vrs"
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(twa(c, other)(*with_signature(msg, c.sign(c.alice, "TransferWithAuthorization", msg), other)),
                   c.carol)
    assert c.balance(c.bob) == 5 * AIT


def test_expired_authorization_is_rejected(chain: Chain) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, AIT, valid_before=c.now() - 1)
    with reverts("FiatTokenV2: authorization is expired"):
        c.transact(twa(c, "bytes")(*with_signature(msg, c.sign(c.alice, "TransferWithAuthorization", msg), "bytes")),
                   c.carol)
    assert c.balance(c.bob) == 0


def test_not_yet_valid_authorization_is_rejected(chain: Chain) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, AIT, valid_after=c.now() + 600)
    with reverts("FiatTokenV2: authorization is not yet valid"):
        c.transact(twa(c, "vrs")(*with_signature(msg, c.sign(c.alice, "TransferWithAuthorization", msg), "vrs")),
                   c.carol)
    assert c.balance(c.bob) == 0


@pytest.mark.parametrize(
    ("after_offset", "before_offset", "succeeds"),
    [(-1, 1, True), (0, 10, False), (-10, 0, False)],
    ids=["inside", "at-validAfter", "at-validBefore"],
)
def test_validity_bounds_are_exclusive(chain: Chain, after_offset: int, before_offset: int, succeeds: bool) -> None:
    c = chain
    t = c.now() + 100
    msg = authorization(c, c.alice, c.bob, AIT, valid_after=t + after_offset, valid_before=t + before_offset)
    args = with_signature(msg, c.sign(c.alice, "TransferWithAuthorization", msg), "bytes")
    c.w3.provider.make_request("evm_setNextBlockTimestamp", [t])  # type: ignore[arg-type]
    # A fixed gas limit skips estimation, so the transaction is mined in the block stamped t.
    tx = twa(c, "bytes")(*args).transact({"from": c.carol.address, "gas": 200_000})
    receipt = c.w3.eth.wait_for_transaction_receipt(tx)
    assert c.w3.eth.get_block(receipt["blockNumber"])["timestamp"] == t
    assert receipt["status"] == (1 if succeeds else 0)
    assert c.balance(c.bob) == (AIT if succeeds else 0)


@pytest.mark.parametrize("form", FORMS)
def test_signature_of_another_key_is_rejected(chain: Chain, form: str) -> None:
    c = chain
    msg = authorization(c, c.alice, c.mallory, 5 * AIT)
    forged = c.sign(c.mallory, "TransferWithAuthorization", msg)  # claims to be from alice
    with reverts("FiatTokenV2: invalid signature"):
        c.transact(twa(c, form)(*with_signature(msg, forged, form)), c.mallory)
    assert c.balance(c.alice) == 1000 * AIT


@pytest.mark.parametrize("field", ["value", "to", "validBefore", "nonce"])
@pytest.mark.parametrize("form", FORMS)
def test_tampered_authorization_is_rejected(chain: Chain, form: str, field: str) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, 5 * AIT)
    sig = c.sign(c.alice, "TransferWithAuthorization", msg)
    tampered = dict(msg)
    tampered[field] = {"value": 500 * AIT, "to": c.mallory.address, "validBefore": msg["validBefore"] + 1,
                       "nonce": new_nonce()}[field]
    with reverts("FiatTokenV2: invalid signature"):
        c.transact(twa(c, form)(*with_signature(tampered, sig, form)), c.carol)
    assert c.balance(c.alice) == 1000 * AIT


def test_signature_for_another_domain_is_rejected(chain: Chain) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, AIT)
    for wrong in ({"version": "2"}, {"chainId": 1}, {"name": "USD Coin"}, {"verifyingContract": c.sale.address}):
        sig = c.sign(c.alice, "TransferWithAuthorization", msg, domain={**c.domain(), **wrong})
        with reverts("FiatTokenV2: invalid signature"):
            c.transact(twa(c, "bytes")(*with_signature(msg, sig, "bytes")), c.carol)


def test_malleable_high_s_signature_is_rejected(chain: Chain) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, AIT)
    sig = c.sign(c.alice, "TransferWithAuthorization", msg)
    twin = (*msg.values(), 55 - sig.v, sig.r.to_bytes(32, "big"), (SECP256K1_N - sig.s).to_bytes(32, "big"))
    with reverts("FiatTokenV2: invalid signature"):
        c.transact(twa(c, "vrs")(*twin), c.carol)


def test_insufficient_balance_reverts_with_the_classic_reason(chain: Chain) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, 1001 * AIT)
    with reverts("ERC20: transfer amount exceeds balance"):
        c.transact(twa(c, "bytes")(*with_signature(msg, c.sign(c.alice, "TransferWithAuthorization", msg), "bytes")),
                   c.carol)
    assert c.token.functions.authorizationState(c.alice.address, msg["nonce"]).call() is False


def test_x402_maps_every_revert_reason(chain: Chain) -> None:
    """The x402 facilitator classifies failures by revert text; each of ours lands on the precise code."""
    c = chain
    now = c.now()
    used = authorization(c, c.alice, c.bob, AIT)
    c.transact(twa(c, "bytes")(*with_signature(used, c.sign(c.alice, "TransferWithAuthorization", used), "bytes")),
               c.carol)
    cases = [
        (used, c.alice, ERR_NONCE_ALREADY_USED),
        (authorization(c, c.alice, c.bob, AIT, valid_before=now - 1), c.alice, ERR_VALID_BEFORE_EXPIRED),
        (authorization(c, c.alice, c.bob, AIT, valid_after=now + 600), c.alice, ERR_VALID_AFTER_FUTURE),
        (authorization(c, c.alice, c.bob, AIT), c.mallory, ERR_INVALID_SIGNATURE),
        (authorization(c, c.alice, c.bob, 5000 * AIT), c.alice, ERR_INSUFFICIENT_BALANCE),
    ]
    for msg, signer, code in cases:
        args = with_signature(msg, c.sign(signer, "TransferWithAuthorization", msg), "vrs")
        with pytest.raises(ContractLogicError) as info:
            twa(c, "vrs")(*args).call({"from": c.carol.address})
        assert parse_eip3009_transfer_error(info.value) == code, info.value.message


@pytest.mark.parametrize("form", FORMS)
def test_cancelled_nonce_cannot_be_used(chain: Chain, form: str) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, 5 * AIT)
    transfer_args = with_signature(msg, c.sign(c.alice, "TransferWithAuthorization", msg), form)
    cancel = {"authorizer": c.alice.address, "nonce": msg["nonce"]}
    cancel_args = with_signature(cancel, c.sign(c.alice, "CancelAuthorization", cancel), form)
    cancel_fn = c.fn(c.token, CANCEL_VRS if form == "vrs" else CANCEL_BYTES)

    receipt = c.transact(cancel_fn(*cancel_args), c.carol)  # anyone may relay the signed cancel

    assert events(c.token, "AuthorizationCanceled", receipt) == [cancel]
    assert events(c.token, "AuthorizationUsed", receipt) == []
    assert c.token.functions.authorizationState(c.alice.address, msg["nonce"]).call() is True
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(twa(c, form)(*transfer_args), c.carol)
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(cancel_fn(*cancel_args), c.carol)
    assert c.balance(c.bob) == 0


def test_cancel_needs_the_authorizers_signature_and_an_unused_nonce(chain: Chain) -> None:
    c = chain
    cancel_fn = c.fn(c.token, CANCEL_BYTES)
    cancel = {"authorizer": c.alice.address, "nonce": new_nonce()}
    with reverts("FiatTokenV2: invalid signature"):
        c.transact(cancel_fn(*with_signature(cancel, c.sign(c.mallory, "CancelAuthorization", cancel), "bytes")),
                   c.mallory)
    assert c.token.functions.authorizationState(c.alice.address, cancel["nonce"]).call() is False

    msg = authorization(c, c.alice, c.bob, AIT)
    c.transact(twa(c, "bytes")(*with_signature(msg, c.sign(c.alice, "TransferWithAuthorization", msg), "bytes")),
               c.carol)
    late = {"authorizer": c.alice.address, "nonce": msg["nonce"]}
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(cancel_fn(*with_signature(late, c.sign(c.alice, "CancelAuthorization", late), "bytes")), c.alice)


@pytest.mark.parametrize("form", FORMS)
def test_receive_with_authorization_by_the_payee(chain: Chain, form: str) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, 7 * AIT)
    args = with_signature(msg, c.sign(c.alice, "ReceiveWithAuthorization", msg), form)
    receipt = c.transact(rwa(c, form)(*args), c.bob)
    assert c.balance(c.bob) == 7 * AIT
    assert c.balance(c.alice) == 993 * AIT
    assert events(c.token, "AuthorizationUsed", receipt) == [{"authorizer": c.alice.address, "nonce": msg["nonce"]}]
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(rwa(c, form)(*args), c.bob)


@pytest.mark.parametrize("form", FORMS)
def test_receive_with_authorization_by_anyone_else_is_rejected(chain: Chain, form: str) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, 7 * AIT)
    args = with_signature(msg, c.sign(c.alice, "ReceiveWithAuthorization", msg), form)
    for caller in (c.carol, c.alice):
        with reverts("FiatTokenV2: caller must be the payee"):
            c.transact(rwa(c, form)(*args), caller)
    assert c.balance(c.bob) == 0
    assert c.token.functions.authorizationState(c.alice.address, msg["nonce"]).call() is False


def test_transfer_and_receive_signatures_are_not_interchangeable(chain: Chain) -> None:
    c = chain
    msg = authorization(c, c.alice, c.bob, AIT)
    transfer_sig = c.sign(c.alice, "TransferWithAuthorization", msg)
    receive_sig = c.sign(c.alice, "ReceiveWithAuthorization", msg)
    with reverts("FiatTokenV2: invalid signature"):
        c.transact(rwa(c, "bytes")(*with_signature(msg, transfer_sig, "bytes")), c.bob)
    with reverts("FiatTokenV2: invalid signature"):
        c.transact(twa(c, "bytes")(*with_signature(msg, receive_sig, "bytes")), c.carol)
    assert c.balance(c.bob) == 0


# Runtime code of minimal ERC-1271 wallets: answer every call with one 32-byte word. The first returns the
# isValidSignature magic value 0x1626ba7e (it accepts any signature), the second returns zero (it accepts none).
ACCEPT_ALL_WALLET = "0x631626ba7e60e01b60005260206000f3"
REJECT_ALL_WALLET = "0x60206000f3"


@pytest.mark.parametrize(("code", "accepted"), [(ACCEPT_ALL_WALLET, True), (REJECT_ALL_WALLET, False)])
def test_contract_wallets_decide_by_erc1271(chain: Chain, code: str, accepted: bool) -> None:
    """A payer with code is asked through ERC-1271 instead of ecrecover, whatever the signature bytes are."""
    c = chain
    wallet = Web3.to_checksum_address("0x00000000000000000000000000000000000c0de1")
    c.w3.provider.make_request("anvil_setCode", [wallet, code])  # type: ignore[arg-type]
    c.transact(c.token.functions.mint(wallet, 10 * AIT), c.admin)
    msg = {**authorization(c, c.alice, c.bob, 4 * AIT), "from": wallet}
    opaque = b"\x01" * 65  # not an ECDSA signature of anyone; only the wallet's verdict counts
    fn = twa(c, "bytes")(*msg.values(), opaque)
    if accepted:
        c.transact(fn, c.carol)
        assert c.balance(c.bob) == 4 * AIT
        assert c.token.functions.authorizationState(wallet, msg["nonce"]).call() is True
    else:
        with reverts("FiatTokenV2: invalid signature"):
            c.transact(fn, c.carol)
        assert c.balance(wallet) == 10 * AIT
