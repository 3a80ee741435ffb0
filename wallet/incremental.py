r"""Token counts that follow a text being edited, without re-tokenizing all of it on every keystroke.

tiktoken encodes in two steps: a regex (the encoding's ``pat_str``) splits the text into pieces, then each
piece is byte-pair encoded on its own. So if the text is cut at positions where the regex always ends one
piece and starts the next, whatever surrounds them, the token count of the whole is the sum of those of the
parts.
This module cuts only at such positions ("safe boundaries"), caches a count per chunk, and after an edit
re-encodes only the chunks the edit touched.

Safe boundaries, valid for o200k_base and cl100k_base (a cut at k, between ``text[k-1]`` and ``text[k]``):

(a) ``text[k-1]`` is ``\n`` and ``text[k]`` is neither whitespace nor ``/``.
    No piece crosses k: the only parts of either pattern that can consume a newline are whitespace runs
    (``\s*[\r\n]``, ``\s+(?!\S)``, ``\s++$``, ``\s``) and the tail of the punctuation alternative (cl100k
    ``[\r\n]*+``, o200k ``[\r\n/]*``); the letter alternatives' optional prefix is ``[^\r\n\p{L}\p{N}]``, so
    a newline never leads a word. None of them can go on to a non-whitespace character except o200k's ``/``,
    hence the exception (o200k encodes ``"}\n// note"`` as ``"}\n//"``, ``" note"``).
    The pieces before k are the same when the text ends at k: the only tests that look at ``text[k]`` come
    after a whitespace run that reaches k, where ``(?!\S)`` and ``$`` answer differently for "a non-space
    follows" and "end of text". But from any start inside that final run an earlier alternative matches the
    same span either way: with text after k, cl100k ``\s*[\r\n]`` / o200k ``\s*[\r\n]+`` backtrack to end on
    the newline; at the end of text, cl100k ``\s++$`` and the same o200k ``\s*[\r\n]+`` take the whole run.
    ``\r\n`` is covered (the ``\r`` is part of the run). Neither pattern has a lookbehind, so the pieces from
    k on do not depend on what precedes k.
(b) ``text[k-1]`` is a letter from a fixed set (ASCII, Latin-1 and Latin Extended-A/B letters, basic Cyrillic,
    CJK Unified Ideographs) and ``text[k]`` is ASCII but not a letter or ``'``, or one of ``、。，！？：；``.
    Such a letter always sits in a letter-run piece (cl100k ``\p{L}++``, o200k ``[...\p{M}]+(?i:'s|...)?``),
    which stops at the first character that is not a letter, a combining mark or an apostrophe; the
    characters allowed after it are none of those in any Unicode version, so Python's tables agree with
    those of tiktoken's Rust regex, which may be newer. Whitespace runs before k end at that letter, so no
    lookahead reaches k.

Not boundaries: a space before a letter (both encodings glue one leading non-letter, non-newline character to
the next word, and o200k a trailing ``'s``), and ``\n`` before a space (``"\n  \n"`` is a single piece).
The property tests in tests/unit/test_incremental.py check the sum rule against a full ``encode_ordinary`` on
random texts and random edits, for both encodings.

Chunks are cut greedily at the first safe boundary at or after ``target_chunk_chars`` characters. Worst case:
a stretch with no safe boundary (a long line of Greek or Arabic words, a long run of emoji) stays one chunk,
and an edit inside it re-encodes the whole stretch: no worse than counting from scratch, but no better. Prose
and code have a boundary every few characters.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from itertools import accumulate

import tiktoken

from wallet.tokenizers import count_ordinary, get_encoding

_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0400-\u045f\u4e00-\u9fff"
_AFTER_LETTER = "\x00-\x26\x28-\x40\x5b-\x60\x7b-\x7f\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f"
BOUNDARY_RE = re.compile(rf"(?<=\n)(?=[^\s/])|(?<=[{_LETTERS}])(?=[{_AFTER_LETTER}])")

DEFAULT_TARGET_CHUNK_CHARS = 2048
DEFAULT_CACHE_ENTRIES = 1024


def is_boundary(text: str, k: int) -> bool:
    """True if cutting ``text`` at ``k`` keeps the token count additive (see the module docstring)."""
    if k <= 0 or k >= len(text):
        return k == 0 or k == len(text)
    return BOUNDARY_RE.match(text, k) is not None


def split_chunks(text: str, target: int = DEFAULT_TARGET_CHUNK_CHARS, start: int = 0, end: int | None = None,
                 ) -> list[str]:
    """Cut ``text[start:end]`` at safe boundaries into chunks of about ``target`` characters (or more)."""
    if target < 1:
        raise ValueError("target must be at least 1")
    end = len(text) if end is None else end
    chunks: list[str] = []
    pos = start
    while end - pos > target:
        m = BOUNDARY_RE.search(text, pos + target, end)
        if m is None:
            break
        cut = m.start()
        chunks.append(text[pos:cut])
        pos = cut
    if pos < end:
        chunks.append(text[pos:end])
    return chunks


class IncrementalCounter:
    """``count(text)`` equals ``len(encoding.encode_ordinary(text))``, and is cheap when ``text`` is a small
    edit of the previous text.

    One counter follows one text field: it diffs the new text against the chunks of the previous call by
    common prefix and suffix, re-cuts only the changed middle and encodes only chunks it has not counted
    before (an LRU maps chunk text to its count, so undo and retyping are free too). Thread-safe; calls
    are serialised.
    """

    def __init__(self, encoding: tiktoken.Encoding | str, *,
                 target_chunk_chars: int = DEFAULT_TARGET_CHUNK_CHARS,
                 cache_entries: int = DEFAULT_CACHE_ENTRIES) -> None:
        self.encoding = get_encoding(encoding) if isinstance(encoding, str) else encoding
        self._target = target_chunk_chars
        self._cache_entries = cache_entries
        self._cache: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self._text = ""
        self._chunks: list[str] = []
        self._counts: list[int] = []
        self._starts: list[int] = []
        self._total = 0
        self.encoded_chars = 0  # characters sent to the tokenizer so far; lets tests and benches see the work

    @property
    def chunks(self) -> list[str]:
        return list(self._chunks)

    def reset(self) -> None:
        with self._lock:
            self._text, self._chunks, self._counts, self._starts, self._total = "", [], [], [], 0
            self._cache.clear()

    def count(self, text: str) -> int:
        with self._lock:
            if text == self._text:
                return self._total
            if not self._chunks:
                self._replace(0, 0, text, 0, len(text))
            else:
                self._update(text)
            self._text = text
            return self._total

    def _update(self, new: str) -> None:
        chunks, starts = self._chunks, self._starts
        n = len(chunks)
        # Leading chunks still in place (compared in place, no slicing of the big text).
        i = 0
        while i < n and new.startswith(chunks[i], starts[i]):
            i += 1
        b = starts[i] if i < n else len(self._text)
        # The cut at b stays safe only if the character after it still qualifies; else widen by one chunk,
        # whose own left cut has both neighbours in the unchanged prefix.
        if i > 0 and not is_boundary(new, b):
            i -= 1
            b = starts[i]
        delta = len(new) - len(self._text)
        j = n
        while j > i and starts[j - 1] + delta >= b and new.startswith(chunks[j - 1], starts[j - 1] + delta):
            j -= 1
        e = starts[j] + delta if j < n else len(new)
        if j < n and not is_boundary(new, e):
            j += 1
            e = starts[j] + delta if j < n else len(new)
        self._replace(i, j, new, b, e)

    def _replace(self, i: int, j: int, new: str, b: int, e: int) -> None:
        """Replace chunks[i:j] by fresh chunks of new[b:e] and fix offsets and the total."""
        mid = split_chunks(new, self._target, b, e)
        mid_counts = [self._count_chunk(c) for c in mid]
        self._total += sum(mid_counts) - sum(self._counts[i:j])
        self._chunks[i:j] = mid
        self._counts[i:j] = mid_counts
        self._starts[i:] = accumulate((len(c) for c in self._chunks[i:]), initial=b)
        self._starts.pop()  # accumulate's last value is the text length, not a chunk start

    def _count_chunk(self, chunk: str) -> int:
        cache = self._cache
        n = cache.get(chunk)
        if n is not None:
            cache.move_to_end(chunk)
            return n
        n = count_ordinary(self.encoding, chunk)
        self.encoded_chars += len(chunk)
        cache[chunk] = n
        if len(cache) > self._cache_entries:
            cache.popitem(last=False)
        return n
