"""The failure log: every unexpected failure with its traceback, in a rotating file of the data dir readable by
its owner only, and never a secret in it — even one logged by mistake."""

from __future__ import annotations

import io
import logging
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from wallet.config import DataDir
from wallet.errors import NetworkError
from wallet.logs import KEY_MARK, LOG_BACKUPS, LOG_FILE_BYTES, PHRASE_MARK, log_failure, redact, setup_logging

KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # anvil's public dev key 0
PHRASE = "test test test test test test test test test test test junk"  # public (anvil's, Hardhat's)
PHRASE_24 = ("abandon ability able about above absent absorb abstract absurd abuse access accident account "
             "accuse achieve acid acoustic acquire across act action actor actress actual")
ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[tuple[Path, logging.Logger]]:
    """setup_logging as the app does it, undone afterwards so the rest of the session logs as before."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    hooks = sys.excepthook, threading.excepthook
    path = setup_logging(DataDir(tmp_path / "wd"), "app")
    assert path is not None
    console = next(h for h in root.handlers if h not in handlers and not isinstance(h, logging.FileHandler))
    assert isinstance(console, logging.StreamHandler)
    console.setStream(io.StringIO())  # what the terminal would show
    try:
        yield path, logging.getLogger("wallet.somewhere")
    finally:
        for h in list(root.handlers):
            if h not in handlers:
                root.removeHandler(h)
                h.close()
        root.setLevel(level)
        sys.excepthook, threading.excepthook = hooks


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("secret", [KEY, "0x" + KEY, KEY.upper(), PHRASE, PHRASE_24, PHRASE.upper(),
                                    "1. test 2. test 3. test 4. test 5. test 6. test 7. test 8. test 9. test "
                                    "10. test 11. test 12. junk", str(PHRASE.split())])
def test_a_secret_logged_by_mistake_never_reaches_the_file_or_the_console(logged, secret: str) -> None:  # type: ignore[no-untyped-def]
    path, log = logged
    log.warning("about to use %s for %s", secret, ADDRESS)
    log.error("as a message: " + secret)
    try:
        raise ValueError(f"could not parse {secret}")
    except ValueError as e:
        log_failure(e, "parsing")
    written = text_of(path)
    console = next(h for h in logging.getLogger().handlers if isinstance(getattr(h, "stream", None), io.StringIO))
    for out in (written, console.stream.getvalue()):  # type: ignore[attr-defined]
        for word in (KEY, KEY.upper(), PHRASE, PHRASE.upper(), "test test test", PHRASE_24[:40], "'test', 'test'"):
            assert word not in out
        assert ADDRESS in out  # what is not secret stays readable
        assert "Traceback" in out and "could not parse" in out
        assert KEY_MARK in out or PHRASE_MARK in out


def test_ordinary_words_and_addresses_are_left_alone() -> None:
    text = (f"Sent 1.5 AIT from {ADDRESS} to the provider at block 12,345: the network answered in time and "
            "the wallet saved the receipt")
    assert redact(text) == text
    eleven = " ".join(PHRASE_24.split()[:11])  # eleven phrase words in a row are not yet a phrase
    assert redact(f"words: {eleven}.") == f"words: {eleven}."
    assert redact(f"words: {PHRASE_24}.") == f"words: {PHRASE_MARK}."


def test_an_unexpected_failure_is_logged_once_with_its_traceback(logged) -> None:  # type: ignore[no-untyped-def]
    path, _ = logged

    def deep_in_the_code() -> None:
        {}["missing"]

    try:
        deep_in_the_code()
    except KeyError as e:
        log_failure(e, "reading something")
        log_failure(e, "passing it on")  # handed on by another handler: not written twice
    written = text_of(path)
    assert "reading something failed unexpectedly" in written and "passing it on" not in written
    assert written.count("Traceback") == 1 and "deep_in_the_code" in written and "KeyError" in written


def test_an_expected_error_is_quiet(logged) -> None:  # type: ignore[no-untyped-def]
    path, log = logged
    log_failure(NetworkError("Cannot reach the network."), "reading balances")
    log.info("an ordinary line")
    written = text_of(path)
    assert "Cannot reach the network" not in written and "an ordinary line" in written


def test_a_thread_that_dies_is_logged(logged) -> None:  # type: ignore[no-untyped-def]
    path, _ = logged

    def crash() -> None:
        raise RuntimeError("a worker died")

    t = threading.Thread(target=crash, name="worker-7")
    t.start()
    t.join()
    written = text_of(path)
    assert "thread worker-7 failed unexpectedly" in written and "RuntimeError: a worker died" in written


def test_the_file_is_private_and_rotates(logged) -> None:  # type: ignore[no-untyped-def]
    path, log = logged
    line = "x" * 1000
    for _ in range((LOG_BACKUPS + 3) * LOG_FILE_BYTES // 1000):
        log.info(line)
    files = sorted(path.parent.iterdir())
    assert [f.name for f in files] == ["app.log"] + [f"app.log.{i}" for i in range(1, LOG_BACKUPS + 1)]
    for f in files:
        assert f.stat().st_size <= LOG_FILE_BYTES + 2000
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_data_dir_gets_no_log_until_something_is_logged(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    setup_logging(DataDir(tmp_path / "wd"), "cli", console_level=logging.WARNING, hooks=False)
    try:
        assert not (tmp_path / "wd").exists()
    finally:
        for h in list(root.handlers):
            if h not in before:
                root.removeHandler(h)
                h.close()


def test_a_bug_in_a_cli_command_is_logged_with_its_traceback(tmp_path: Path) -> None:
    data_dir = tmp_path / "wd"
    script = (
        "import sys, wallet.cli.chain_cmd as c\n"
        "def broken(args, ctx):\n"
        f"    raise KeyError('{KEY}')\n"
        "c.cmd_balance = broken\n"
        "from wallet.cli.main import main\n"
        f"sys.exit(main(['--data-dir', {str(data_dir)!r}, 'balance', {ADDRESS!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "AI_WALLET_DATA_DIR": str(data_dir)})
    assert proc.returncode == 1
    log_file = data_dir / "logs" / "cli.log"
    assert f"details are in {log_file}" in proc.stderr
    for out in (proc.stderr, text_of(log_file)):
        assert "Traceback" in out and "in broken" in out and "ai-wallet balance failed unexpectedly" in out
        assert KEY not in out
