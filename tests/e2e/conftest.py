"""Fixtures for end-to-end tests of the provider gateway and its payers (helpers in tests/gatewaykit.py).

* ``gateway_chain`` — the session devnet as the gateway sees it (``GatewayChain``);
* ``facilitator_url`` — a real facilitator HTTP service on loopback for the session (its own funded key);
* ``start_gateway(provider_id=1, misbehaviour=None, backend=None)`` — a real gateway HTTP server, stopped after
  the test; returns a ``RunningGateway`` (``.url``, ``.app``, ``.gateway.sheet``);
* ``payer`` — a fresh account holding 100 AIT and no ETH;
* ``bare_payer`` — a plain x402 SDK client paying as ``payer``;
* ``own_provider`` — a provider registered for this test alone: (id, owner, payTo), prices changeable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from gatewaykit import BarePayer, RunningGateway, facilitator_server, gateway_server, new_payer, register_provider

from provider.network import GatewayChain, load_profile
from wallet.config import DataDir
from wallet.devnet.manager import DevnetStatus


@pytest.fixture(scope="session")
def gateway_chain(devnet: tuple[DataDir, DevnetStatus]) -> GatewayChain:
    return GatewayChain.connect(load_profile(devnet[0], "devnet"))


@pytest.fixture(scope="session")
def facilitator_url(gateway_chain: GatewayChain) -> Iterator[str]:
    with facilitator_server(gateway_chain) as server:
        yield server.url


@pytest.fixture
def start_gateway(gateway_chain: GatewayChain, facilitator_url: str) -> Iterator[Callable[..., RunningGateway]]:
    with ExitStack() as stack:
        def start(provider_id: int = 1, **options: Any) -> RunningGateway:
            options.setdefault("facilitator_url", facilitator_url)
            url = options.pop("facilitator_url")
            return stack.enter_context(gateway_server(gateway_chain, provider_id, url, **options))

        yield start


@pytest.fixture
def payer(gateway_chain: GatewayChain) -> LocalAccount:
    return new_payer(gateway_chain)


@pytest.fixture
def bare_payer(gateway_chain: GatewayChain, payer: LocalAccount) -> BarePayer:
    return BarePayer(payer, gateway_chain.network, gateway_chain.token_address)


@pytest.fixture
def own_provider(gateway_chain: GatewayChain) -> tuple[int, LocalAccount, LocalAccount]:
    return register_provider(gateway_chain)
