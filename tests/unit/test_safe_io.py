"""Hostile files and JSON: every read bounded by bytes read, every document by size and depth, every refusal a
clear WalletError — never a hang, a memory blow-up or a crash."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet.errors import ConfigError, InvalidInput
from wallet.safe_io import json_depth, load_json_file, loads_bounded, read_bytes, read_text

pytestmark = pytest.mark.timeout(60)  # a regression here is a hang: fail it quickly rather than at 300 s


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    p = tmp_path / "pipe"
    os.mkfifo(p)
    return p


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"x" * 1000)
    assert read_bytes(f, max_bytes=1000, what="the file") == b"x" * 1000


def test_a_file_one_byte_over_the_bound_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"x" * 1001)
    with pytest.raises(InvalidInput, match="larger than 1,000 bytes"):
        read_bytes(f, max_bytes=1000, what="the file")


def test_a_100_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: 100 MB claimed, nothing on disk
    with pytest.raises(InvalidInput, match="larger than 64 KiB"):
        read_bytes(big, max_bytes=64 * 1024, what="the password file")


def test_a_file_that_claims_size_zero_is_read_by_bytes() -> None:
    status = Path(f"/proc/{os.getpid()}/status")
    assert status.stat().st_size == 0  # what /proc claims
    assert b"Pid:" in read_bytes(status, max_bytes=1 << 20, what="the file")


def test_a_fifo_is_refused_at_once_unless_streams_are_wanted(fifo: Path) -> None:
    # No writer ever opens it: a blocking open would wait forever.
    with pytest.raises(InvalidInput, match="is a pipe"):
        read_bytes(fifo, max_bytes=100, what="the settings file")


def test_a_pipe_that_never_ends_is_cut_at_the_bound(fifo: Path) -> None:
    stop = threading.Event()

    def endless_writer() -> None:
        try:
            with open(fifo, "wb") as w:
                while not stop.is_set():
                    w.write(b"a" * 4096)
        except BrokenPipeError:
            pass

    t = threading.Thread(target=endless_writer, daemon=True)
    t.start()
    try:
        with pytest.raises(InvalidInput, match="larger than 1 MiB"):
            read_bytes(fifo, max_bytes=1 << 20, what="the password file", streams=True)
    finally:
        stop.set()
    t.join(10)


def test_a_pipe_with_a_secret_is_read(fifo: Path) -> None:
    t = threading.Thread(target=lambda: fifo.write_bytes(b"a long password\n"), daemon=True)
    t.start()
    assert read_text(fifo, max_bytes=1024, what="the password file", streams=True) == "a long password\n"
    t.join(10)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices(device: str) -> None:
    with pytest.raises(InvalidInput, match="character device"):
        read_bytes(device, max_bytes=1 << 20, what="the keystore file")
    with pytest.raises(InvalidInput, match="larger than 1 MiB"):
        read_bytes(device, max_bytes=1 << 20, what="the prompt file", streams=True)


def test_folders_sockets_loops_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is a folder"):
        read_bytes(tmp_path, max_bytes=10, what="the file", streams=True)
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(InvalidInput, match="Too many levels of symbolic links"):
        read_bytes(tmp_path / "a", max_bytes=10, what="the file")
    with pytest.raises(InvalidInput, match="does not exist"):
        read_bytes(tmp_path / "none", max_bytes=10, what="the file")
    with pytest.raises(FileNotFoundError):
        read_bytes(tmp_path / "none", max_bytes=10, what="the file", must_exist=False)
    with pytest.raises(InvalidInput, match="empty path"):
        read_bytes("", max_bytes=10, what="the file")


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        read_text(f, max_bytes=10, what="the file", error=ConfigError)
    f.write_bytes("\ufeffwith a byte-order mark".encode())
    assert read_text(f, max_bytes=100, what="the file") == "with a byte-order mark"


def test_depth_is_counted_outside_strings_only() -> None:
    assert json_depth('{"a": [1, {"b": []}]}') == 4
    assert json_depth('["[[[[", "\\"[[[", "\\\\", {}]') == 2
    assert json_depth("5") == 0
    assert json_depth("[" * 1000, limit=10) == 11  # stops counting past the limit


def _depth_of(obj: object) -> int:
    if isinstance(obj, list):
        return 1 + max((_depth_of(x) for x in obj), default=0)
    if isinstance(obj, dict):
        return 1 + max((_depth_of(x) for x in obj.values()), default=0)
    return 0


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from('ab"\\[]{}é\n')),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='k"[{\\'), inner, max_size=3),
    max_leaves=20)


@given(_json_values)
def test_depth_is_exact_with_brackets_inside_strings(obj: object) -> None:
    text = json.dumps(obj, ensure_ascii=False)
    assert json_depth(text) == _depth_of(obj)
    assert loads_bounded(text, max_bytes=10**6, max_depth=_depth_of(obj), what="x") == obj
    assert loads_bounded(text.encode(), max_bytes=10**6, max_depth=_depth_of(obj), what="x") == obj


def test_deep_json_never_reaches_the_parser() -> None:
    # eth_account raises the recursion limit to 100,000: at that depth the C parser overflows its stack and the
    # process dies (a segfault), so the depth must be refused before json.loads runs.
    import eth_account  # noqa: F401

    assert sys.getrecursionlimit() >= 100_000
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(InvalidInput, match="nested more than 32 levels"):
        loads_bounded(deep, max_bytes=1 << 20, max_depth=32, what="the settings file")
    assert loads_bounded("[" * 32 + "]" * 32, max_bytes=100, max_depth=32, what="x") is not None
    with pytest.raises(InvalidInput):
        loads_bounded("[" * 33 + "]" * 33, max_bytes=100, max_depth=32, what="x")


def test_size_is_counted_in_utf8_bytes() -> None:
    text = json.dumps("é" * 50, ensure_ascii=False)  # 50 characters, 100 bytes, plus the quotes
    assert loads_bounded(text, max_bytes=102, max_depth=1, what="x") == "é" * 50
    with pytest.raises(InvalidInput, match="larger than 101 bytes"):
        loads_bounded(text, max_bytes=101, max_depth=1, what="x")
    with pytest.raises(InvalidInput, match="larger than"):
        loads_bounded(text.encode(), max_bytes=101, max_depth=1, what="x")


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not valid JSON (line 1, column 2"),
    ("[NaN]", "cannot be read"),
    ("[Infinity]", "cannot be read"),
    ("1" * 5000, "more than 1,000 digits"),
    ("9" * 1001, "more than 1,000 digits"),
    ("1e400", "out of range"),
    ("[-1e400]", "out of range"),
    (b"\xff\xff", "not UTF-8"),
])
def test_bad_json_is_one_clear_error(text: str | bytes, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")) as e:
        loads_bounded(text, max_bytes=1 << 20, max_depth=8, what="the networks file", error=ConfigError)
    assert e.value.user_message.startswith("The networks file")


def test_load_json_file_names_the_file(tmp_path: Path) -> None:
    f = tmp_path / "networks.json"
    f.write_text("[" * 100 + "]" * 100)
    with pytest.raises(InvalidInput, match=f"networks file {f} is nested"):
        load_json_file(f, max_bytes=1 << 20, max_depth=8, what="the networks file")

