"""Run a task, quote part, against the real devnet registry: the panel's numbers are the engine's and the
CLI's, refusals are red with their reason, the budget follows the model, compare ranks like the engine, and
the live count stays exact after a one-character edit in a ~100k-token prompt."""

from __future__ import annotations

import json
import math
import random
import secrets
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shots import WINDOW_SIZE, save_shot
from taskkit import choose, wait_quote

from ui.controller import AppController
from ui.formatting import amount_full, amount_short, amount_short_price
from ui.pages.providers import UNREACHABLE, UNREADABLE
from ui.pages.run_task import RunTaskPage
from ui.theme import DANGER, DANGER_DARK, SUCCESS_DARK, apply_theme, colour
from ui.widgets.model_picker import count_text
from wallet.addresses import parse_address
from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetStatus
from wallet.errors import QuoteError
from wallet.metering import count_chat_tokens
from wallet.networks import NetworkProfile, save_custom_profile
from wallet.quote import PromptInput
from wallet.service import WalletService
from wallet.tokenizers import get_encoding
from wallet.units import ONE

pytestmark = [pytest.mark.gui, pytest.mark.chain]
PROMPT = "Summarise the attached quarterly report in three bullet points, then list open risks."
WORDS = [
    "the", "provider", "meters", "every", "token", "of", "the", "prompt", "before", "it", "answers", "while",
    "wallet", "prices", "each", "request", "exactly", "settlement", "happens", "on", "chain", "context",
    "window", "output", "budget", "registry", "quote", "authorization", "nonce", "receipt", "über", "café",
    "naïve", "résumé",
]


def prose(target_tokens: int, seed: int = 3, encoding: str = "o200k_base") -> str:
    """Deterministic paragraphs of at least ``target_tokens`` tokens under ``encoding``."""
    enc = get_encoding(encoding)
    rnd = random.Random(seed)
    parts, tokens = [], 0
    while tokens < target_tokens:
        para = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(30, 90))).capitalize() + ".\n\n"
        parts.append(para)
        tokens += len(enc.encode_ordinary(para))
    return "".join(parts)


@pytest.fixture
def service(devnet_service: WalletService) -> WalletService:
    return devnet_service


@pytest.fixture
def page(task_page: RunTaskPage) -> RunTaskPage:
    return task_page


def has_colour(widget, hex_colour: str) -> bool:
    """Whether the rendered widget has pixels of (about) this colour: red really is on screen."""
    want = QColor(hex_colour)
    img = widget.grab().toImage()
    for y in range(0, img.height(), 2):
        for x in range(img.width()):
            c = img.pixelColor(x, y)
            if abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) < 60:
                return True
    return False


def cli_quote(data_dir: DataDir, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "wallet.cli.main", "--data-dir", str(data_dir.root), "quote",
                           *args, "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_typed_prompt_is_priced_like_the_engine_and_the_cli(page: RunTaskPage, service: WalletService,
                                                            devnet: tuple[DataDir, DevnetStatus],
                                                            qtbot: QtBot) -> None:
    choose(page, 1, "gpt-4o-mini")
    assert page.picker.prices.text() == "0.15 AIT / 1M input tokens · 0.60 AIT / 1M output tokens"
    assert page.picker.limits.text().startswith("128,000-token context window · up to 16,384 output tokens")
    assert page.picker.badge.text() == "✓ verified"
    assert page.panel.state == "empty" and page.panel.status.text() == "Type a prompt to see its price."
    assert page.panel.output_budget() == 1024

    qtbot.keyClicks(page.prompt, PROMPT)
    expected = service.quote(1, "gpt-4o-mini", PromptInput.text(PROMPT), 1024)
    wait_quote(qtbot, page, expected=expected)
    # Independently of the engine: ceil((n × 0.15 AIT + 1024 × 0.60 AIT) / 1M) in base units.
    by_hand = -(-(expected.input_tokens * 15 * ONE // 100 + 1024 * 60 * ONE // 100) // 1_000_000)
    assert expected.price_base_units == by_hand
    assert page.panel.input_tokens.text() == count_text(expected.input_tokens)
    assert page.panel.price.text() == amount_short_price(expected.price_base_units)
    assert page.panel.price.toolTip().startswith(amount_full(expected.price_base_units))
    assert page.panel.input_cost.text() == amount_short_price(math.ceil(expected.input_cost))
    assert page.panel.output_cost.text() == amount_short_price(math.ceil(expected.output_cost)) == "0.0006144 AIT"
    assert page.panel.balance.text() == page.panel.balance_after.text() == "—"  # no wallet in this data dir

    cli = cli_quote(devnet[0], "--provider", "1", "--model", "gpt-4o-mini", "--max-output", "1024",
                    "--prompt", PROMPT)
    assert cli["input_tokens"] == expected.input_tokens
    assert int(cli["price_base_units"]) == expected.price_base_units
    assert page.panel.price.text() == amount_short_price(int(cli["price_base_units"]))
    save_shot(page, "run-task")


def test_empty_prompt_is_neutral_not_red(page: RunTaskPage, qtbot: QtBot) -> None:
    qtbot.keyClicks(page.prompt, "hi")
    wait_quote(qtbot, page)
    page.prompt.selectAll()
    qtbot.keyClick(page.prompt, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.panel.state == "empty")
    assert page.panel.status.text() == "Type a prompt to see its price."
    assert page.panel.price.text() == "—"
    assert not page.panel.compare_button.isEnabled()
    assert not has_colour(page.panel.status, colour("danger"))


def test_waits_for_the_tokenizer_off_the_gui_thread(page: RunTaskPage, service: WalletService, qtbot: QtBot,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Until the encoding is in memory the panel says so (no quote on the GUI thread); it quotes when the
    warm-up finishes. Only the model's own encoding is asked for. The warm-up is held back here, as the
    encodings are already loaded in this process."""
    loaded = False
    warm_up: Future[None] = Future()
    asked: list[object] = []
    monkeypatch.setattr("wallet.tokenizers.is_loaded", lambda name: loaded)
    monkeypatch.setattr(service, "warm_up_tokenizers", lambda encodings=None: asked.append(encodings) or warm_up)
    qtbot.keyClicks(page.prompt, PROMPT)
    qtbot.waitUntil(lambda: page.panel.state == "loading")
    assert page.panel.status.text() == "Loading tokenizer…" and page.panel.input_tokens.text() == "—"
    assert asked == [[page.picker.model().encoding]]
    loaded = True
    warm_up.set_result(None)
    expected = service.quote(1, page.picker.model().model, PromptInput.text(PROMPT), 1024)
    wait_quote(qtbot, page, expected=expected)


def test_over_long_prompt_is_refused_in_red(page: RunTaskPage, service: WalletService, qtbot: QtBot) -> None:
    choose(page, 1, "gpt-3.5-turbo")
    text = prose(20_000, encoding="cl100k_base")
    page.prompt.insertPlainText(text)  # a paste
    wait_quote(qtbot, page, "refused")
    tokens = count_chat_tokens(PromptInput.text(text).messages, "cl100k_base")
    assert tokens > 16_385
    with pytest.raises(QuoteError) as refused:
        service.quote(1, "gpt-3.5-turbo", PromptInput.text(text), 1024)
    assert page.panel.status.text() == refused.value.user_message
    assert "context window of 16,385 tokens" in page.panel.status.text()
    assert page.panel.input_tokens.text() == count_text(tokens)
    assert page.panel.price.text() == "—"
    assert has_colour(page.panel.status, colour("danger"))
    save_shot(page, "run-task-refused")

    choose(page, 1, "gpt-4o-mini")  # the same prompt fits a 128k window
    expected = service.quote(1, "gpt-4o-mini", PromptInput.text(text), 1024)
    wait_quote(qtbot, page, expected=expected)
    assert page.panel.price.text() == amount_short_price(expected.price_base_units)
    assert not has_colour(page.panel.status, colour("danger"))


def test_output_budget_follows_the_model(page: RunTaskPage, service: WalletService, qtbot: QtBot) -> None:
    choose(page, 1, "gpt-4o-mini")
    page.panel.budget.setValue(99_999)
    assert page.panel.output_budget() == 16_384  # clamped to the model's maximum
    text = prose(13_000, encoding="cl100k_base")
    page.prompt.setPlainText(text)
    wait_quote(qtbot, page)
    assert page.live is not None and page.live.max_output == 16_384

    choose(page, 1, "gpt-3.5-turbo")  # max output 4,096: the budget is clamped, not refused
    assert page.panel.output_budget() == 4096
    assert page.panel.budget_max.text() == "at most 4,096 for gpt-3.5-turbo"
    # ~13k prompt tokens + 4,096 is over the 16,385 window: refused, saying the budget is part of it.
    wait_quote(qtbot, page, "refused")
    assert "plus the output budget (4,096)" in page.panel.status.text()

    page.panel.budget.setValue(1000)
    expected = service.quote(1, "gpt-3.5-turbo", PromptInput.text(text), 1000)
    wait_quote(qtbot, page, expected=expected)
    assert page.panel.price.text() == amount_short_price(expected.price_base_units)
    assert page.panel.output_cost.text() == amount_short_price(math.ceil(expected.output_cost))


def test_compare_lists_providers_cheapest_first(page: RunTaskPage, service: WalletService, qtbot: QtBot) -> None:
    text = prose(9_000)  # too long for Budget AI's gpt-4 (8,192-token window)
    page.prompt.setPlainText(text)
    wait_quote(qtbot, page)
    qtbot.mouseClick(page.panel.compare_button, Qt.MouseButton.LeftButton)
    dialog = page.compare_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.comparison is not None, timeout=20_000)

    expected = service.compare(PromptInput.text(text), 1024)
    rows = dialog.rows()
    assert [(r[0], r[1]) for r in rows] == [(q.provider_name, q.model) for q in expected]
    # Each price is the short price (rounded up), written with the column's one number of decimals.
    decimals = {len(r[4].removesuffix(" AIT").partition(".")[2]) for r in rows}
    assert len(decimals) == 1
    for r, q in zip(rows, expected, strict=True):
        short = amount_short_price(q.price_base_units).removesuffix(" AIT")
        assert r[4].removesuffix(" AIT").startswith(short) and set(r[4].removesuffix(" AIT")[len(short):]) <= {"0"}
    assert [r[3] for r in rows] == [count_text(q.input_tokens) for q in expected]
    # No column is squeezed against its neighbour.
    head, metrics = dialog.table.horizontalHeader(), dialog.table.fontMetrics()
    for c in range(dialog.table.columnCount()):
        texts = [*(r[c] for r in rows), dialog.table.horizontalHeaderItem(c).text()]
        widest = max(metrics.horizontalAdvance(t) for t in texts)
        assert head.sectionSize(c) >= widest + 20, dialog.table.horizontalHeaderItem(c).text()
    assert dialog.table.horizontalScrollBar().maximum() == 0
    prices = [q.price_base_units for q in expected]
    assert prices == sorted(prices) and len(rows) == 4
    assert {(r.provider_name, r.model) for r in expected.refusals} == {("Budget AI", "gpt-4")}
    assert "Budget AI · gpt-4" in dialog.refusals.text() and "8,192" in dialog.refusals.text()
    save_shot(dialog, "compare")

    cheapest = expected[0]
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert (page.picker.provider().id, page.picker.model().model) == (cheapest.provider_id, cheapest.model)
    wait_quote(qtbot, page, expected=cheapest)
    assert page.panel.price.text() == amount_short_price(cheapest.price_base_units)


def test_balance_after_and_balance_too_low(page: RunTaskPage, service: WalletService, qtbot: QtBot,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    address = parse_address("0x" + secrets.token_hex(20))
    service.devnet_faucet(address, 0, 1000)  # 1,000 base units: far below any price here
    monkeypatch.setattr(service, "current_account", lambda: address)
    page.on_shown()
    qtbot.waitUntil(lambda: page.balance == 1000, timeout=20_000)
    assert page.panel.balance.text() == amount_short(1000)

    choose(page, 1, "gpt-4o-mini")
    qtbot.keyClicks(page.prompt, PROMPT)
    expected = service.quote(1, "gpt-4o-mini", PromptInput.text(PROMPT), 1024, 1000)
    wait_quote(qtbot, page, "refused", expected)
    assert expected.balance_after is not None and expected.balance_after < 0
    assert "does not cover this price" in page.panel.status.text()
    assert page.panel.price.text() == amount_short_price(expected.price_base_units)
    assert page.panel.balance_after.text() == "not enough AIT"
    assert has_colour(page.panel.status, colour("danger"))
    save_shot(page, "run-task-balance-low")

    service.devnet_faucet(address, 0, 5 * ONE)
    service.publish_balances(address)  # what the chain watcher does: balances_changed for this account
    qtbot.waitUntil(lambda: page.balance == 5 * ONE + 1000, timeout=20_000)
    wait_quote(qtbot, page, expected=expected)
    after = 5 * ONE + 1000 - expected.price_base_units
    assert page.panel.balance_after.text() == amount_short(after)
    assert page.panel.balance_after.toolTip() == amount_full(after)
    assert page.panel.status.text() == "The most it costs. Your balance covers it."


def test_one_character_edit_in_a_100k_token_prompt(page: RunTaskPage, service: WalletService,
                                                   qtbot: QtBot) -> None:
    choose(page, 1, "gpt-4.1")
    text = prose(100_000)
    page.prompt.setPlainText(text)
    wait_quote(qtbot, page)
    assert page.live is not None
    counter = page.live.counter("o200k_base", "user")
    encoded_before = counter.encoded_chars

    cursor = page.prompt.textCursor()
    cursor.setPosition(len(text) // 2)
    page.prompt.setTextCursor(cursor)
    qtbot.keyClick(page.prompt, Qt.Key.Key_X)
    edited = page.prompt.toPlainText()
    assert len(edited) == len(text) + 1
    full = service.quote(1, "gpt-4.1", PromptInput.text(edited), 1024)
    assert full.input_tokens > 100_000
    qtbot.waitUntil(lambda: page.panel.input_tokens.text() == count_text(full.input_tokens), timeout=2_000)
    assert page.panel.price.text() == amount_short_price(full.price_base_units)
    assert counter.encoded_chars - encoded_before < 10_000  # re-encoded a chunk, not the ~450k characters


def test_system_prompt_is_folded_and_counted(page: RunTaskPage, service: WalletService, qtbot: QtBot) -> None:
    assert not page.system.isVisible() and page.system_toggle.text() == "System prompt (optional)"
    qtbot.keyClicks(page.prompt, PROMPT)
    wait_quote(qtbot, page)
    page.system_toggle.click()
    assert page.system.isVisible()
    qtbot.keyClicks(page.system, "Answer in French.")
    system, prompt = page.task_texts()
    expected = service.quote(1, page.picker.model().model, PromptInput.text(prompt, system), 1024)
    qtbot.waitUntil(lambda: page.panel.input_tokens.text() == count_text(expected.input_tokens))
    page.system_toggle.click()
    assert not page.system.isVisible()
    assert page.system_toggle.text() == "System prompt (optional) — set, 17 characters"


def test_open_and_drop_a_text_file(page: RunTaskPage, service: WalletService, qtbot: QtBot,
                                   tmp_path: Path) -> None:
    path = tmp_path / "task.txt"
    text = prose(20_000, seed=11)  # long enough to be counted in the background first
    path.write_text(text, encoding="utf-8")
    page.load_file(str(path))
    qtbot.waitUntil(lambda: page.prompt.toPlainText() == text, timeout=20_000)
    model = page.picker.model().model
    expected = service.quote(page.picker.provider().id, model, PromptInput.from_file(path), 1024)
    wait_quote(qtbot, page, expected=expected)

    page.prompt.undo()  # replacing the prompt is one undo step
    qtbot.waitUntil(lambda: page.prompt.toPlainText() == "")

    small = tmp_path / "small.md"
    small.write_text("# Task\nTranslate this paragraph.\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(small))])
    page.prompt.insertFromMimeData(mime)  # what a drop ends in
    qtbot.waitUntil(lambda: page.prompt.toPlainText() == "# Task\nTranslate this paragraph.\n", timeout=20_000)
    wait_quote(qtbot, page)


def offline_service(tmp_path: Path, devnet: tuple[DataDir, DevnetStatus]) -> WalletService:
    """The devnet's contracts behind an RPC port nothing listens on: the registry is unreachable."""
    data_dir = DataDir(tmp_path / "offline").ensure()
    contracts = WalletService(devnet[0]).profile.contracts
    save_custom_profile(data_dir, NetworkProfile("offline", 31337, f"http://127.0.0.1:{free_port()}", contracts))
    return WalletService(data_dir, network="offline")


def test_unreachable_registry_shows_an_empty_state(tmp_path: Path, devnet: tuple[DataDir, DevnetStatus],
                                                   qtbot: QtBot) -> None:
    service = offline_service(tmp_path, devnet)
    p = RunTaskPage(AppController(service))
    qtbot.addWidget(p)
    p.resize(*WINDOW_SIZE)
    p.on_shown()
    qtbot.waitUntil(lambda: p.stack.currentWidget() is p.empty_view, timeout=30_000)
    assert p.empty_view.text().startswith(UNREACHABLE + "\n")
    save_shot(p, "run-task-offline")
    service.close()


def test_registry_missing_from_the_network_settings(tmp_path: Path, qtbot: QtBot) -> None:
    service = WalletService(DataDir(tmp_path / "no-devnet").ensure())  # no deployment recorded
    p = RunTaskPage(AppController(service))
    qtbot.addWidget(p)
    p.on_shown()
    qtbot.waitUntil(lambda: p.stack.currentWidget() is p.empty_view, timeout=30_000)
    assert p.empty_view.text() == (
        f"{UNREADABLE}\nThe devnet has no ProviderRegistry yet: start the devnet (`ai-wallet devnet up`, or "
        "open the app), which deploys the contracts the first time.")
    service.close()


def test_colours_follow_a_theme_switch(page: RunTaskPage, qtbot: QtBot) -> None:
    choose(page, 1, "gpt-3.5-turbo")
    page.prompt.setPlainText(prose(20_000, encoding="cl100k_base"))
    wait_quote(qtbot, page, "refused")
    assert has_colour(page.panel.status, DANGER)
    app = QApplication.instance()
    apply_theme(app, dark=True)  # type: ignore[arg-type]
    try:
        app.processEvents()  # type: ignore[union-attr]
        assert has_colour(page.panel.status, DANGER_DARK) and not has_colour(page.panel.status, DANGER)
        assert SUCCESS_DARK in page.picker.badge.styleSheet()
    finally:
        apply_theme(app, dark=False)  # type: ignore[arg-type]
    app.processEvents()  # type: ignore[union-attr]
    assert has_colour(page.panel.status, DANGER)
