"""AIToken's metered settlement: receiveWithAuthorizationUpTo and its separation from the EIP-3009 kinds."""

from __future__ import annotations

from typing import Any

import pytest
from chainkit import (
    AIT,
    CANCEL_BYTES,
    RWA_BYTES,
    TWA_BYTES,
    UPTO,
    Chain,
    authorization,
    events,
    reverts,
    upto_args,
    upto_authorization,
    with_signature,
)

pytestmark = pytest.mark.chain


def upto(c: Chain) -> Any:
    return c.fn(c.token, UPTO)


def test_payee_settles_the_metered_amount(chain: Chain) -> None:
    c = chain
    msg = upto_authorization(c, c.alice, c.bob, 10 * AIT)
    sig = c.sign(c.alice, "ReceiveUpToAuthorization", msg)

    receipt = c.transact(upto(c)(*upto_args(msg, 3 * AIT, sig)), c.bob)

    assert c.balance(c.bob) == 3 * AIT
    assert c.balance(c.alice) == 997 * AIT
    assert events(c.token, "Transfer", receipt) == [{"from": c.alice.address, "to": c.bob.address, "value": 3 * AIT}]
    assert events(c.token, "AuthorizationUsed", receipt) == [{"authorizer": c.alice.address, "nonce": msg["nonce"]}]
    assert c.token.functions.authorizationState(c.alice.address, msg["nonce"]).call() is True
    assert receipt["gasUsed"] < 100_000


def test_payee_may_settle_exactly_the_maximum(chain: Chain) -> None:
    c = chain
    msg = upto_authorization(c, c.alice, c.bob, 10 * AIT)
    c.transact(upto(c)(*upto_args(msg, 10 * AIT, c.sign(c.alice, "ReceiveUpToAuthorization", msg))), c.bob)
    assert c.balance(c.bob) == 10 * AIT


def test_value_over_the_maximum_is_rejected(chain: Chain) -> None:
    c = chain
    msg = upto_authorization(c, c.alice, c.bob, 10 * AIT)
    sig = c.sign(c.alice, "ReceiveUpToAuthorization", msg)
    with reverts("AIToken: value exceeds authorized maximum"):
        c.transact(upto(c)(*upto_args(msg, 10 * AIT + 1, sig)), c.bob)
    assert c.balance(c.bob) == 0
    assert c.token.functions.authorizationState(c.alice.address, msg["nonce"]).call() is False
    # Raising maxValue to fit the higher value breaks the payer's signature instead.
    with reverts("FiatTokenV2: invalid signature"):
        c.transact(upto(c)(*upto_args({**msg, "maxValue": 20 * AIT}, 15 * AIT, sig)), c.bob)


def test_value_zero_settles_nothing_and_consumes_the_nonce(chain: Chain) -> None:
    c = chain
    msg = upto_authorization(c, c.alice, c.bob, 10 * AIT)
    sig = c.sign(c.alice, "ReceiveUpToAuthorization", msg)

    receipt = c.transact(upto(c)(*upto_args(msg, 0, sig)), c.bob)

    assert c.balance(c.alice) == 1000 * AIT
    assert c.balance(c.bob) == 0
    assert events(c.token, "Transfer", receipt) == [{"from": c.alice.address, "to": c.bob.address, "value": 0}]
    assert events(c.token, "AuthorizationUsed", receipt) == [{"authorizer": c.alice.address, "nonce": msg["nonce"]}]
    assert c.token.functions.authorizationState(c.alice.address, msg["nonce"]).call() is True
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(upto(c)(*upto_args(msg, 5 * AIT, sig)), c.bob)


def test_only_the_payee_may_settle(chain: Chain) -> None:
    c = chain
    msg = upto_authorization(c, c.alice, c.bob, 10 * AIT)
    sig = c.sign(c.alice, "ReceiveUpToAuthorization", msg)
    for caller in (c.carol, c.alice, c.mallory):
        with reverts("FiatTokenV2: caller must be the payee"):
            c.transact(upto(c)(*upto_args(msg, 10 * AIT, sig)), caller)
    assert c.balance(c.bob) == 0
    assert c.token.functions.authorizationState(c.alice.address, msg["nonce"]).call() is False


def test_replay_is_rejected(chain: Chain) -> None:
    c = chain
    msg = upto_authorization(c, c.alice, c.bob, 10 * AIT)
    sig = c.sign(c.alice, "ReceiveUpToAuthorization", msg)
    c.transact(upto(c)(*upto_args(msg, 4 * AIT, sig)), c.bob)
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(upto(c)(*upto_args(msg, 4 * AIT, sig)), c.bob)
    assert c.balance(c.bob) == 4 * AIT


def test_validity_window_and_signer_are_enforced(chain: Chain) -> None:
    c = chain
    now = c.now()
    expired = upto_authorization(c, c.alice, c.bob, AIT, valid_before=now - 1)
    with reverts("FiatTokenV2: authorization is expired"):
        c.transact(upto(c)(*upto_args(expired, AIT, c.sign(c.alice, "ReceiveUpToAuthorization", expired))), c.bob)
    early = upto_authorization(c, c.alice, c.bob, AIT, valid_after=now + 600)
    with reverts("FiatTokenV2: authorization is not yet valid"):
        c.transact(upto(c)(*upto_args(early, AIT, c.sign(c.alice, "ReceiveUpToAuthorization", early))), c.bob)
    forged = upto_authorization(c, c.alice, c.mallory, AIT)
    with reverts("FiatTokenV2: invalid signature"):
        c.transact(upto(c)(*upto_args(forged, AIT, c.sign(c.mallory, "ReceiveUpToAuthorization", forged))),
                   c.mallory)
    assert c.balance(c.alice) == 1000 * AIT


def test_cancelled_nonce_cannot_be_settled(chain: Chain) -> None:
    c = chain
    msg = upto_authorization(c, c.alice, c.bob, 10 * AIT)
    sig = c.sign(c.alice, "ReceiveUpToAuthorization", msg)
    cancel = {"authorizer": c.alice.address, "nonce": msg["nonce"]}
    c.transact(c.fn(c.token, CANCEL_BYTES)(*with_signature(cancel, c.sign(c.alice, "CancelAuthorization", cancel),
                                                           "bytes")), c.alice)
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(upto(c)(*upto_args(msg, AIT, sig)), c.bob)
    assert c.balance(c.bob) == 0


@pytest.mark.parametrize("kind", ["TransferWithAuthorization", "ReceiveWithAuthorization"])
def test_eip3009_signature_is_not_valid_as_up_to(chain: Chain, kind: str) -> None:
    """Same fields, same values (maxValue = value): only the type name differs, and that must be enough."""
    c = chain
    msg = authorization(c, c.alice, c.bob, 5 * AIT)
    sig = c.sign(c.alice, kind, msg)
    as_upto = {"from": msg["from"], "to": msg["to"], "maxValue": msg["value"], "validAfter": msg["validAfter"],
               "validBefore": msg["validBefore"], "nonce": msg["nonce"]}
    with reverts("FiatTokenV2: invalid signature"):
        c.transact(upto(c)(*upto_args(as_upto, 5 * AIT, sig)), c.bob)
    assert c.balance(c.bob) == 0


@pytest.mark.parametrize(("signature", "caller"), [(TWA_BYTES, "carol"), (RWA_BYTES, "bob")])
def test_up_to_signature_is_not_valid_as_eip3009(chain: Chain, signature: str, caller: str) -> None:
    c = chain
    msg = upto_authorization(c, c.alice, c.bob, 5 * AIT)
    sig = c.sign(c.alice, "ReceiveUpToAuthorization", msg)
    as_exact = {"from": msg["from"], "to": msg["to"], "value": msg["maxValue"], "validAfter": msg["validAfter"],
                "validBefore": msg["validBefore"], "nonce": msg["nonce"]}
    with reverts("FiatTokenV2: invalid signature"):
        c.transact(c.fn(c.token, signature)(*with_signature(as_exact, sig, "bytes")), getattr(c, caller))
    assert c.balance(c.bob) == 0


def test_kinds_share_one_nonce_space(chain: Chain) -> None:
    """A nonce spent by an exact transfer cannot be spent again by an up-to settlement, nor the reverse."""
    c = chain
    exact = authorization(c, c.alice, c.bob, AIT)
    c.transact(c.fn(c.token, TWA_BYTES)(*with_signature(exact, c.sign(c.alice, "TransferWithAuthorization", exact),
                                                        "bytes")), c.carol)
    same_nonce = upto_authorization(c, c.alice, c.bob, AIT, nonce=exact["nonce"])
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(upto(c)(*upto_args(same_nonce, AIT, c.sign(c.alice, "ReceiveUpToAuthorization", same_nonce))),
                   c.bob)

    metered = upto_authorization(c, c.alice, c.bob, AIT)
    c.transact(upto(c)(*upto_args(metered, AIT, c.sign(c.alice, "ReceiveUpToAuthorization", metered))), c.bob)
    again = authorization(c, c.alice, c.bob, AIT, nonce=metered["nonce"])
    with reverts("FiatTokenV2: authorization is used or canceled"):
        c.transact(c.fn(c.token, RWA_BYTES)(*with_signature(again, c.sign(c.alice, "ReceiveWithAuthorization", again),
                                                            "bytes")), c.bob)
    assert c.balance(c.bob) == 2 * AIT
