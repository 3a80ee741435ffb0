"""The incremental counter always equals a full encode, and an edit re-encodes only what it touched."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet.incremental import BOUNDARY_RE, IncrementalCounter, is_boundary, split_chunks
from wallet.tokenizers import SUPPORTED_ENCODINGS, get_encoding

# Fragments chosen to sit on every rule of both patterns: newline kinds, whitespace runs, the o200k "/" tail,
# apostrophes and contractions, capitalised words, digits runs, combining marks, emoji (with ZWJ and
# modifiers), CJK, Cyrillic, non-ASCII whitespace.
FRAGMENTS = [
    "a", "Z", "é", "HTML", "word", "'s", "'", "'LL", "x", "Ж", "ж", "Ω",
    " ", "  ", "    ", "\t", "\n", "\n\n", "\r\n", "\r", " \n", "\u00a0", "\u3000", "\u0085", "\u2028",
    "/", "//", "\n/", "}\n//", ";", ".", ",", "!", "?", "-", "_", "(", ")", "{", "}", "\"", "*", "#",
    "0", "7", "123", "4567", "3.14",
    "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "\u0301", "e\u0301",
    "你", "好", "世界", "。", "，", "！", "こんにちは", "한국어",
    "def f(x):\n", "    return x\n", "<|endoftext|>",
]
fragment = st.one_of(st.sampled_from(FRAGMENTS), st.characters(exclude_categories=("Cs",)))
texts = st.lists(fragment, max_size=60).map("".join)
edit = st.tuples(st.floats(0, 1), st.integers(0, 8), texts.filter(lambda t: len(t) < 20))
chunk_sizes = st.sampled_from([1, 2, 3, 5, 8, 16, 64, 2048])

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def full_count(enc_name: str, text: str) -> int:
    return len(get_encoding(enc_name).encode_ordinary(text))


def apply(text: str, e: tuple[float, int, str]) -> str:
    where, delete, insert = e
    p = int(where * len(text))
    return text[:p] + insert + text[p + delete:]


@pytest.mark.parametrize("enc_name", SUPPORTED_ENCODINGS)
@PROPERTY
@given(text=texts)
def test_every_boundary_is_additive(enc_name: str, text: str) -> None:
    cuts = [m.start() for m in BOUNDARY_RE.finditer(text) if 0 < m.start() < len(text)]
    parts = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    assert sum(full_count(enc_name, p) for p in parts) == full_count(enc_name, text)


@pytest.mark.parametrize("enc_name", SUPPORTED_ENCODINGS)
@PROPERTY
@given(text=texts, edits=st.lists(edit, min_size=1, max_size=12), target=chunk_sizes)
def test_count_equals_full_encode_through_edits(enc_name: str, text: str, edits: list, target: int) -> None:
    counter = IncrementalCounter(enc_name, target_chunk_chars=target)
    assert counter.count(text) == full_count(enc_name, text)
    for e in edits:
        text = apply(text, e)
        assert counter.count(text) == full_count(enc_name, text)
        assert "".join(counter.chunks) == text


@pytest.mark.parametrize("enc_name", SUPPORTED_ENCODINGS)
@PROPERTY
@given(base=texts, target=chunk_sizes, data=st.data())
def test_unrelated_texts_in_sequence(enc_name: str, base: str, target: int, data: st.DataObject) -> None:
    counter = IncrementalCounter(enc_name, target_chunk_chars=target)
    for text in [base, data.draw(texts), base + base, "", base]:
        assert counter.count(text) == full_count(enc_name, text)


@pytest.mark.parametrize(("enc_name", "left", "right"), [
    ("o200k_base", "}\n", "// note"),     # o200k's punctuation tail [\r\n/]* runs over "\n/"
    ("o200k_base", "x\n  ", "\nb"),        # "\n  \n" is one piece
    ("o200k_base", "it", "'s"),            # o200k keeps contractions on the word
    ("cl100k_base", "a\n  ", "\nb"),
])
def test_cuts_that_would_be_wrong_are_not_boundaries(enc_name: str, left: str, right: str) -> None:
    text = left + right
    assert full_count(enc_name, left) + full_count(enc_name, right) != full_count(enc_name, text)
    assert not is_boundary(text, len(left))


@pytest.mark.parametrize(("text", "k", "expected"), [
    ("a\nb", 2, True), ("a\r\nb", 3, True), ("a\n\n\nB", 4, True), ("a\n😀", 2, True),
    ("a\n/b", 2, False), ("a\n b", 2, False), ("a\n\tb", 2, False), ("a\n\u00a0b", 2, False),
    ("ab c", 2, True), ("ab,c", 2, True), ("ab1", 2, True), ("ab'", 2, False), ("abc", 2, False),
    ("你好。", 2, True), ("ab\u0301", 2, False), ("a b", 1, True), ("a b", 2, False),
    ("x", 0, True), ("x", 1, True),
])
def test_boundary_examples(text: str, k: int, expected: bool) -> None:
    assert is_boundary(text, k) is expected


def test_split_chunks_sizes_and_worst_case() -> None:
    prose = "The quick brown fox jumps over the lazy dog. " * 200
    chunks = split_chunks(prose, 256)
    assert "".join(chunks) == prose
    assert all(len(c) <= 256 + 10 for c in chunks)
    # No safe boundary at all (Greek words, no newline): one chunk, whatever the target.
    greek = "καλημέρα κόσμε " * 300
    assert split_chunks(greek, 256) == [greek]
    assert split_chunks("", 256) == []


def prose_and_code(n: int) -> str:
    para = ("Tokens are counted locally before any payment is signed; the quote must match the gateway's "
            "meter exactly.\n")
    code = "def price(tokens: int, rate: int) -> int:\n    return -(-tokens * rate // 1_000_000)\n\n"
    return "".join(para if i % 3 else code for i in range(n))


@pytest.mark.parametrize("enc_name", SUPPORTED_ENCODINGS)
def test_one_char_edit_reencodes_only_nearby_chunks(enc_name: str) -> None:
    text = prose_and_code(3000)  # ~250k characters
    counter = IncrementalCounter(enc_name, target_chunk_chars=2048)
    assert counter.count(text) == full_count(enc_name, text)
    before = counter.encoded_chars
    mid = len(text) // 2
    edited = text[:mid] + "X" + text[mid:]
    assert counter.count(edited) == full_count(enc_name, edited)
    assert counter.encoded_chars - before <= 3 * 2048
    # Undo is served from the per-chunk cache: nothing is encoded.
    before = counter.encoded_chars
    assert counter.count(text) == full_count(enc_name, text)
    assert counter.encoded_chars == before


@pytest.mark.parametrize("enc_name", SUPPORTED_ENCODINGS)
def test_typing_at_the_end_and_deleting_everything(enc_name: str) -> None:
    counter = IncrementalCounter(enc_name, target_chunk_chars=16)
    text = ""
    for ch in "Hello there.\nNew line, café 你好 😀\r\n  indented\n/path // x":
        text += ch
        assert counter.count(text) == full_count(enc_name, text)
    while text:
        text = text[:-3]
        assert counter.count(text) == full_count(enc_name, text)


def test_counter_accepts_an_encoding_object_and_resets() -> None:
    counter = IncrementalCounter(get_encoding("cl100k_base"))
    assert counter.count("hello world") == 2
    counter.reset()
    assert counter.chunks == []
    assert counter.count("hello world") == 2
