"""Hostile requests get a 4xx with a reason and leave the gateway answering: bodies nested far too deep (which
used to crash the process), too large, not JSON, absurd output budgets, unknown models, fields the gateway cannot
meter. Nothing hostile ever gets as far as a payment demand."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from gatewaykit import CHAT, chat_body

from provider.network import GatewayChain

pytestmark = pytest.mark.chain
DEEP = b'{"model": "gpt-4o-mini", "messages": ' + b"[" * 100_000 + b"]" * 100_000 + b', "max_tokens": 5}'


def still_answers(url: str) -> None:
    assert httpx.get(url + "/health", timeout=10).json()["status"] == "ok"
    assert httpx.post(url + "/v1/quote", json=chat_body(), timeout=10).status_code == 200


@pytest.mark.parametrize("route", ["/v1/quote", CHAT])
def test_deep_json_is_refused_by_the_devnet_gateway_process(gateway_chain: GatewayChain, route: str) -> None:
    url = gateway_chain.registry().get_provider(1).endpoint  # `ai-provider serve`, a child of `devnet up`
    r = httpx.post(url + route, content=DEEP, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 400 and "nested more than" in r.json()["error"]["message"]
    still_answers(url)


def _chunks(size: int) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        yield b"x" * 65536
        sent += 65536


@pytest.mark.parametrize(("content", "status", "words"), [
    (DEEP, 400, "nested more than"),
    (b"[" * 10 + b"]" * 10, 400, "JSON object"),
    (b"\xff\xfe not utf-8", 400, "not UTF-8"),
    (b"{not json", 400, "not valid JSON"),
    (b'{"model": "gpt-4o-mini", "messages": [], "max_tokens": NaN}', 400, "NaN"),
    (b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1e400}', 400,
     "out of range"),
    (b"x" * (9 * 1024 * 1024), 413, "larger than"),
])
def test_bad_bodies_are_refused(start_gateway, content: bytes, status: int, words: str) -> None:
    gw = start_gateway(1)
    for route in ("/v1/quote", CHAT):
        r = httpx.post(gw.url + route, content=content, headers={"content-type": "application/json"}, timeout=30)
        assert r.status_code == status, r.text
        assert words in r.json()["error"]["message"] and "PAYMENT-REQUIRED" not in r.headers
    still_answers(gw.url)


def test_a_huge_body_without_a_length_is_cut_off(start_gateway) -> None:
    gw = start_gateway(1)
    r = httpx.post(gw.url + CHAT, content=_chunks(64 * 1024 * 1024), timeout=60)  # chunked: no Content-Length
    assert r.status_code == 413
    still_answers(gw.url)


@pytest.mark.parametrize(("max_tokens", "words"), [
    (True, "whole number"),
    (10.0, "whole number"),
    ("100", "whole number"),
    (None, "whole number"),
    (-5, "at least 1"),
    (0, "at least 1"),
    (10**30, "maximum output"),
    (16_385, "maximum output"),
])
def test_absurd_output_budgets_get_a_reason(start_gateway, max_tokens: object, words: str) -> None:
    gw = start_gateway(1)
    for route in ("/v1/quote", CHAT):
        r = httpx.post(gw.url + route, json=chat_body(max_tokens=max_tokens), timeout=30)  # type: ignore[arg-type]
        assert r.status_code == 400 and words in r.json()["error"]["message"], r.text
        assert r.json()["error"]["code"] in ("invalid_max_tokens", "invalid_request")
    still_answers(gw.url)


@pytest.mark.parametrize(("body", "status", "words"), [
    (chat_body("no-such-model"), 404, "does not offer"),
    ({k: v for k, v in chat_body().items() if k != "max_tokens"}, 400, "max_tokens is required"),
    (chat_body(stream=True), 400, "Streaming"),
    (chat_body(n=3), 400, "n must be 1"),
    (chat_body(tools=[{"type": "function"}]), 400, "'tools'"),
    (chat_body(max_completion_tokens=7), 400, "differ"),
    (chat_body(temperature="hot"), 400, "temperature"),
    ({**chat_body(), "messages": [{"role": "user", "content": "hi", "extra": 1}]}, 400, "only role, content"),
    ({**chat_body(), "model": "x" * 500}, 400, "model"),
])
def test_requests_the_gateway_cannot_price_are_refused(start_gateway, body: dict, status: int, words: str) -> None:
    gw = start_gateway(1)
    r = httpx.post(gw.url + CHAT, json=body, timeout=30)
    assert r.status_code == status and words in r.json()["error"]["message"], r.text
    assert "PAYMENT-REQUIRED" not in r.headers


def test_an_oversized_payment_header_is_refused(start_gateway) -> None:
    gw = start_gateway(1)
    r = httpx.post(gw.url + CHAT, json=chat_body(), headers={"PAYMENT-SIGNATURE": "A" * 15_000}, timeout=30)
    assert r.status_code == 402  # not a payment it can read: the demand again, nothing run
    assert "choices" not in r.text
    r = httpx.post(gw.url + CHAT, json=chat_body(), headers={"PAYMENT-SIGNATURE": "A" * 20_000}, timeout=30)
    assert r.status_code in (400, 431)
    still_answers(gw.url)
