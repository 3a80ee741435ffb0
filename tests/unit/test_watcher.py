"""The chain watcher on its own: several followers of new block ranges, and a reset that drops the old chain.

The node is a function here (the watcher's own behaviour is what is tested; tests/chain follow a real one).
"""

from __future__ import annotations

import logging
import threading

import pytest

from wallet.errors import NetworkError, WalletError
from wallet.events import BalancesChanged, ConnectionChanged, EventBus, NetworkSwitched, NewBlock
from wallet.watcher import ChainWatcher

ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


class Chain:
    def __init__(self) -> None:
        self.block = 10
        self.balances = (1, 2)

    def block_number(self) -> int:
        return self.block

    def balance_pair(self, _address: str) -> tuple[int, int]:
        return self.balances


@pytest.fixture
def setup() -> tuple[Chain, EventBus, list[object], ChainWatcher]:
    chain, bus, seen = Chain(), EventBus(), []
    bus.subscribe(seen.append)
    return chain, bus, seen, ChainWatcher(bus, chain.block_number, chain.balance_pair)


def test_every_follower_gets_each_new_range(setup) -> None:  # type: ignore[no-untyped-def]
    chain, _, _, watcher = setup
    first: list[tuple[int, int]] = []
    second: list[tuple[int, int]] = []
    watcher.subscribe(lambda a, b: first.append((a, b)))
    stop_second = watcher.subscribe(lambda a, b: second.append((a, b)))
    watcher.poll_once()  # the first block seen is a starting point, not a range
    chain.block = 13
    watcher.poll_once()
    assert first == second == [(11, 13)]
    stop_second()
    chain.block = 14
    watcher.poll_once()
    watcher.poll_once()  # no new block: nothing to follow
    assert first == [(11, 13), (14, 14)] and second == [(11, 13)]


def test_a_failing_follower_neither_stops_the_others_nor_goes_unlogged(setup, caplog) -> None:  # type: ignore[no-untyped-def]
    chain, _, seen, watcher = setup
    got: list[tuple[int, int]] = []

    def broken(_a: int, _b: int) -> None:
        raise KeyError("a bug in a follower")

    def offline(_a: int, _b: int) -> None:
        raise NetworkError("The node went away.")

    for follower in (broken, offline, lambda a, b: got.append((a, b))):
        watcher.subscribe(follower)
    watcher.poll_once()
    chain.block = 11
    with caplog.at_level(logging.DEBUG):
        watcher.poll_once()
    assert got == [(11, 11)]
    assert NewBlock(11) in seen  # the watcher went on
    bug = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], KeyError)]
    assert bug and bug[0].levelno == logging.ERROR  # the bug, with its traceback
    assert not any(r.exc_info and isinstance(r.exc_info[1], WalletError) for r in caplog.records)


def test_reset_starts_over_on_the_new_chain(setup) -> None:  # type: ignore[no-untyped-def]
    chain, bus, seen, watcher = setup
    watcher.watch_address(ADDRESS)
    watcher.poll_once()
    assert seen == [ConnectionChanged("connected"), NewBlock(10), BalancesChanged(ADDRESS, 1, 2)]
    seen.clear()
    follower: list[tuple[int, int]] = []
    watcher.subscribe(lambda a, b: follower.append((a, b)))
    switched = NetworkSwitched("other", 5, False)
    watcher.reset(then=lambda: bus.publish(switched))
    chain.block, chain.balances = 3, (0, 0)  # a younger chain: its block 3 is no range after the old 10
    watcher.poll_once()
    # The same kinds of events again, all after the switch, and all of the new chain.
    assert seen == [switched, ConnectionChanged("connected"), NewBlock(3), BalancesChanged(ADDRESS, 0, 0)]
    assert follower == []


def test_a_poll_of_the_old_network_that_ends_after_a_reset_publishes_nothing(setup) -> None:  # type: ignore[no-untyped-def]
    chain, bus, seen, _ = setup
    reading, release = threading.Event(), threading.Event()

    def slow_block_number() -> int:
        reading.set()
        release.wait(10)
        return 99  # what the old network said

    watcher = ChainWatcher(bus, slow_block_number, chain.balance_pair)
    watcher.watch_address(ADDRESS)
    poll = threading.Thread(target=watcher.poll_once)
    poll.start()
    assert reading.wait(10)
    watcher.reset()
    release.set()
    poll.join(10)
    assert seen == []


def test_balances_of_an_account_no_longer_watched_are_not_published(setup) -> None:  # type: ignore[no-untyped-def]
    chain, bus, seen, _ = setup
    other = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    holder: dict[str, ChainWatcher] = {}

    def switch_account_while_reading(address: str) -> tuple[int, int]:
        holder["w"].watch_address(other)  # the user picked another account meanwhile
        return chain.balances

    watcher = holder["w"] = ChainWatcher(bus, chain.block_number, switch_account_while_reading)
    watcher.watch_address(ADDRESS)
    watcher.poll_once()
    assert not any(isinstance(e, BalancesChanged) for e in seen)


def test_the_thread_restarts_after_a_stop(setup) -> None:  # type: ignore[no-untyped-def]
    _, bus, _, watcher = setup
    watcher.interval = 0.01
    for _ in range(2):
        block_seen = threading.Event()
        unsubscribe = bus.subscribe(lambda e, seen=block_seen: seen.set() if isinstance(e, NewBlock) else None)
        watcher.reset()  # so the same block is news again
        watcher.start()
        assert watcher.running and block_seen.wait(10)
        watcher.stop()
        unsubscribe()
        assert not watcher.running
