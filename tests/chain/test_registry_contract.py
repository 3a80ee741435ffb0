"""ProviderRegistry: registration, owner-only changes, price lists, curation, events."""

from __future__ import annotations

from typing import Any

import pytest
from chainkit import Chain, events, reverts, reverts_custom
from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

pytestmark = pytest.mark.chain

ZERO = "0x0000000000000000000000000000000000000000"
NOT_OWNER = "ProviderRegistry: not the provider owner"
GPT = ("gpt-4o-mini", "o200k_base", 150_000, 600_000, 128_000, 16_384)


def register(c: Chain, owner: LocalAccount, name: str = "Acme AI", endpoint: str = "http://127.0.0.1:8402",
             pay_to: str | None = None) -> tuple[int, TxReceipt]:
    pay_to = pay_to or owner.address
    fn = c.registry.functions.registerProvider(name, endpoint, pay_to)
    new_id = fn.call({"from": owner.address})
    return new_id, c.transact(fn, owner)


def provider(c: Chain, pid: int) -> dict[str, Any]:
    owner, name, endpoint, pay_to, verified, active = c.registry.functions.getProvider(pid).call()
    return {"owner": owner, "name": name, "endpoint": endpoint, "payTo": pay_to, "verified": verified,
            "active": active}


def test_registration_is_permissionless_with_ids_from_one(chain: Chain) -> None:
    c = chain
    assert c.registry.functions.providerCount().call() == 0
    first, receipt = register(c, c.alice, pay_to=c.carol.address)
    second, _ = register(c, c.bob, name="Bob's models", endpoint="https://bob.example/v1")
    assert (first, second) == (1, 2)
    assert c.registry.functions.providerCount().call() == 2
    assert events(c.registry, "ProviderRegistered", receipt) == [{
        "id": 1, "owner": c.alice.address, "name": "Acme AI", "endpoint": "http://127.0.0.1:8402",
        "payTo": c.carol.address,
    }]
    assert provider(c, 1) == {"owner": c.alice.address, "name": "Acme AI", "endpoint": "http://127.0.0.1:8402",
                              "payTo": c.carol.address, "verified": False, "active": True}
    assert provider(c, 2)["owner"] == c.bob.address


@pytest.mark.parametrize(
    ("name", "endpoint", "pay_to", "reason"),
    [
        ("", "http://x", None, "ProviderRegistry: empty name"),
        ("A", "", None, "ProviderRegistry: empty endpoint"),
        ("A", "http://x", ZERO, "ProviderRegistry: payTo is the zero address"),
        ("A" * 65, "http://x", None, "ProviderRegistry: name too long"),
        ("A", "http://" + "x" * 250, None, "ProviderRegistry: endpoint too long"),
    ],
)
def test_registration_rejects_bad_details(chain: Chain, name: str, endpoint: str, pay_to: str | None,
                                          reason: str) -> None:
    c = chain
    with reverts(reason):
        register(c, c.alice, name=name, endpoint=endpoint, pay_to=pay_to)
    assert c.registry.functions.providerCount().call() == 0


def test_unknown_ids_are_rejected(chain: Chain) -> None:
    c = chain
    register(c, c.alice)
    for pid in (0, 2):
        with reverts("ProviderRegistry: unknown provider"):
            c.registry.functions.getProvider(pid).call()
        with reverts("ProviderRegistry: unknown provider"):
            c.transact(c.registry.functions.updateProvider(pid, "A", "http://x", c.alice.address), c.alice)


def test_only_the_owner_updates(chain: Chain) -> None:
    c = chain
    pid, _ = register(c, c.alice)
    with reverts(NOT_OWNER):
        c.transact(c.registry.functions.updateProvider(pid, "Evil", "http://evil", c.mallory.address), c.mallory)
    receipt = c.transact(c.registry.functions.updateProvider(pid, "Acme 2", "https://acme.example", c.bob.address),
                         c.alice)
    assert events(c.registry, "ProviderUpdated", receipt) == [
        {"id": pid, "name": "Acme 2", "endpoint": "https://acme.example", "payTo": c.bob.address}
    ]
    assert provider(c, pid)["payTo"] == c.bob.address
    assert provider(c, pid)["name"] == "Acme 2"


def test_only_curators_verify(chain: Chain) -> None:
    c = chain
    pid, _ = register(c, c.alice)
    with reverts_custom("AccessControlUnauthorizedAccount(address,bytes32)"):
        c.transact(c.registry.functions.setVerified(pid, True), c.alice)  # not even the provider itself
    receipt = c.transact(c.registry.functions.setVerified(pid, True), c.admin)
    assert events(c.registry, "ProviderVerified", receipt) == [{"id": pid, "verified": True}]
    assert provider(c, pid)["verified"] is True

    curator = c.registry.functions.CURATOR_ROLE().call()
    c.transact(c.registry.functions.grantRole(curator, c.carol.address), c.admin)
    c.transact(c.registry.functions.setVerified(pid, False), c.carol)
    assert provider(c, pid)["verified"] is False


@pytest.mark.parametrize("change", ["payTo", "endpoint", "name"])
def test_changing_details_clears_verified(chain: Chain, change: str) -> None:
    c = chain
    pid, _ = register(c, c.alice)
    c.transact(c.registry.functions.setVerified(pid, True), c.admin)
    details = {"name": "Acme AI", "endpoint": "http://127.0.0.1:8402", "payTo": c.alice.address}
    details[change] = {"payTo": c.mallory.address, "endpoint": "http://evil.example", "name": "OpenAI"}[change]

    receipt = c.transact(c.registry.functions.updateProvider(pid, *details.values()), c.alice)

    assert provider(c, pid)["verified"] is False
    assert events(c.registry, "ProviderVerified", receipt) == [{"id": pid, "verified": False}]


def test_unchanged_details_keep_verified(chain: Chain) -> None:
    c = chain
    pid, _ = register(c, c.alice)
    c.transact(c.registry.functions.setVerified(pid, True), c.admin)
    receipt = c.transact(c.registry.functions.updateProvider(pid, "Acme AI", "http://127.0.0.1:8402",
                                                             c.alice.address), c.alice)
    assert provider(c, pid)["verified"] is True
    assert events(c.registry, "ProviderVerified", receipt) == []
    assert len(events(c.registry, "ProviderUpdated", receipt)) == 1


def test_model_prices_are_added_replaced_and_removed(chain: Chain) -> None:
    c = chain
    pid, _ = register(c, c.alice)
    receipt = c.transact(c.registry.functions.setModelPrice(pid, *GPT), c.alice)
    assert events(c.registry, "ModelPriceSet", receipt) == [{
        "id": pid, "model": "gpt-4o-mini", "encoding": "o200k_base", "inputPricePerMillion": 150_000,
        "outputPricePerMillion": 600_000, "contextWindow": 128_000, "maxOutput": 16_384,
    }]
    c.transact(c.registry.functions.setModelPrice(pid, "gpt-4", "cl100k_base", 30, 60, 8192, 4096), c.alice)
    c.transact(c.registry.functions.setModelPrice(pid, "o3", "o200k_base", 5, 7, 200_000, 100_000), c.alice)
    assert [m[0] for m in c.registry.functions.getModels(pid).call()] == ["gpt-4o-mini", "gpt-4", "o3"]

    # Replacing keeps one entry per model id.
    c.transact(c.registry.functions.setModelPrice(pid, "gpt-4", "cl100k_base", 31, 62, 8192, 2048), c.alice)
    assert c.registry.functions.getModel(pid, "gpt-4").call() == ("gpt-4", "cl100k_base", 31, 62, 8192, 2048)
    assert len(c.registry.functions.getModels(pid).call()) == 3

    receipt = c.transact(c.registry.functions.removeModel(pid, "gpt-4o-mini"), c.alice)
    assert events(c.registry, "ModelRemoved", receipt) == [{"id": pid, "model": "gpt-4o-mini"}]
    assert sorted(m[0] for m in c.registry.functions.getModels(pid).call()) == ["gpt-4", "o3"]
    assert c.registry.functions.getModel(pid, "o3").call()[2:4] == (5, 7)  # the moved entry is still found
    with reverts("ProviderRegistry: unknown model"):
        c.registry.functions.getModel(pid, "gpt-4o-mini").call()
    with reverts("ProviderRegistry: unknown model"):
        c.transact(c.registry.functions.removeModel(pid, "gpt-4o-mini"), c.alice)


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (("", "o200k_base", 1, 1, 10, 5), "ProviderRegistry: empty model"),
        (("m", "", 1, 1, 10, 5), "ProviderRegistry: empty encoding"),
        (("m", "o200k_base", 1, 1, 0, 0), "ProviderRegistry: context window is zero"),
        (("m", "o200k_base", 1, 1, 10, 0), "ProviderRegistry: max output out of range"),
        (("m", "o200k_base", 1, 1, 10, 11), "ProviderRegistry: max output out of range"),
    ],
)
def test_model_price_validation(chain: Chain, entry: tuple[Any, ...], reason: str) -> None:
    c = chain
    pid, _ = register(c, c.alice)
    with reverts(reason):
        c.transact(c.registry.functions.setModelPrice(pid, *entry), c.alice)
    c.transact(c.registry.functions.setModelPrice(pid, "m", "o200k_base", 0, 0, 10, 10), c.alice)  # edge is fine


def test_only_the_owner_sets_prices(chain: Chain) -> None:
    c = chain
    pid, _ = register(c, c.alice)
    c.transact(c.registry.functions.setModelPrice(pid, *GPT), c.alice)
    with reverts(NOT_OWNER):
        c.transact(c.registry.functions.setModelPrice(pid, "gpt-4o-mini", "o200k_base", 1, 1, 10, 5), c.mallory)
    with reverts(NOT_OWNER):
        c.transact(c.registry.functions.removeModel(pid, "gpt-4o-mini"), c.mallory)
    with reverts(NOT_OWNER):
        c.transact(c.registry.functions.removeProvider(pid), c.mallory)
    assert c.registry.functions.getModel(pid, "gpt-4o-mini").call()[2] == 150_000


def test_removal_deactivates_and_clears_models(chain: Chain) -> None:
    c = chain
    pid, _ = register(c, c.alice)
    c.transact(c.registry.functions.setModelPrice(pid, *GPT), c.alice)
    c.transact(c.registry.functions.setModelPrice(pid, "gpt-4", "cl100k_base", 30, 60, 8192, 4096), c.alice)
    c.transact(c.registry.functions.setVerified(pid, True), c.admin)

    receipt = c.transact(c.registry.functions.removeProvider(pid), c.alice)

    assert events(c.registry, "ProviderRemoved", receipt) == [{"id": pid}]
    assert sorted(e["model"] for e in events(c.registry, "ModelRemoved", receipt)) == ["gpt-4", "gpt-4o-mini"]
    assert events(c.registry, "ProviderVerified", receipt) == [{"id": pid, "verified": False}]
    p = provider(c, pid)
    assert (p["active"], p["verified"]) == (False, False)
    assert c.registry.functions.getModels(pid).call() == []
    with reverts("ProviderRegistry: unknown model"):
        c.registry.functions.getModel(pid, "gpt-4").call()
    removed = "ProviderRegistry: provider removed"
    with reverts(removed):
        c.transact(c.registry.functions.setModelPrice(pid, *GPT), c.alice)
    with reverts(removed):
        c.transact(c.registry.functions.updateProvider(pid, "A", "http://x", c.alice.address), c.alice)
    with reverts(removed):
        c.transact(c.registry.functions.transferProviderOwnership(pid, c.bob.address), c.alice)
    with reverts(removed):
        c.transact(c.registry.functions.removeProvider(pid), c.alice)
    with reverts(removed):
        c.transact(c.registry.functions.setVerified(pid, True), c.admin)
    assert register(c, c.alice)[0] == 2  # ids are never reused


def test_ownership_transfer_moves_every_right(chain: Chain) -> None:
    c = chain
    pid, _ = register(c, c.alice)
    with reverts(NOT_OWNER):
        c.transact(c.registry.functions.transferProviderOwnership(pid, c.mallory.address), c.mallory)
    with reverts("ProviderRegistry: new owner is the zero address"):
        c.transact(c.registry.functions.transferProviderOwnership(pid, ZERO), c.alice)

    receipt = c.transact(c.registry.functions.transferProviderOwnership(pid, c.bob.address), c.alice)

    assert events(c.registry, "ProviderOwnershipTransferred", receipt) == [
        {"id": pid, "previousOwner": c.alice.address, "newOwner": c.bob.address}
    ]
    assert provider(c, pid)["owner"] == c.bob.address
    with reverts(NOT_OWNER):
        c.transact(c.registry.functions.setModelPrice(pid, *GPT), c.alice)
    c.transact(c.registry.functions.setModelPrice(pid, *GPT), c.bob)
    assert len(c.registry.functions.getModels(pid).call()) == 1
