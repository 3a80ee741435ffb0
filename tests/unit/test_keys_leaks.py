"""No key, phrase or password ends up in the data dir, the logs, exception texts or the stored blobs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from keyskit import FAST_N, exercise_wallet, files_under, find_leaks, phrase_needles

from wallet.config import DataDir, Settings
from wallet.keys.manager import KeyManager


def test_leak_search_finds_a_planted_phrase() -> None:
    phrase = "legal winner thank year wave sausage worth useful legal winner thank yellow"
    hay = {"planted": b"prefix " + "\n".join(phrase.split()).encode() + b" suffix"}
    assert find_leaks(hay, phrase_needles(phrase)) == ["phrase newline in planted"]


def test_no_secret_in_data_dir_logs_errors_or_file_vault(
    _isolated_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    caplog.set_level(logging.DEBUG)
    data_dir = DataDir(_isolated_data_dir)
    km = KeyManager(data_dir, Settings(), scrypt_n=FAST_N, idle_timeout=None, auto_lock_thread=False)
    out = tmp_path / "out"
    out.mkdir()
    needles, haystacks = exercise_wallet(km, out)
    files = files_under(data_dir.root)
    assert str(data_dir.root / "keyring-file.json") in files  # the raw vault entries are searched too
    assert len(caplog.records) > 5, "logging was captured"
    haystacks.update(files)
    haystacks["logs"] = caplog.text.encode()
    assert find_leaks(haystacks, needles) == []
