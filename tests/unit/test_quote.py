"""Quotes against an in-memory price sheet: one provider, comparisons, the live quote and the CLI."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from wallet.cli import quote_cmd
from wallet.cli.context import CliContext
from wallet.cli.main import add_global_options
from wallet.config import DataDir
from wallet.errors import InvalidInput, QuoteError
from wallet.metering import ChatMessage, count_chat_tokens
from wallet.quote import Comparison, LiveQuote, PromptInput, Quote, QuoteEngine
from wallet.registry import ModelPrice, ProviderInfo

AIT = 10**18
HELLO = PromptInput.text("Hello, world!")  # 11 input tokens under both encodings


def provider(pid: int, name: str, *models: ModelPrice, verified: bool = False, active: bool = True
             ) -> ProviderInfo:
    return ProviderInfo(pid, f"0x{pid:040x}", name, f"https://p{pid}.example/v1", f"0x{pid + 100:040x}",
                        verified, active, tuple(models))


def mp(model: str, input_price: int, output_price: int, *, encoding: str = "o200k_base",
       context_window: int = 128_000, max_output: int = 16_384) -> ModelPrice:
    return ModelPrice(model, encoding, input_price, output_price, context_window, max_output)


SHEET = [
    provider(1, "Acme", mp("gpt-4o", 2_500_000, 10_000_000),
             mp("gpt-4", 30_000_000, 60_000_000, encoding="cl100k_base", context_window=8192)),
    provider(2, "Beta", mp("gpt-4o", 2_000_000, 8_000_000), verified=True),
    provider(3, "Cheap but asleep", mp("gpt-4o", 1, 1), active=False),
    provider(4, "Free", mp("gpt-4o", 0, 0)),
    provider(5, "Zed", mp("gpt-4o", 2_000_000, 8_000_000)),
    provider(6, "Alpha", mp("gpt-4o", 2_000_000, 8_000_000)),
    provider(7, "Tiny", mp("small", 1_000_000, 1_000_000, context_window=20, max_output=8)),
]


def engine(sheet: list[ProviderInfo] = SHEET) -> QuoteEngine:
    return QuoteEngine(lambda: sheet)


def test_quote_one_provider() -> None:
    q = engine().quote(1, "gpt-4o", HELLO, 100, balance=10**6)
    assert isinstance(q, Quote)
    assert (q.provider_id, q.provider_name, q.model, q.encoding) == (1, "Acme", "gpt-4o", "o200k_base")
    assert (q.input_tokens, q.max_output_tokens) == (11, 100)
    assert q.input_cost == Decimal("27.5")            # 11 * 2,500,000 / 1,000,000
    assert q.output_cost == Decimal(1000)             # 100 * 10,000,000 / 1,000,000
    assert q.price_base_units == 1028                 # ceil(1027.5): rounded once, on the total
    assert q.price_ait == "0.000000000000001028"
    assert q.balance_after == 10**6 - 1028 and q.affordable
    j = q.to_json()
    assert {"provider", "model", "encoding", "input_tokens", "max_output_tokens", "price_base_units",
            "price_ait"} <= set(j)
    assert j["price_base_units"] == "1028" and j["input_cost_base_units"] == "27.5"


def test_quote_with_system_prompt_counts_both_messages() -> None:
    q = engine().quote(1, "gpt-4", PromptInput.text("Hello, world!", system="Be brief."), 10)
    msgs = [ChatMessage("system", "Be brief."), ChatMessage("user", "Hello, world!")]
    assert q.input_tokens == count_chat_tokens(msgs, "cl100k_base") == 18
    assert q.encoding == "cl100k_base"


def test_balance_short_is_reported_not_refused() -> None:
    q = engine().quote(2, "gpt-4o", HELLO, 100, balance=5)
    assert q.balance_after is not None and q.balance_after < 0 and q.affordable is False


@pytest.mark.parametrize(("pid", "model", "max_out", "message"), [
    (99, "gpt-4o", 10, "no provider 99"),
    (3, "gpt-4o", 10, "not active"),
    (1, "gpt-5", 10, r"does not offer the model 'gpt-5' \(it offers gpt-4o, gpt-4\)"),
    (4, "gpt-4o", 10, "no price set"),
    (1, "gpt-4o", 0, "at least 1"),
    (1, "gpt-4o", 16_385, "maximum output"),
    (7, "small", 8, "context window of 20"),     # 11 + 8 = 19 fits; see the next test for one over
])
def test_quote_refusals(pid: int, model: str, max_out: int, message: str) -> None:
    if pid == 7:
        assert engine().quote(7, "small", HELLO, 8).input_tokens == 11
        with pytest.raises(QuoteError, match=message):
            engine().quote(7, "small", PromptInput.text("Hello, world! Hello."), 8)
        return
    with pytest.raises(QuoteError, match=message):
        engine().quote(pid, model, HELLO, max_out)


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t"])
def test_empty_prompt_refused(prompt: str) -> None:
    with pytest.raises(QuoteError, match="empty"):
        PromptInput.text(prompt, system="You are helpful.")


def test_compare_orders_and_reports_refusals() -> None:
    result = engine().compare(HELLO, 100)
    assert isinstance(result, Comparison) and isinstance(result, list)
    order = [(q.provider_name, q.model) for q in result]
    # Beta (verified), Alpha, Zed charge the same: verified first, then by name. Then Acme, then gpt-4.
    assert order == [("Beta", "gpt-4o"), ("Alpha", "gpt-4o"), ("Zed", "gpt-4o"), ("Acme", "gpt-4o"),
                     ("Acme", "gpt-4")]
    assert [q.price_base_units for q in result] == sorted(q.price_base_units for q in result)
    refused = {(r.provider_name, r.model): r.reason for r in result.refusals}
    assert set(refused) == {("Free", "gpt-4o"), ("Tiny", "small")}   # inactive providers are not offered
    assert "no price set" in refused[("Free", "gpt-4o")]
    assert "maximum output of 8" in refused[("Tiny", "small")]


def test_compare_counts_once_per_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    import wallet.quote as quote_mod

    calls: list[str] = []
    real = quote_mod.count_chat_tokens

    def counting(messages, encoding, content_tokens=None):  # type: ignore[no-untyped-def]
        calls.append(encoding)
        return real(messages, encoding, content_tokens)

    monkeypatch.setattr(quote_mod, "count_chat_tokens", counting)
    engine().compare(HELLO, 100)
    assert sorted(calls) == ["cl100k_base", "o200k_base"]


def test_compare_with_balance_and_nobody_able() -> None:
    result = engine().compare(HELLO, 100_000, balance=10**9)
    assert list(result) == []
    assert len(result.refusals) == 7


def test_price_sheet_cached_until_invalidated() -> None:
    sheet = [provider(1, "Acme", mp("gpt-4o", 1_000_000, 1_000_000))]
    calls = []

    def source() -> list[ProviderInfo]:
        calls.append(1)
        return list(sheet)

    eng = QuoteEngine(source)
    assert eng.quote(1, "gpt-4o", HELLO, 10).price_base_units == 21
    sheet[0] = provider(1, "Acme", mp("gpt-4o", 2_000_000, 1_000_000))
    assert eng.quote(1, "gpt-4o", HELLO, 10).price_base_units == 21  # still the cached sheet
    eng.invalidate()
    assert eng.quote(1, "gpt-4o", HELLO, 10).price_base_units == 32
    assert len(calls) == 2


def test_messages_file(tmp_path: Path) -> None:
    f = tmp_path / "chat.json"
    f.write_text(json.dumps([{"role": "system", "content": "Be brief."},
                             {"role": "user", "content": "Hello, world!", "name": "alice"}]))
    q = engine().quote(2, "gpt-4o", PromptInput.from_messages_file(f), 10)
    assert q.input_tokens == 3 + 1 + 3 + 3 + 1 + 4 + 1 + 1 + 3
    bad = tmp_path / "bad.json"
    bad.write_text('[{"role": "user", "content": "x"},')
    with pytest.raises(InvalidInput, match="not valid JSON"):
        PromptInput.from_messages_file(bad)
    bad.write_text('[{"role": "user", "content": 5}]')
    with pytest.raises(QuoteError, match=r"bad\.json: Message 1 needs its content"):
        PromptInput.from_messages_file(bad)
    with pytest.raises(InvalidInput, match=r"missing\.json does not exist"):
        PromptInput.from_messages_file(tmp_path / "missing.json")


def test_prompt_file(tmp_path: Path) -> None:
    f = tmp_path / "task.txt"
    f.write_text("Hello, world!", encoding="utf-8")
    assert PromptInput.from_file(f) == HELLO
    f.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        PromptInput.from_file(f)
    f.write_text("")
    with pytest.raises(QuoteError, match="empty"):
        PromptInput.from_file(f)


def test_live_quote_follows_typing_and_target_changes() -> None:
    eng = engine()
    live = LiveQuote(eng, 1, "gpt-4o", 100, balance=10**6)
    err = live.update(None, "")
    assert isinstance(err, QuoteError) and "empty" in err.user_message
    text = ""
    for ch in "Hello, world! This is typed one key at a time.\nSecond line.":
        text += ch
        q = live.update("Be brief.", text)
        assert isinstance(q, Quote)
        assert q == eng.quote(1, "gpt-4o", PromptInput.text(text, "Be brief."), 100, balance=10**6)
    live.set_target(model="gpt-4")   # other encoding: its own counters
    q = live.update("Be brief.", text)
    assert isinstance(q, Quote) and q.encoding == "cl100k_base"
    assert q == eng.quote(1, "gpt-4", PromptInput.text(text, "Be brief."), 100, balance=10**6)
    live.set_target(provider_id=7, model="small", max_output=8)
    err = live.update(None, text)
    assert isinstance(err, QuoteError) and "context window" in err.user_message


# --- CLI ---------------------------------------------------------------------------------------------------

class FakeService:
    """The service's quote side over a fixed registry sheet, so the CLI's output is what is tested here."""

    def __init__(self, sheet: list[ProviderInfo]) -> None:
        self.sheet = sheet
        self.engine = QuoteEngine(self.list_providers)
        self.quote = self.engine.quote
        self.compare = self.engine.compare

    def list_providers(self, *, include_inactive: bool = False) -> list[ProviderInfo]:
        return [p for p in self.sheet if include_inactive or p.active]

    def ait_balance(self, address: str) -> int:
        return 2000

    def expected_charge(self, quote: Quote) -> Any:  # a wallet with no payments yet
        from wallet.payments.expected import expected_charge

        return expected_charge(quote, [])

    def close(self) -> None:
        pass


def run_cli(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    add_global_options(parser)
    quote_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    ctx = CliContext(DataDir(tmp_path), "devnet", _service=FakeService(SHEET))  # type: ignore[arg-type]
    rc = args.func(args, ctx)
    return rc, capsys.readouterr().out


def test_cli_providers_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = run_cli(["providers", "--json"], tmp_path, capsys)
    data = json.loads(out)
    assert rc == 0 and [p["id"] for p in data] == [1, 2, 4, 5, 6, 7]
    assert {"id", "name", "endpoint", "pay_to", "verified", "active", "models"} <= set(data[0])
    assert all(p["active"] is True for p in data)  # without --all, only active providers are listed
    rc, out = run_cli(["providers", "--all", "--json"], tmp_path, capsys)
    assert {p["id"]: p["active"] for p in json.loads(out)}[3] is False
    assert data[0]["models"][0] == {"model": "gpt-4o", "encoding": "o200k_base", "input_price": "2500000",
                                    "output_price": "10000000", "context_window": 128000, "max_output": 16384}


def test_cli_providers_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = run_cli(["providers", "--all"], tmp_path, capsys)
    assert rc == 0
    assert "Beta ✓" in out and "Cheap but asleep (inactive)" in out and "cl100k_base" in out


def test_cli_quote_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["quote", "--provider", "1", "--model", "gpt-4o", "--max-output", "100",
            "--prompt", "Hello, world!", "--json", "--address", "0x" + "11" * 20]
    rc, out = run_cli(argv, tmp_path, capsys)
    j = json.loads(out)
    assert rc == 0
    assert (j["provider"], j["model"], j["encoding"], j["input_tokens"], j["max_output_tokens"]) == \
        (1, "gpt-4o", "o200k_base", 11, 100)
    assert j["price_base_units"] == "1028" and j["price_ait"] == "0.000000000000001028"
    assert j["balance_after"] == "972"


def test_cli_quote_text_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "p.txt"
    f.write_text("Hello, world!")
    rc, out = run_cli(["quote", "--provider", "2", "--model", "gpt-4o", "--max-output", "100",
                       "--file", str(f), "--system", "Be brief."], tmp_path, capsys)
    assert rc == 0 and "Beta" in out and "input" in out and "AIT" in out
    assert "price (maximum)" in out and "expected, metered" in out and "50 output tokens" in out
    m = tmp_path / "m.json"
    m.write_text(json.dumps([{"role": "user", "content": "Hello, world!"}]))
    rc, out = run_cli(["quote", "--provider", "2", "--model", "gpt-4o", "--max-output", "100",
                       "--messages-file", str(m), "--json"], tmp_path, capsys)
    assert json.loads(out)["input_tokens"] == 11
    expected = json.loads(out)["expected"]
    assert (expected["max_base_units"], expected["fill_percent"]) == (json.loads(out)["price_base_units"], 50)
    assert not (tmp_path / "wallet.sqlite3").exists()  # a quote writes nothing


def test_cli_compare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = run_cli(["quote", "--compare", "--max-output", "100", "--prompt", "Hello, world!", "--json"],
                      tmp_path, capsys)
    j = json.loads(out)
    assert rc == 0 and [q["provider_name"] for q in j["quotes"]][:3] == ["Beta", "Alpha", "Zed"]
    assert {r["provider_name"] for r in j["refused"]} == {"Free", "Tiny"}
    argv = ["quote", "--compare", "--max-output", "100", "--prompt", "Hello, world!"]
    rc, out = run_cli(argv, tmp_path, capsys)
    assert rc == 0 and "PRICE AIT" in out and "Cannot take it:" in out and "no price set" in out


def test_cli_argument_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InvalidInput, match="--provider and --model"):
        run_cli(["quote", "--max-output", "10", "--prompt", "x"], tmp_path, capsys)
    with pytest.raises(InvalidInput, match="leave out --provider"):
        run_cli(["quote", "--compare", "--provider", "1", "--max-output", "10", "--prompt", "x"], tmp_path,
                capsys)
    with pytest.raises(InvalidInput, match="--system goes with"):
        run_cli(["quote", "--compare", "--max-output", "10", "--messages-file", "x.json", "--system", "s"],
                tmp_path, capsys)
