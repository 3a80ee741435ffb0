"""EIP-681 payment requests: what a receive screen shows, what a send field accepts, what it refuses."""

from __future__ import annotations

import pytest

from wallet.errors import InvalidAddress
from wallet.transfers.eip681 import InvalidPaymentRequest, PaymentRequest, build_uri, check_request, parse_uri

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def resolve(uri: str, chain_id: int = 31337) -> PaymentRequest:
    return check_request(parse_uri(uri), chain_id=chain_id, network_name="devnet", ait_address=TOKEN)


def test_built_requests_read_back_exactly() -> None:
    amount = 12_345_678_901_234_567_891_234  # more digits than a float keeps
    uri = build_uri(asset="AIT", to=TO, chain_id=31337, token=TOKEN, amount=amount)
    assert uri == f"ethereum:{TOKEN}@31337/transfer?address={TO}&uint256={amount}"
    assert resolve(uri) == PaymentRequest("AIT", TO, amount, 31337)
    assert resolve(build_uri(asset="AIT", to=TO, chain_id=31337, token=TOKEN)).amount is None
    assert resolve(build_uri(asset="ETH", to=TO, chain_id=31337, amount=5)) == PaymentRequest("ETH", TO, 5, 31337)


@pytest.mark.parametrize(("text", "value"), [("2.014e18", 2_014_000_000_000_000_000), ("1e3", 1000), ("7", 7),
                                             ("0.5e1", 5)])
def test_numbers_in_the_eip_681_notation(text: str, value: int) -> None:
    assert resolve(f"ethereum:{TO}@31337?value={text}").amount == value


def test_a_request_without_chain_means_the_current_one_and_pay_prefix_is_accepted() -> None:
    assert resolve(f"ethereum:pay-{TOKEN}/transfer?address={TO}&uint256=1").chain_id == 31337


@pytest.mark.parametrize(("uri", "words"), [
    (f"ethereum:{TOKEN}@1/transfer?address={TO}&uint256=1", "chain 1,"),
    (f"ethereum:{TO}@8453?value=1", "chain 8453"),
    (f"ethereum:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48@31337/transfer?address={TO}&uint256=1", "not the AI Token"),
    (f"ethereum:{TOKEN}@31337/approve?address={TO}&uint256=1", "only pays token transfers"),
    (f"ethereum:{TOKEN}@31337/transfer?uint256=1", "no recipient"),
    (f"ethereum:{TOKEN}@31337/transfer?address={TO}&uint256=1&value=5", "mix"),
    (f"ethereum:{TO}@31337?value=1.5", "whole number"),
    (f"ethereum:{TO}@31337?value=1e400", "larger than"),
    (f"ethereum:{TO}@31337?value=" + "9" * 5000, "characters long"),
    (f"ethereum:{TO}@31337?value=abc", "not a number"),
    (f"ethereum:{TO}@31337?value=1&value=2", "twice"),
    (f"ethereum:{TO}@31337?data=0x1234", "does not understand"),
    ("ethereum:vitalik.eth@1?value=1", "ENS"),
    ("bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "starts with ethereum:"),
])
def test_foreign_or_broken_requests_are_refused(uri: str, words: str) -> None:
    with pytest.raises(InvalidPaymentRequest, match=words):
        resolve(uri)


def test_a_bad_checksum_inside_a_request_is_refused() -> None:
    bad = TO[:-1] + ("c" if TO[-1] != "c" else "d")
    with pytest.raises(InvalidAddress, match="checksum"):
        parse_uri(f"ethereum:{TOKEN}@31337/transfer?address={bad}&uint256=1")
