"""Gateway test helpers: real facilitators and gateways on loopback against a real devnet, and a bare x402 payer.

The fixtures built on these live in tests/e2e/conftest.py (``gateway_chain``, ``facilitator_url``,
``start_gateway``, ``payer``, ``own_provider``, ``bare_payer``). Heavy imports happen inside the helpers, so
importing this module costs nothing to tests that do not use it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount
from fastapi import Request  # at module level: FastAPI resolves handler annotations in the module's globals

from wallet.registry import ModelPrice
from wallet.units import ONE

if TYPE_CHECKING:
    from x402.schemas import PaymentRequired

    from provider.misbehaviour import Misbehaviour
    from provider.network import GatewayChain
    from provider.serve import Gateway, ServerThread

CHAT = "/v1/chat/completions"
MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "name": "ada", "content": "Price this request: 東京 🚀 and some code `x = 1`."},
]
TEST_MODELS = (
    ModelPrice("gpt-4o-mini", "o200k_base", 15 * ONE // 100, 60 * ONE // 100, 128_000, 16_384),
    ModelPrice("gpt-3.5-turbo", "cl100k_base", 50 * ONE // 100, 150 * ONE // 100, 16_385, 4_096),
)


def chat_body(model: str = "gpt-4o-mini", max_tokens: int = 300, **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": MESSAGES, "max_tokens": max_tokens, **extra}


def decode_header(value: str) -> Any:
    return json.loads(base64.b64decode(value))


def fund(chain: GatewayChain, address: str, *, eth: int = 0, ait: int = 0) -> None:
    from wallet.devnet.faucet import faucet

    faucet(chain.profile, address, eth=eth, ait=ait)


def new_payer(chain: GatewayChain, ait: int = 100 * ONE) -> LocalAccount:
    """A fresh account holding AIT and no ETH: it can only pay gaslessly."""
    account: LocalAccount = Account.create()
    fund(chain, account.address, ait=ait)
    return account


def register_provider(chain: GatewayChain, *, name: str = "Test AI", models: tuple[ModelPrice, ...] = TEST_MODELS,
                      ) -> tuple[int, LocalAccount, LocalAccount]:
    """A provider of its own on the shared devnet (so a test may change its prices): id, owner and payTo."""
    from provider.register import register

    owner: LocalAccount = Account.create()
    pay_to: LocalAccount = Account.create()
    fund(chain, owner.address, eth=ONE)
    fund(chain, pay_to.address, eth=ONE)  # a metered settlement is sent by the payee itself
    result = register(chain, owner, name=name, endpoint="http://127.0.0.1:9", pay_to=pay_to.address,
                      models=list(models))
    return result.provider_id, owner, pay_to


def transfers(chain: GatewayChain, tx_hash: str) -> list[tuple[str, str, int]]:
    """The AIT Transfer events of a transaction: (from, to, value), addresses in lower case."""
    receipt = chain.client.wait_for_receipt(tx_hash, "read a settlement")
    topic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
    out = []
    for log in receipt.logs:
        topics = ["0x" + bytes(t).hex() for t in log["topics"]]
        if str(log["address"]).lower() == chain.token_address.lower() and topics[0] == topic:
            out.append(("0x" + topics[1][-40:], "0x" + topics[2][-40:], int(bytes(log["data"]).hex(), 16)))
    return out


class BarePayer:
    """A plain x402 SDK client — ``x402ClientSync`` with ``ExactEvmClientScheme`` — that knows nothing of this
    project: no guard, no quote. Its spend controls allow AIT up to ``cap`` base units (an unknown asset is
    refused by default)."""

    def __init__(self, account: LocalAccount, network: str, token: str, cap: int = 10 * ONE) -> None:
        from x402 import x402ClientSync
        from x402.http import x402HTTPClientSync
        from x402.mechanisms.evm.exact import ExactEvmClientScheme

        self.account = account
        self.client = x402ClientSync()
        self.client.register(network, ExactEvmClientScheme(account))
        self.client.set_spend_controls({"allowed_assets": [
            {"network": network, "asset": token, "max_amount_per_payment": str(cap)}]})
        self.http = x402HTTPClientSync(self.client)

    def demand(self, url: str, body: dict[str, Any]) -> tuple[httpx.Response, PaymentRequired]:
        r = httpx.post(url + CHAT, json=body, timeout=30)
        assert r.status_code == 402, r.text
        return r, self.http.get_payment_required_response(r.headers.get, None)

    def sign(self, url: str, body: dict[str, Any]) -> dict[str, str]:
        """The PAYMENT-SIGNATURE header for ``body``, signed against the gateway's 402."""
        _, required = self.demand(url, body)
        return self.http.encode_payment_signature_header(self.client.create_payment_payload(required))

    def pay(self, url: str, body: dict[str, Any], timeout: float = 60) -> httpx.Response:
        return httpx.post(url + CHAT, json=body, headers=self.sign(url, body), timeout=timeout)

    def settlement(self, response: httpx.Response) -> Any:
        return self.http.get_payment_settle_response(response.headers.get)


@dataclass
class PrivateChain:
    """A chain of a test module's own (for tests that write to the registry), known to ``data_dir``'s
    networks.json as ``network``."""

    chain: GatewayChain
    data_dir: Any  # DataDir
    network: str = "testchain"


@contextmanager
def private_chain_in(data_dir: Any) -> Iterator[PrivateChain]:
    """A fresh anvil with the contracts and the demo providers deployed (no services)."""
    from dataclasses import replace

    from provider.network import GatewayChain
    from wallet.chain.client import ChainClient
    from wallet.devnet.anvil import free_port, start_anvil
    from wallet.devnet.deploy import deploy_all
    from wallet.networks import BUILTIN_PROFILES, save_custom_profile

    node = start_anvil(free_port())
    try:
        profile = replace(BUILTIN_PROFILES["devnet"], rpc_url=node.rpc_url)
        profile = profile.with_contracts(deploy_all(ChainClient(profile)))
        save_custom_profile(data_dir, replace(profile, name="testchain", is_devnet=False))
        yield PrivateChain(GatewayChain.connect(profile), data_dir)
    finally:
        node.stop()


@dataclass
class RunningGateway:
    gateway: Gateway
    server: ServerThread
    provider_id: int
    extra: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def app(self) -> Any:
        return self.gateway.app


def demo_payees() -> list[LocalAccount]:
    """The payTo keys of the devnet's demo providers (anvil development accounts, holding ETH)."""
    from wallet.devnet.demo import DEMO_PROVIDERS

    return [Account.from_key(d.pay_to_key) for d in DEMO_PROVIDERS]


@contextmanager
def facilitator_server(chain: GatewayChain, payees: list[LocalAccount] | tuple[LocalAccount, ...] = (),
                       ) -> Iterator[ServerThread]:
    """A real facilitator HTTP service with a fresh key, funded with ETH for gas, holding the settlement keys of
    ``payees`` (for metered payments to them)."""
    from provider.keys import PayeeKeys
    from provider.serve import ServerThread, build_facilitator

    key: LocalAccount = Account.create()
    fund(chain, key.address, eth=10 * ONE)
    server = ServerThread(build_facilitator(chain, key, PayeeKeys(payees)), name="facilitator").start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def gateway_server(chain: GatewayChain, provider_id: int, facilitator_url: str | None, *,
                   misbehaviour: Misbehaviour | None = None, backend: Any = None,
                   poll_seconds: float = 0.1) -> Iterator[RunningGateway]:
    """A real gateway HTTP server for ``provider_id`` (demo backend unless ``backend``)."""
    from provider.demo_backend import DemoBackend
    from provider.serve import ServerThread, build_gateway

    gateway = build_gateway(chain, provider_id, backend or DemoBackend(), facilitator_url,
                            misbehaviour=misbehaviour, poll_seconds=poll_seconds)
    server = ServerThread(gateway.app, name=f"gateway-{provider_id}").start()
    try:
        yield RunningGateway(gateway, server, provider_id)
    finally:
        server.stop()
        gateway.sheet.stop()


@dataclass
class Upstream:
    """A plain OpenAI-compatible chat server on loopback (no payment), standing in for a model API.

    It answers with ``words`` words (so a test can make it run over the budget it was given), reports
    ``usage`` as an upstream would, requires ``Bearer <api_key>``, and keeps every request it received."""

    api_key: str = "sk-test-upstream"
    words: int = 20
    status: int = 200
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Any:
        from fastapi import FastAPI
        from fastapi.responses import JSONResponse

        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def complete(request: Request) -> JSONResponse:
            body = await request.json()
            self.received.append(body)
            self.headers.append(dict(request.headers))
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return JSONResponse({"error": {"message": "Incorrect API key provided."}}, status_code=401)
            if self.status != 200:
                return JSONResponse({"error": {"message": "The upstream is overloaded."}}, status_code=self.status)
            content = " ".join(["token"] * self.words)
            usage = {"prompt_tokens": 11, "completion_tokens": self.words, "total_tokens": 11 + self.words,
                     "prompt_tokens_details": {"cached_tokens": 0}}
            return JSONResponse({"id": "chatcmpl-upstream", "object": "chat.completion", "created": 1,
                                 "model": body["model"], "usage": usage,
                                 "choices": [{"index": 0, "finish_reason": "stop",
                                              "message": {"role": "assistant", "content": content}}]})

        return app


def processes_mentioning(path: str | Path) -> dict[int, list[bytes]]:
    """Live processes (no zombies) with ``path`` in their command line: what a devnet left running."""
    from wallet.devnet.processes import pid_alive

    marker = str(path).encode()
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(marker in a for a in argv) and pid_alive(int(proc.name)):
            found[int(proc.name)] = argv
    return found
