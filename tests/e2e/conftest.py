"""Fixtures for end-to-end tests of the provider gateway and its payers (helpers in tests/gatewaykit.py).

* ``gateway_chain`` — the session devnet as the gateway sees it (``GatewayChain``). Shared: never write to its
  registry (other tests count its providers);
* ``facilitator_url`` — a real facilitator HTTP service on loopback for the session devnet (its own funded key,
  and the demo providers' payTo keys, so it settles metered payments to them);
* ``start_gateway(provider_id=1, *, chain=None, facilitator_url=None, payees=(), misbehaviour=None,
  backend=None)`` — a real gateway HTTP server, stopped after the test; returns a ``RunningGateway`` (``.url``,
  ``.app``, ``.gateway.sheet``). On another ``chain`` it gets a facilitator of its own, holding the settlement
  keys of ``payees``;
* ``payer`` — a fresh account holding 100 AIT and no ETH, on the session devnet;
* ``bare_payer`` — a plain x402 SDK client paying as ``payer``;
* ``private_chain`` — a chain of this module's own (fresh anvil, contracts and demo providers deployed, no
  services), reachable as network ``testchain`` from ``private_chain.data_dir``: for tests that write to the
  registry;
* ``own_provider`` — a provider registered on ``private_chain`` for this test alone: (id, owner, payTo).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from gatewaykit import (
    BarePayer,
    PrivateChain,
    RunningGateway,
    demo_payees,
    facilitator_server,
    gateway_server,
    new_payer,
    private_chain_in,
    register_provider,
)

from provider.network import GatewayChain, load_profile
from wallet.config import DataDir
from wallet.devnet.manager import DevnetStatus


@pytest.fixture(scope="session")
def gateway_chain(devnet: tuple[DataDir, DevnetStatus]) -> GatewayChain:
    return GatewayChain.connect(load_profile(devnet[0], "devnet"))


@pytest.fixture(scope="session")
def facilitator_url(gateway_chain: GatewayChain) -> Iterator[str]:
    with facilitator_server(gateway_chain, demo_payees()) as server:
        yield server.url


@pytest.fixture
def start_gateway(gateway_chain: GatewayChain, facilitator_url: str) -> Iterator[Callable[..., RunningGateway]]:
    with ExitStack() as stack:
        def start(provider_id: int = 1, *, chain: GatewayChain | None = None, facilitator_url: str | None = None,
                  payees: tuple[LocalAccount, ...] = (), **options: Any) -> RunningGateway:
            if chain is None:
                chain, url = gateway_chain, facilitator_url or session_facilitator
            else:
                url = facilitator_url or stack.enter_context(facilitator_server(chain, payees)).url
            return stack.enter_context(gateway_server(chain, provider_id, url, **options))

        session_facilitator = facilitator_url
        yield start


@pytest.fixture
def payer(gateway_chain: GatewayChain) -> LocalAccount:
    return new_payer(gateway_chain)


@pytest.fixture
def bare_payer(gateway_chain: GatewayChain, payer: LocalAccount) -> BarePayer:
    return BarePayer(payer, gateway_chain.network, gateway_chain.token_address)


@pytest.fixture(scope="module")
def private_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateChain]:
    with private_chain_in(DataDir(tmp_path_factory.mktemp("private-chain"))) as chain:
        yield chain


@pytest.fixture
def own_provider(private_chain: PrivateChain) -> tuple[int, LocalAccount, LocalAccount]:
    return register_provider(private_chain.chain)
