"""`ai-wallet account …` attacked with hostile files, in real processes with real scrypt and the file vault:
passwords kept whole, special files never replaced, every refusal before anything changes, Ctrl+D at a prompt."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import Result, run_cli
from keyskit import TEST_ADDR0, TEST_PHRASE

FILE_VAULT = {"AI_WALLET_KEYRING": "file"}
PASSWORD = "a good password"


def cli(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run_cli(data_dir, *args, env=FILE_VAULT if env is None else env)


def write(path: Path, data: str | bytes) -> str:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


@pytest.fixture(scope="module")
def wallet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A wallet holding the test phrase, and its password file."""
    tmp = tmp_path_factory.mktemp("wallet")
    pw = write(tmp / "pw", PASSWORD + "\n")
    r = cli(tmp / "wd", "account", "import", "--mnemonic-file", write(tmp / "m", TEST_PHRASE),
            "--password-file", pw, "--json")
    assert r.code == 0, r.err
    return tmp / "wd", pw


# --- passwords from files ---

def test_a_password_keeps_every_character_but_the_final_line_break(tmp_path: Path) -> None:
    # str.splitlines() also splits at U+2028, U+0085, \f and \v: the password would have been its prefix.
    password = "correct horse\u2028battery\x85staple\x0cnine\x0bten"
    wd = tmp_path / "wd"
    r = cli(wd, "account", "import", "--mnemonic-file", write(tmp_path / "m", TEST_PHRASE),
            "--password-file", write(tmp_path / "pw", password + "\r\n"))
    assert r.code == 0, r.err
    prefix = cli(wd, "account", "unlock", "--password-file", write(tmp_path / "prefix", "correct horse\n"), "--json")
    assert prefix.code == 1 and prefix.json()["error"]["code"] == "invalid_password"
    whole = cli(wd, "account", "unlock", "--password-file", write(tmp_path / "whole", password), "--json")
    assert whole.code == 0 and whole.json()["ok"] is True


def test_a_password_file_of_two_lines_is_refused_not_cut(wallet: tuple[Path, str], tmp_path: Path) -> None:
    r = cli(wallet[0], "account", "unlock", "--password-file", write(tmp_path / "pw", PASSWORD + "\nsecond\n"))
    assert r.code == 2 and "more than one line" in r.err


def test_a_password_from_a_pipe(wallet: tuple[Path, str], tmp_path: Path) -> None:
    fifo = tmp_path / "pw-pipe"
    os.mkfifo(fifo)  # what `--password-file <(pass show wallet)` gives
    writer = threading.Thread(target=lambda: fifo.write_text(PASSWORD + "\n"), daemon=True)
    writer.start()
    r = cli(wallet[0], "account", "unlock", "--password-file", str(fifo))
    writer.join(30)
    assert r.code == 0, r.err


@pytest.mark.parametrize(("source", "message"), [
    ("/dev/zero", "larger than 64 KiB"),
    ("/dev/urandom", "larger than 64 KiB"),
    ("huge", "larger than 64 KiB"),
    ("loop", "Too many levels of symbolic links"),
    ("folder", "is a folder"),
])
def test_endless_or_odd_password_files(wallet: tuple[Path, str], tmp_path: Path, source: str, message: str) -> None:
    path = tmp_path / "pw"
    if source == "huge":
        with open(path, "wb") as f:
            f.truncate(100 * 1024 * 1024)
    elif source == "loop":
        path.symlink_to(path)
    elif source == "folder":
        path.mkdir()
    else:
        path = Path(source)
    r = cli(wallet[0], "account", "unlock", "--password-file", str(path), "--json")
    assert r.code == 2 and message in r.json()["error"]["message"]


def test_the_recorded_vault_is_used_without_the_variable(tmp_path: Path) -> None:
    wd = tmp_path / "wd"
    pw = write(tmp_path / "pw", PASSWORD)
    assert cli(wd, "account", "create", "--password-file", pw).code == 0  # with AI_WALLET_KEYRING=file
    env = {k: v for k, v in os.environ.items() if k != "AI_WALLET_KEYRING"}
    r = run_cli(wd, "account", "unlock", "--password-file", pw, "--json", env=env)
    assert r.code == 0 and r.json()["missing"] == [], r.err


# --- every argument checked before anything changes ---

def test_an_over_long_label_fails_before_the_phrase_is_stored(tmp_path: Path) -> None:
    wd = tmp_path / "wd"
    r = cli(wd, "account", "import", "--mnemonic-file", write(tmp_path / "m", TEST_PHRASE), "--label", "x" * 65,
            "--password-file", write(tmp_path / "pw", PASSWORD))
    assert r.code == 2 and "at most 64" in r.err
    assert cli(wd, "account", "list", "--json").json() == []
    assert not (wd / "accounts.json").exists() and not (wd / "keyring-file.json").exists()


def test_a_short_keystore_password_is_refused_before_the_wallet_password(wallet: tuple[Path, str],
                                                                           tmp_path: Path) -> None:
    out = tmp_path / "ks.json"
    # No wallet password is given and there is no terminal: had the wallet password been asked first, the error
    # would be that it is needed.
    r = cli(wallet[0], "account", "export", TEST_ADDR0, "--keystore", str(out),
            "--keystore-password-file", write(tmp_path / "kp", "short"), "--json")
    assert r.code == 2 and "at least 8 characters" in r.json()["error"]["message"]
    assert not out.exists()


# --- exporting never replaces what it must not ---

def test_export_creates_and_never_overwrites(wallet: tuple[Path, str], tmp_path: Path) -> None:
    data_dir, pw = wallet
    out = tmp_path / "ks.json"
    assert cli(data_dir, "account", "export", TEST_ADDR0, "--keystore", str(out), "--password-file", pw).code == 0
    first = out.read_bytes()
    again = cli(data_dir, "account", "export", TEST_ADDR0, "--keystore", str(out), "--json")  # no password: the
    assert again.code == 2 and "already exists" in again.json()["error"]["message"]  # refusal came first
    assert out.read_bytes() == first


@pytest.mark.parametrize("kind", ["fifo", "symlink", "folder"])
def test_export_force_refuses_what_is_not_a_regular_file(wallet: tuple[Path, str], tmp_path: Path,
                                                         kind: str) -> None:
    data_dir, pw = wallet
    out = tmp_path / "ks.json"
    victim = tmp_path / "victim"
    victim.write_text("precious")
    {"fifo": lambda: os.mkfifo(out), "symlink": lambda: out.symlink_to(victim), "folder": out.mkdir}[kind]()
    before = os.lstat(out)
    r = cli(data_dir, "account", "export", TEST_ADDR0, "--keystore", str(out), "--force", "--password-file", pw,
            "--json")
    assert r.code == 2 and "only a regular file can be replaced" in r.json()["error"]["message"]
    assert (os.lstat(out).st_mode, os.lstat(out).st_ino) == (before.st_mode, before.st_ino)
    assert victim.read_text() == "precious"


# --- a prompt answered with Ctrl+D ---

@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    main, secondary = pty.openpty()
    yield main, secondary
    for fd in (main, secondary):
        with contextlib.suppress(OSError):
            os.close(fd)


def run_in_terminal(terminal: tuple[int, int], data_dir: Path, *args: str, answer: bytes) -> tuple[int, str]:
    main, secondary = terminal
    proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "--data-dir", str(data_dir), *args],
                            stdin=secondary, stdout=secondary, stderr=secondary, env={**os.environ, **FILE_VAULT},
                            start_new_session=True)
    os.close(secondary)
    output = b""
    asked = False
    while proc.poll() is None or select.select([main], [], [], 0)[0]:
        ready, _, _ = select.select([main], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed with the process
            break
        output += chunk
        if not asked and b"Type 'yes'" in output:
            os.write(main, answer)
            asked = True
    proc.wait(60)
    return proc.returncode, output.decode(errors="replace")


@pytest.mark.parametrize(("answer", "why"), [(b"\x04", "Ctrl+D"), (b"no\n", "no")])
def test_a_confirmation_declined_or_ended_cancels(terminal: tuple[int, int], tmp_path: Path, answer: bytes,
                                                  why: str) -> None:
    state = tmp_path / "wd" / "devnet" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text("{}")
    code, output = run_in_terminal(terminal, tmp_path / "wd", "devnet", "reset", answer=answer)
    assert code == 3, output
    assert "Nothing was erased" in output and "Traceback" not in output
    assert state.read_text() == "{}"
