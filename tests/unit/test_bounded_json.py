"""JSON from outside is parsed within bounds: size, nesting depth (measured before parsing, since a deep document
would overflow the C stack once eth_account has raised the recursion limit), and strict numbers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet.bounded_json import loads_bounded, nesting_depth
from wallet.errors import InvalidInput


def depth_of(obj: object) -> int:
    if isinstance(obj, list):
        return 1 + max((depth_of(x) for x in obj), default=0)
    if isinstance(obj, dict):
        return 1 + max((depth_of(x) for x in obj.values()), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from('ab"\\[]{}é\n')),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='k"[{\\'), inner, max_size=3),
    max_leaves=20)


@given(json_values)
def test_depth_is_measured_exactly_with_brackets_inside_strings(obj: object) -> None:
    text = json.dumps(obj, ensure_ascii=False)
    assert nesting_depth(text.encode()) == depth_of(obj)
    assert loads_bounded(text, max_bytes=10**6, max_depth=depth_of(obj), what="x") == obj


def test_a_document_deep_enough_to_crash_the_parser_is_refused_unread() -> None:
    import eth_account  # noqa: F401 - raises the recursion limit, as in the wallet and the gateway

    deep = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(InvalidInput, match="nested more than 64 levels"):
        loads_bounded(deep, max_bytes=10**6, max_depth=64, what="request body")


@pytest.mark.parametrize(("data", "words"), [
    (b"x" * 101, "larger than 100 bytes"),
    (b"\xff\xfe", "not UTF-8"),
    (b'{"a": 1', "not valid JSON (line 1"),
    (b"NaN", "NaN is not a JSON number"),
    (b"[Infinity]", "Infinity is not a JSON number"),
    (b"1e400", "out of range"),
    (b"-1e400", "out of range"),
    (b"9" * 1001, "more than 1,000 digits"),
])
def test_refusals_say_what_is_wrong(data: bytes, words: str) -> None:
    limit = 100 if data.startswith(b"x") else 10**6
    with pytest.raises(InvalidInput) as e:
        loads_bounded(data, max_bytes=limit, max_depth=8, what="test document")
    assert words in e.value.user_message and "test document" in e.value.user_message


def test_str_and_bytes_give_the_same_result() -> None:
    doc = '{"prompt": "東京 🚀", "n": [1, 2.5, -3]}'
    assert loads_bounded(doc, max_bytes=100, max_depth=2, what="x") == loads_bounded(
        doc.encode(), max_bytes=100, max_depth=2, what="x") == json.loads(doc)
