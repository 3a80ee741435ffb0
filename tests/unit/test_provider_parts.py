"""The gateway's parts on their own: the demo backend's answers (varying, labelled, never over budget), cutting
an upstream answer to its budget, price sheets, operator keys, and the facilitator's settlement policy."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from provider.backends import cut_to_tokens
from provider.chat import PricedRequest, parse_chat_request, price_request
from provider.demo_backend import LABEL, DemoBackend
from provider.facilitator import same_requirements
from provider.keys import PayeeKeys, parse_key, take_env_key, take_env_keys
from provider.misbehaviour import Misbehaviour
from provider.register import parse_price_sheet
from wallet.errors import ConfigError
from wallet.metering import count_tokens
from wallet.registry import ModelPrice, ProviderInfo

MODELS = (ModelPrice("gpt-4o-mini", "o200k_base", 150, 600, 128_000, 16_384),
          ModelPrice("gpt-4", "cl100k_base", 3000, 6000, 8_192, 4_096))
PROVIDER = ProviderInfo(1, "0x" + "1" * 40, "Demo AI", "http://127.0.0.1:8402", "0x" + "2" * 40, True, True, MODELS)


def priced(model: str, prompt: str, max_tokens: int) -> PricedRequest:
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens}
    return price_request(parse_chat_request(body), PROVIDER)


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-4"])
@pytest.mark.parametrize("budget", [1, 2, 7, 40, 300, 4096])
def test_demo_answers_never_run_over_the_budget(model: str, budget: int) -> None:
    encoding = PROVIDER.model(model).encoding  # type: ignore[union-attr]
    for i in range(5):
        done = DemoBackend().answer(priced(model, f"Question {i}: how do 東京 tokens 🚀 count?", budget))
        tokens = count_tokens(done.content, encoding)
        assert tokens <= budget and done.body["usage"]["completion_tokens"] == tokens
        assert done.body["demo"] is True and "demo" in done.body["demo_note"]
        if budget >= 40:
            assert done.content.startswith(LABEL)


def test_demo_answers_vary_in_length_and_repeat_for_the_same_prompt() -> None:
    lengths = {count_tokens(DemoBackend().answer(priced("gpt-4o-mini", f"prompt {i}", 2000)).content, "o200k_base")
               for i in range(20)}
    assert len(lengths) >= 10 and min(lengths) < 300 < max(lengths) <= 2000
    first, again = (DemoBackend().answer(priced("gpt-4o-mini", "same", 500)) for _ in range(2))
    assert first.content == again.content


@pytest.mark.parametrize("text", ["plain words " * 50, "東京🚀" * 40, "👩‍👩‍👧‍👦" * 30, "a" * 1000])
@pytest.mark.parametrize("budget", [1, 3, 10, 64])
def test_cutting_to_a_budget_keeps_a_prefix_within_it(text: str, budget: int) -> None:
    cut = cut_to_tokens(text, "o200k_base", budget)
    assert text.startswith(cut) and count_tokens(cut, "o200k_base") <= budget
    assert cut_to_tokens(cut, "o200k_base", budget) == cut


def sheet(**changes: object) -> dict[str, object]:
    entry = {"model": "m", "encoding": "o200k_base", "input_price": "150", "output_price": 600,
             "context_window": 1000, "max_output": 100, **changes}
    return {"models": [entry]}


def test_a_price_sheet_reads_as_registry_entries() -> None:
    assert parse_price_sheet(sheet(), "s.json") == [ModelPrice("m", "o200k_base", 150, 600, 1000, 100)]


@pytest.mark.parametrize(("raw", "words"), [
    ({"models": []}, "non-empty"),
    (sheet(encoding="p50k_base"), "not one this wallet can meter by"),
    (sheet(input_price=0, output_price=0), "no price set"),
    (sheet(input_price=-1), "whole number"),
    (sheet(input_price=1.5), "whole number"),
    (sheet(input_price=True), "whole number"),
    (sheet(max_output=2000), "from 1 to 1,000"),
    (sheet(context_window=2**32), "context_window"),
    (sheet(model=""), "non-empty id"),
    ({"models": [sheet()["models"][0], sheet()["models"][0]]}, "twice"),  # type: ignore[index]
])
def test_a_bad_price_sheet_says_what_is_wrong(raw: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_price_sheet(raw, "s.json")
    assert words in e.value.user_message and "s.json" in e.value.user_message


def test_keys_are_parsed_without_ever_repeating_them(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "0x" + "ab" * 32
    assert parse_key(key + "\n", "key").address == Account.from_key(key).address
    assert parse_key(key[2:] + "\r\n", "key").address == Account.from_key(key).address
    for bad in (key[:-1], key + " ", key + "\n\n", "0x" + "zz" * 32, key + "\u2028"):
        with pytest.raises(ConfigError) as e:
            parse_key(bad, "the facilitator key")
        assert key[4:20] not in e.value.user_message and "64 hexadecimal" in e.value.user_message
    monkeypatch.setenv("AI_TEST_KEY", key)
    monkeypatch.setenv("AI_TEST_KEYS", f"{key}, {'0x' + 'cd' * 32}")
    assert take_env_key("AI_TEST_KEY", "key") is not None and take_env_key("AI_TEST_KEY", "key") is None
    payees = PayeeKeys(take_env_keys("AI_TEST_KEYS", "key"))
    assert len(payees) == 2 and "AI_TEST_KEYS" not in __import__("os").environ
    address = Account.from_key(key).address
    assert payees.for_pay_to(address.lower()) is not None and payees.for_pay_to("0x" + "0" * 40) is None
    assert key[2:] not in repr(payees)


def test_the_exact_policy_settles_only_the_very_requirements_verified() -> None:
    verified = {"scheme": "exact", "amount": "100", "payTo": "0xA", "extra": {"name": "AI Token", "version": "1"}}
    assert same_requirements(verified, dict(verified)) is None
    assert "amount" in (same_requirements(verified, {**verified, "amount": "101"}) or "")
    assert "extra" in (same_requirements(verified, {**verified, "extra": {"name": "AI Token"}}) or "")
    assert "maxTimeoutSeconds" in (same_requirements(verified, {**verified, "maxTimeoutSeconds": 1}) or "")


def test_the_network_misbehaviour_rewrites_only_the_announcement() -> None:
    import base64

    honest = base64.b64encode(json.dumps({"x402Version": 2, "accepts": [{"network": "eip155:31337",
                                                                        "amount": "5"}]}).encode()).decode()
    lied = json.loads(base64.b64decode(Misbehaviour(network="eip155:1").rewrite_payment_required(honest)))
    assert lied["accepts"] == [{"network": "eip155:1", "amount": "5"}]
    assert Misbehaviour().rewrite_payment_required(honest) == honest
