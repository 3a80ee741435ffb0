"""More bad input, each with a clear error and nothing lost: damaged or unreadable settings, non-text secret
files, absurdly nested chat files, hostile keystore parameters, non-ASCII digits, failed private writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account

from wallet.cli.main import main
from wallet.errors import InvalidAmount, KeystoreError
from wallet.files import write_private_text
from wallet.keys.keystore import parse_foreign_keystore
from wallet.units import parse_amount


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """The CLI in-process: these commands fail before any chain, key or scrypt work."""

    def run(*args: str) -> Run:
        rc = main(list(args))
        out, err = capsys.readouterr()
        return Run(rc, out, err)

    return run


def test_damaged_settings_is_an_error_not_a_traceback(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "settings.json").write_text("{not json")
    r = cli("--data-dir", str(tmp_path), "account", "list", "--json")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "damaged" in r.stderr
    assert (tmp_path / "settings.json").read_text() == "{not json"


def test_a_secret_file_that_is_not_text(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "phrase.bin"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    pw = tmp_path / "pw"
    pw.write_text("a long password\n")
    r = cli("--data-dir", str(tmp_path / "wd"), "account", "import", "--mnemonic-file", str(bad),
            "--password-file", str(pw))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "not UTF-8 text" in r.stderr


def test_a_deeply_nested_messages_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    r = cli("--data-dir", str(tmp_path / "wd"), "quote", "--provider", "1", "--model", "m", "--max-output", "5",
            "--messages-file", str(deep))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "nested more than 10 levels" in r.stderr


def test_hostile_scrypt_parameters_are_refused_before_any_work() -> None:
    ks = Account.encrypt("0x" + "11" * 32, "pw", kdf="scrypt", iterations=2**12)
    ks["crypto"]["kdfparams"].update({"n": 2**15, "r": 2**8, "p": 2**7})
    with pytest.raises(KeystoreError, match="more memory or time"):
        parse_foreign_keystore(json.dumps(ks))
    ks["crypto"]["kdfparams"].update({"n": 2**12, "r": 64, "p": 1})
    with pytest.raises(KeystoreError, match="more memory or time"):
        parse_foreign_keystore(json.dumps(ks))


def test_cipherparams_that_are_not_an_object() -> None:
    ks = Account.encrypt("0x" + "11" * 32, "pw", kdf="scrypt", iterations=2**12)
    ks["crypto"]["cipherparams"] = "iv"
    with pytest.raises(KeystoreError, match="damaged"):
        parse_foreign_keystore(json.dumps(ks))


@pytest.mark.parametrize("text", ["١٢", "１２.５", "12.٥", "²"])
def test_only_ascii_digits_make_an_amount(text: str) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(text)


def test_a_failed_private_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "exists-as-dir"
    target.mkdir()
    with pytest.raises(OSError):
        write_private_text(target, "secret-ish keystore json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists-as-dir"]
