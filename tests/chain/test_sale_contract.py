"""TokenSale: rate arithmetic and rounding, buying, slippage guard, pause, withdraw, owner-only controls."""

from __future__ import annotations

import pytest
from chainkit import AIT, RATE, Chain, events, reverts, reverts_custom
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.exceptions import ContractLogicError

pytestmark = pytest.mark.chain

ETH = 10**18


def set_rate(c: Chain, rate: int) -> None:
    c.transact(c.sale.functions.setRate(rate), c.admin)


@pytest.mark.parametrize(
    ("rate", "wei", "tokens"),
    [
        (RATE, ETH, 1000 * AIT),
        (RATE, 1, 1000),
        (RATE, 0, 0),
        (1, ETH - 1, 0),  # rounds down: the buyer never gets more than paid for
        (1, ETH, 1),
        (3, ETH // 3, 0),
        (3, ETH // 3 + 1, 1),
        (7 * AIT, 10**30, 7 * 10**30),
    ],
)
def test_quote_rounds_down(chain: Chain, rate: int, wei: int, tokens: int) -> None:
    set_rate(chain, rate)
    assert chain.sale.functions.quote(wei).call() == tokens


@pytest.mark.parametrize(
    ("rate", "tokens", "wei"),
    [
        (RATE, 1000 * AIT, ETH),
        (RATE, 1000, 1),
        (RATE, 1001, 2),  # rounds up: the smallest payment that buys at least this much
        (RATE, 0, 0),
        (1, 1, ETH),
        (3, 1, ETH // 3 + 1),
    ],
)
def test_wei_for_rounds_up(chain: Chain, rate: int, tokens: int, wei: int) -> None:
    set_rate(chain, rate)
    assert chain.sale.functions.weiFor(tokens).call() == wei


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rate=st.integers(1, 10**24), tokens=st.integers(1, 10**24))
def test_wei_for_is_the_smallest_sufficient_payment(chain: Chain, rate: int, tokens: int) -> None:
    c = chain
    set_rate(c, rate)
    wei = c.sale.functions.weiFor(tokens).call()
    assert wei == -(-tokens * ETH // rate)
    assert c.sale.functions.quote(wei).call() >= tokens
    assert c.sale.functions.quote(wei - 1).call() < tokens
    assert c.sale.functions.quote(wei).call() == wei * rate // ETH


def test_buy_mints_at_the_rate(chain: Chain) -> None:
    c = chain
    eth_before = c.w3.eth.get_balance(c.bob.address)
    fn = c.sale.functions.buy(1000 * AIT)
    assert fn.call({"from": c.bob.address, "value": ETH}) == 1000 * AIT

    receipt = c.transact(fn, c.bob, value=ETH)

    assert c.balance(c.bob) == 1000 * AIT
    assert c.w3.eth.get_balance(c.sale.address) == ETH
    gas_cost = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert c.w3.eth.get_balance(c.bob.address) == eth_before - ETH - gas_cost
    assert events(c.sale, "TokensPurchased", receipt) == [{"buyer": c.bob.address, "weiPaid": ETH,
                                                          "tokens": 1000 * AIT}]
    assert events(c.token, "Transfer", receipt) == [
        {"from": "0x0000000000000000000000000000000000000000", "to": c.bob.address, "value": 1000 * AIT}
    ]


def test_buy_rejects_nothing_paid_and_nothing_bought(chain: Chain) -> None:
    c = chain
    with reverts("TokenSale: no ETH sent"):
        c.transact(c.sale.functions.buy(0), c.bob)
    set_rate(c, 1)  # 1 base unit per ETH: 1 wei buys nothing
    with reverts("TokenSale: payment buys no tokens"):
        c.transact(c.sale.functions.buy(0), c.bob, value=ETH - 1)
    assert c.balance(c.bob) == 0
    assert c.w3.eth.get_balance(c.sale.address) == 0


def test_slippage_guard_refuses_a_worse_rate(chain: Chain) -> None:
    c = chain
    expected = c.sale.functions.quote(ETH).call()
    set_rate(c, RATE - 1)  # the rate drops between the buyer's quote and the purchase
    with reverts("TokenSale: fewer tokens than minTokensOut"):
        c.transact(c.sale.functions.buy(expected), c.bob, value=ETH)
    assert c.balance(c.bob) == 0
    c.transact(c.sale.functions.buy(expected - 1), c.bob, value=ETH)  # exactly the minimum is accepted
    assert c.balance(c.bob) == expected - 1


def test_only_the_owner_sets_a_positive_rate(chain: Chain) -> None:
    c = chain
    with reverts_custom("OwnableUnauthorizedAccount(address)"):
        c.transact(c.sale.functions.setRate(1), c.mallory)
    with reverts("TokenSale: rate is zero"):
        set_rate(c, 0)
    receipt = c.transact(c.sale.functions.setRate(2 * RATE), c.admin)
    assert events(c.sale, "RateChanged", receipt) == [{"oldRate": RATE, "newRate": 2 * RATE}]
    assert c.sale.functions.rate().call() == 2 * RATE
    assert c.sale.functions.quote(ETH).call() == 2000 * AIT


def test_pause_stops_buying_until_unpaused(chain: Chain) -> None:
    c = chain
    with reverts_custom("OwnableUnauthorizedAccount(address)"):
        c.transact(c.sale.functions.pause(), c.mallory)
    c.transact(c.sale.functions.pause(), c.admin)
    assert c.sale.functions.paused().call() is True
    with reverts("TokenSale: sale is paused"):
        c.transact(c.sale.functions.buy(0), c.bob, value=ETH)
    with reverts_custom("OwnableUnauthorizedAccount(address)"):
        c.transact(c.sale.functions.unpause(), c.mallory)
    c.transact(c.sale.functions.unpause(), c.admin)
    c.transact(c.sale.functions.buy(0), c.bob, value=ETH)
    assert c.balance(c.bob) == 1000 * AIT


def test_withdraw_sends_the_whole_balance_to_the_owners_choice(chain: Chain) -> None:
    c = chain
    c.transact(c.sale.functions.buy(0), c.bob, value=ETH)
    c.transact(c.sale.functions.buy(0), c.carol, value=ETH // 2)
    with reverts_custom("OwnableUnauthorizedAccount(address)"):
        c.transact(c.sale.functions.withdraw(c.mallory.address), c.mallory)
    before = c.w3.eth.get_balance(c.carol.address)

    receipt = c.transact(c.sale.functions.withdraw(c.carol.address), c.admin)

    assert events(c.sale, "Withdrawn", receipt) == [{"to": c.carol.address, "amount": ETH + ETH // 2}]
    assert c.w3.eth.get_balance(c.carol.address) == before + ETH + ETH // 2
    assert c.w3.eth.get_balance(c.sale.address) == 0
    with reverts("TokenSale: nothing to withdraw"):
        c.transact(c.sale.functions.withdraw(c.carol.address), c.admin)


def test_plain_eth_transfers_are_refused(chain: Chain) -> None:
    """ETH sent without calling buy() would buy nothing; the sale has no receive function and bounces it."""
    c = chain
    with pytest.raises(ContractLogicError) as info:
        c.w3.eth.send_transaction({"from": c.bob.address, "to": c.sale.address, "value": ETH})
    assert info.value.message == "execution reverted"
    assert c.w3.eth.get_balance(c.sale.address) == 0


def test_a_sale_without_minter_role_cannot_sell(chain: Chain) -> None:
    c = chain
    minter = c.token.functions.MINTER_ROLE().call()
    c.transact(c.token.functions.revokeRole(minter, c.sale.address), c.admin)
    with reverts_custom("AccessControlUnauthorizedAccount(address,bytes32)"):
        c.transact(c.sale.functions.buy(0), c.bob, value=ETH)
    assert c.w3.eth.get_balance(c.sale.address) == 0
