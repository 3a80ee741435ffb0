"""Quote latency against a bare tiktoken encode of the same text, the live (incremental) quote after a
one-character edit, and encoding load time. Prints figures; asserts nothing.

Goals: a cold quote within 10% of the bare encode; an incremental update after a one-character edit in a
~100k-token prompt under 2 ms and at least 30x faster than re-encoding.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, python, summary, time_command, time_runs

from wallet.quote import LiveQuote, PromptInput, QuoteEngine
from wallet.registry import ModelPrice, ProviderInfo
from wallet.tokenizers import SUPPORTED_ENCODINGS, get_encoding

VOCABULARY = ("the model reads every token before it answers and the wallet prices each one exactly so that "
              "payment matches what the provider meters settlement happens on chain after the response "
              "arrives tokens budget context window output price provider registry quote authorization "
              "nonce receipt über naïve café résumé 東京 数据 😀")
WORDS = VOCABULARY.split()
IDENTIFIERS = ["price", "tokens", "rate", "quote", "nonce", "budget"]
CODE = [
    "def {f}({a}: int, {b}: int) -> int:\n    return -(-{a} * {b} // 1_000_000)\n",
    "class {F}:\n    def __init__(self, {a}):\n        self.{a} = {a}  # keep it\n",
    "for {a} in range({n}):\n    if {a} % 3 == 0:\n        print(f\"{{{a}}} fizz\")\n",
    "const {f} = ({a}, {b}) => {{ return {a}.map(x => x * {b}); }};\n",
    "SELECT {a}, count(*) FROM {f} WHERE {b} > {n} GROUP BY {a};\n",
]


def mixed_text(target_tokens: int, seed: int = 7) -> str:
    """Deterministic prose paragraphs and code blocks, about ``target_tokens`` o200k tokens."""
    rnd = random.Random(seed)
    enc = get_encoding("o200k_base")
    parts: list[str] = []
    tokens = 0
    while tokens < target_tokens:
        if rnd.random() < 0.6:
            words = [rnd.choice(WORDS) for _ in range(rnd.randint(20, 80))]
            s = " ".join(words).capitalize() + ".\n\n"
        else:
            names = {k: rnd.choice(IDENTIFIERS) + str(rnd.randint(0, 99)) for k in ("f", "a", "b")}
            s = rnd.choice(CODE).format(F=names["f"].capitalize(), n=rnd.randint(1, 999), **names) + "\n"
        parts.append(s)
        tokens += len(enc.encode_ordinary(s))
    return "".join(parts)


SHEET = [ProviderInfo(1, "0x" + "0" * 40, "Bench", "http://localhost", "0x" + "1" * 40, True, True,
                      (ModelPrice("gpt-4o", "o200k_base", 2_500_000, 10_000_000, 1_000_000, 16_384),
                       ModelPrice("gpt-4", "cl100k_base", 30_000_000, 60_000_000, 1_000_000, 8_192)))]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_load() -> None:
    print("\nencoding load (fresh process each run; includes importing tiktoken)")
    base = time_command([python(), "-c", "import tiktoken, wallet.tokenizers"], 3)
    print(f"  import only            {summary(base)}")
    for name in SUPPORTED_ENCODINGS:
        samples = time_command([python(), "-c", f"from wallet.tokenizers import get_encoding; "
                                                f"get_encoding({name!r})"], 3)
        alone = median_ms(samples) - median_ms(base)
        print(f"  {name:<22} {summary(samples)}   (load alone ≈ {alone:.0f} ms)")


def bench_cold(sizes: tuple[int, ...]) -> None:
    print("\ncold quote vs bare tiktoken encode of the same text (o200k_base; runs interleaved, medians)")
    enc = get_encoding("o200k_base")
    engine = QuoteEngine(lambda: SHEET)
    for size in sizes:
        text = mixed_text(size)
        n = len(enc.encode_ordinary(text))

        def live_cold(t: str = text) -> None:
            LiveQuote(engine, 1, "gpt-4o", 1000).update(None, t)

        cases = {
            "encode": lambda t=text: enc.encode(t),
            "encode_ordinary": lambda t=text: enc.encode_ordinary(t),
            "quote": lambda t=text: engine.quote(1, "gpt-4o", PromptInput.text(t), 1000),
            "live": live_cold,
        }
        samples: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(200 if size <= 10_000 else 20):
            for k, fn in cases.items():
                samples[k] += time_runs(fn, 1)
        m = {k: median_ms(v) for k, v in samples.items()}
        b = m["encode"]
        print(f"  {n:>7,} tokens ({len(text):>7,} chars)  encode {b:7.3f} ms  encode_ordinary "
              f"{m['encode_ordinary']:7.3f} ms  quote {m['quote']:7.3f} ms ({m['quote'] / b:4.2f}x)"
              f"  live quote, first call {m['live']:7.3f} ms ({m['live'] / b:4.2f}x)")


def bench_incremental(size: int = 100_000, edits: int = 300) -> None:
    print(f"\nlive quote after a one-character edit in a ~{size // 1000}k-token prompt")
    engine = QuoteEngine(lambda: SHEET)
    text = mixed_text(size)
    rnd = random.Random(3)
    for model, enc_name in (("gpt-4o", "o200k_base"), ("gpt-4", "cl100k_base")):
        enc = get_encoding(enc_name)
        live = LiveQuote(engine, 1, model, 1000)
        first = live.update(None, text)
        assert not isinstance(first, Exception), first
        full = time_runs(lambda e=enc: e.encode_ordinary(text), 10)
        samples: list[float] = []
        reencoded: list[int] = []
        counter = live.counter(enc_name, "user")
        current = text
        for i in range(edits):
            p = rnd.randrange(len(current))
            # Alternate typing a character and deleting one, so the prompt keeps its size.
            current = current[:p] + "x" + current[p:] if i % 2 == 0 else current[:p] + current[p + 1:]
            before = counter.encoded_chars
            t0 = time.perf_counter()
            q = live.update(None, current)
            samples.append(time.perf_counter() - t0)
            reencoded.append(counter.encoded_chars - before)
            assert not isinstance(q, Exception), q
        check = live.update(None, current)
        assert not isinstance(check, Exception)
        exact = len(enc.encode_ordinary(current)) + 3 + 1 + 3 == check.input_tokens
        f_ms, s_ms = median_ms(full), median_ms(samples)
        p95 = sorted(samples)[int(0.95 * len(samples))] * 1000
        print(f"  {enc_name:<12} full encode_ordinary {f_ms:7.2f} ms   update median {s_ms:6.3f} ms, "
              f"p95 {p95:6.3f} ms, max {max(samples) * 1000:6.3f} ms   {f_ms / s_ms:5.0f}x faster   "
              f"count exact: {exact}")
        print(f"  {'':<12} characters re-encoded per edit: median {statistics.median(reencoded):,.0f}, "
              f"max {max(reencoded):,} of {len(current):,}")


def main() -> None:
    print(f"machine: {machine()}")
    bench_load()
    for name in SUPPORTED_ENCODINGS:
        get_encoding(name)
    bench_cold((1_000, 10_000, 100_000))
    bench_incremental()


if __name__ == "__main__":
    main()
