"""Keystroke-to-quote latency in the Run a task page: from a key press on the prompt editor until the quote
panel shows the new count (and until that frame is painted), on a ~10k and a ~100k-token prompt, against a
full tiktoken encode of the same text measured in the same run. Prints figures; asserts nothing.

The page is the real one (editor, coalescing timer, LiveQuote, panel) on a price sheet built from the devnet's
demo providers, so no chain is needed. Keystrokes are spaced more than a frame apart, as typing is; a burst
(key repeat, a paste) is coalesced into one quote per frame, which the last section shows.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_quote.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))
from common import machine
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from quote import mixed_text

from ui.controller import AppController
from ui.pages.run_task import RunTaskPage
from ui.theme import apply_theme
from ui.widgets.model_picker import count_text
from wallet.config import DataDir
from wallet.devnet.demo import DEMO_PROVIDERS
from wallet.quote import PromptInput, QuoteEngine
from wallet.registry import ProviderInfo
from wallet.service import WalletService
from wallet.tokenizers import get_encoding

SHEET = tuple(ProviderInfo(i, "0x" + "0" * 40, p.name, p.endpoint, "0x" + f"{i}" * 40, p.verified, True, p.models)
              for i, p in enumerate(DEMO_PROVIDERS, 1))
EDITS = 200



GAP = 0.020  # s between keystrokes: faster than anyone types, slower than one frame


def ms(samples: list[float]) -> str:
    s = sorted(x * 1000 for x in samples)
    return f"median {statistics.median(s):6.2f} ms  p95 {s[int(0.95 * (len(s) - 1))]:6.2f} ms  max {s[-1]:6.2f} ms"


def wait(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()


def make_page(app: QApplication) -> tuple[RunTaskPage, list[float]]:
    service = WalletService(DataDir(Path(tempfile.mkdtemp(prefix="gui-quote-bench-"))).ensure())
    page = RunTaskPage(AppController(service))
    page.resize(1100, 720)
    page.show()
    page._providers_loaded(SHEET)  # what the background registry read delivers
    page.picker.select(1, "gpt-4.1")  # o200k_base, a 1M-token window: 100k tokens fit
    shown: list[float] = []
    real_show = page.show_result

    def timed_show(result, system, prompt) -> None:  # type: ignore[no-untyped-def]
        real_show(result, system, prompt)
        shown.append(time.perf_counter())

    page.show_result = timed_show  # type: ignore[method-assign]
    return page, shown


def bench_size(app: QApplication, page: RunTaskPage, shown: list[float], target_tokens: int) -> None:
    enc = get_encoding("o200k_base")
    text = mixed_text(target_tokens)
    page.prompt.setPlainText(text)
    wait(app, 0.1)
    n_tokens = len(enc.encode_ordinary(text))
    engine = QuoteEngine(lambda: SHEET)

    rnd = random.Random(5)
    to_shown, to_painted, full_encode, full_quote = [], [], [], []
    editor = page.prompt
    for i in range(EDITS):
        cursor = editor.textCursor()
        cursor.setPosition(rnd.randrange(1, len(text) - 1))
        editor.setTextCursor(cursor)
        wait(app, GAP)
        before = len(shown)
        t0 = time.perf_counter()
        # Alternate typing a character and deleting one, so the prompt keeps its size.
        QTest.keyClick(editor, Qt.Key.Key_X if i % 2 == 0 else Qt.Key.Key_Backspace)
        while len(shown) == before:
            app.processEvents()
        t1 = shown[-1]
        app.processEvents()  # the paint of that frame (editor and panel)
        t2 = time.perf_counter()
        to_shown.append(t1 - t0)
        to_painted.append(t2 - t0)
        if i % 10 == 0:  # the in-run baseline, on the text as it is now, interleaved with the edits
            current = editor.toPlainText()
            t = time.perf_counter()
            enc.encode(current)
            full_encode.append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.quote(1, "gpt-4.1", PromptInput.text(current), page.panel.output_budget())
            full_quote.append(time.perf_counter() - t)

    current = editor.toPlainText()
    exact = engine.quote(1, "gpt-4.1", PromptInput.text(current), page.panel.output_budget())
    ok = page.panel.input_tokens.text() == count_text(exact.input_tokens)
    print(f"\n~{n_tokens:,} tokens ({len(text):,} characters), {EDITS} keystrokes, o200k_base")
    print(f"  key press → panel shows the count   {ms(to_shown)}")
    print(f"  key press → that frame painted      {ms(to_painted)}")
    print(f"  baseline: full encode of the text   {ms(full_encode)}")
    print(f"  baseline: full quote (engine.quote) {ms(full_quote)}")
    enc_med, shown_med = statistics.median(full_encode), statistics.median(to_shown)
    print(f"  keystroke-to-count is {enc_med / shown_med:.1f}x faster than one full encode; "
          f"panel equals a full quote afterwards: {ok}")


def bench_burst(app: QApplication, page: RunTaskPage, shown: list[float]) -> None:
    """50 keystrokes with no gap (key repeat): coalesced to about one quote per frame, the last one exact."""
    editor = page.prompt
    before = len(shown)
    t0 = time.perf_counter()
    for _ in range(50):
        QTest.keyClick(editor, Qt.Key.Key_Y)
    typed = time.perf_counter() - t0
    wait(app, 0.1)
    engine = QuoteEngine(lambda: SHEET)
    exact = engine.quote(1, "gpt-4.1", PromptInput.text(editor.toPlainText()), page.panel.output_budget())
    ok = page.panel.input_tokens.text() == count_text(exact.input_tokens)
    print(f"\nburst of 50 keystrokes in {typed * 1000:.0f} ms on the same prompt: {len(shown) - before} quotes "
          f"(coalesced to at most one per {16} ms frame); final count exact: {ok}")


def main() -> None:
    print(f"machine: {machine()}")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app, dark=False)  # type: ignore[arg-type]
    for name in ("o200k_base", "cl100k_base"):
        get_encoding(name)  # loaded up front, as the app's warm-up does; load time is bench/quote.py's
    page, shown = make_page(app)  # type: ignore[arg-type]
    for size in (10_000, 100_000):
        bench_size(app, page, shown, size)  # type: ignore[arg-type]
    bench_burst(app, page, shown)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
