"""One signed authorization sent many times at once: the gateway runs its model once and answers once.

Verification alone cannot stop this: until the first settlement is mined, every copy verifies. Without a claim
on the authorization, each copy would run the upstream model (which the provider pays for) and only the
settlement would fail — one payment buying many model runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from gatewaykit import CHAT, BarePayer, RunningGateway, Upstream, chat_body

from provider.backends import OpenAIProxy, UpstreamConfig
from provider.serve import ServerThread
from wallet.chain.contracts import AIToken

pytestmark = pytest.mark.chain
COPIES = 8


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
def proxied(start_gateway, upstream: Upstream) -> Iterator[RunningGateway]:
    server = ServerThread(upstream.app(), name="upstream").start()
    try:
        yield start_gateway(1, backend=OpenAIProxy(UpstreamConfig(server.url + "/v1", upstream.api_key)))
    finally:
        server.stop()


def test_concurrent_copies_of_one_payment_run_the_model_once(proxied: RunningGateway, upstream: Upstream,
                                                           bare_payer: BarePayer, gateway_chain) -> None:
    body = chat_body("gpt-4o-mini", 40)
    header = bare_payer.sign(proxied.url, body)
    token = AIToken(gateway_chain.client, gateway_chain.token_address)
    before = token.balance_of(bare_payer.account.address)

    def send(_: int) -> httpx.Response:
        return httpx.post(proxied.url + CHAT, json=body, headers=header, timeout=60)

    with ThreadPoolExecutor(COPIES) as pool:
        answers = list(pool.map(send, range(COPIES)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [402] * (COPIES - 1), [a.text[:200] for a in answers]
    assert len(upstream.received) == 1
    _, demand = bare_payer.demand(proxied.url, body)
    assert before - token.balance_of(bare_payer.account.address) == int(demand.accepts[0].amount)
    refused = [a.json()["error"]["code"] for a in answers if a.status_code == 402]
    assert set(refused) == {"payment_in_use"}


def test_a_copy_sent_after_the_answer_is_refused_without_running_the_model(proxied: RunningGateway,
                                                                         upstream: Upstream,
                                                                         bare_payer: BarePayer) -> None:
    body = chat_body("gpt-4o-mini", 40)
    header = bare_payer.sign(proxied.url, body)
    first = httpx.post(proxied.url + CHAT, json=body, headers=header, timeout=60)
    assert first.status_code == 200, first.text
    again = httpx.post(proxied.url + CHAT, json=body, headers=header, timeout=60)
    assert again.status_code == 402
    assert len(upstream.received) == 1
