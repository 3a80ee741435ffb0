"""The offline demo backend: answers of realistic, varying length with no model, no API key, no internet.

Every answer says it is a demo (in its text and in a ``demo`` field), and never runs over the request's
``max_tokens`` under the model's metering encoding. The text is generated from the prompt (same prompt, same
answer), so runs are repeatable.
"""

from __future__ import annotations

import hashlib
import random

import anyio

from provider.backends import Completion, completion_body
from provider.chat import PricedRequest
from wallet.metering import count_tokens

LABEL = "[Demo answer: generated text, not a model's reply.]"
DEMO_NOTE = "This provider runs the offline demo backend: answers are generated text, not a model's reply."
TYPICAL_TOKENS = (40, 600)   # most chat answers run from a few dozen to a few hundred tokens

_OPENERS = ("Here is a short answer.", "Good question.", "In brief:", "Let me walk through it.",
            "There are a few parts to this.")
_WORDS = ("the", "model", "token", "price", "request", "answer", "provider", "wallet", "chain", "budget",
          "input", "output", "meter", "step", "result", "value", "first", "then", "because", "each", "simple",
          "exact", "small", "large", "often", "clear", "data", "text", "sum", "rule", "after", "before",
          "with", "without", "and", "or", "so", "it", "is", "are", "can", "will", "should", "a", "an", "of")


class DemoBackend:
    name = "offline demo"
    demo = True

    async def aclose(self) -> None:
        return None

    async def complete(self, priced: PricedRequest) -> Completion:
        # tokenizing is CPU work: keep it off the event loop
        return await anyio.to_thread.run_sync(self.answer, priced)

    def answer(self, priced: PricedRequest) -> Completion:
        encoding, budget = priced.metered.encoding, priced.request.max_tokens
        rng = random.Random(hashlib.sha256(repr(priced.request.to_json()).encode()).digest())
        target = min(budget, rng.randint(*TYPICAL_TOKENS))
        content = fit(compose(priced, rng, target), encoding, target)
        output_tokens = count_tokens(content, encoding)
        finish = "length" if target == budget and output_tokens >= budget else "stop"
        usage = {"prompt_tokens": priced.metered.input_tokens, "completion_tokens": output_tokens,
                 "total_tokens": priced.metered.input_tokens + output_tokens}
        body = completion_body(priced, content, finish, usage, demo=True, system_fingerprint="demo-backend",
                               demo_note=DEMO_NOTE)
        return Completion(body, content)


def compose(priced: PricedRequest, rng: random.Random, target: int) -> str:
    """A label, a line about the question, then sentences: comfortably more than ``target`` tokens."""
    last_user = next((m.content for m in reversed(priced.request.messages) if m.role == "user"), "")
    topic = " ".join(last_user.split()[:12])
    parts = [LABEL, f'You asked about "{topic}".' if topic else "", rng.choice(_OPENERS)]
    words = 0
    while words < target * 2:   # a word is at least one token, so this is always enough text
        n = rng.randint(6, 18)
        sentence = " ".join(rng.choice(_WORDS) for _ in range(n))
        parts.append(sentence[0].upper() + sentence[1:] + ".")
        words += n
    return " ".join(p for p in parts if p)


def fit(text: str, encoding: str, max_tokens: int) -> str:
    """The longest whole-word prefix of ``text`` of at most ``max_tokens`` tokens (binary search on words)."""
    words = text.split(" ")
    lo, hi = 0, len(words)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count_tokens(" ".join(words[:mid]), encoding) <= max_tokens:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])
