"""The CLI's contract with scripts: one table of exit codes, --json on every command, errors as JSON (usage errors
included), empty values refused rather than replaced by a default. Run in-process: no command here gets far
enough to need a chain or a key."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from wallet.cli import exits
from wallet.cli.main import build_parser, main
from wallet.errors import (
    ConfigError,
    InvalidAddress,
    InvalidPassword,
    KeystoreError,
    PaymentRefused,
    UserCancelled,
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def leaf_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for name, sub in subs[0].choices.items():
        yield from leaf_parsers(sub, (*path, name))


def test_every_command_accepts_json() -> None:
    leaves = dict(leaf_parsers(build_parser()))
    assert len(leaves) >= 17  # devnet ×5, balance, account ×11, providers, quote
    missing = [" ".join(path) for path, p in leaves.items()
               if not any("--json" in a.option_strings for a in p._actions)]
    assert missing == []


def test_the_exit_code_table() -> None:
    assert (exits.OK, exits.FAILURE, exits.USAGE, exits.REFUSED) == (0, 1, 2, 3)
    assert exits.exit_code(InvalidAddress("x")) == exits.USAGE
    assert exits.exit_code(exits.UsageError("x")) == exits.USAGE
    assert exits.exit_code(InvalidPassword("x")) == exits.FAILURE
    assert exits.exit_code(ConfigError("x")) == exits.FAILURE
    assert exits.exit_code(UserCancelled()) == exits.REFUSED
    assert exits.exit_code(PaymentRefused("x")) == exits.REFUSED
    assert exits.exit_code(KeyboardInterrupt()) == exits.INTERRUPTED
    assert exits.error_code(KeystoreError("x")) == "keystore_error"
    assert exits.error_code(RuntimeError("x")) == "internal"


def test_readme_lists_the_table() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 130 |"):
        assert code in readme


@pytest.mark.parametrize("argv", [
    ["account", "list", "--bogus"],
    ["devnet", "up", "--port", "0"],
    ["devnet", "up", "--port", "http"],
    ["nonsense"],
    ["quote", "--compare"],  # --max-output and a prompt are required
    ["quote", "--compare", "--max-output", "-5", "--prompt", "hi"],
    ["quote", "--compare", "--max-output", "9" * 5000, "--prompt", "hi"],
    ["quote", "--provider", "١", "--model", "m", "--max-output", "5", "--prompt", "hi"],  # not an ASCII digit
    ["devnet", "up", "--port", "9" * 5000],
])
def test_usage_errors_are_json_with_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    rc, out, err = run(capsys, *argv, "--json")
    assert rc == exits.USAGE
    body = json.loads(out)
    assert body["error"]["code"] == "usage" and body["error"]["message"]
    assert "usage:" in err  # the human form still goes to stderr
    assert len(body["error"]["message"]) < 200  # a hostile value is never echoed whole
    rc, out, err = run(capsys, *argv)
    assert rc == exits.USAGE and out == "" and "error:" in err


@pytest.mark.parametrize("argv", [
    ["--data-dir", "", "account", "list"],
    ["account", "list", "--data-dir", ""],
    ["--network", "", "balance", "0x0000000000000000000000000000000000000001"],
    ["account", "create", "--password-file", ""],
    ["account", "import", "--mnemonic-file", ""],
    ["account", "import", "--mnemonic-file", "m", "--label", " "],
    ["account", "export", "0x0000000000000000000000000000000000000001", "--keystore", ""],
    ["account", "change-password", "--new-password-file", ""],
    ["quote", "--provider", "1", "--model", "m", "--max-output", "5", "--file", ""],
    ["devnet", "faucet", "", "--eth", "1"],
])
def test_empty_values_are_refused_not_defaulted(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                argv: list[str]) -> None:
    rc, out, _ = run(capsys, *argv, "--json")
    assert rc == exits.USAGE
    assert "empty value is not allowed" in json.loads(out)["error"]["message"]
    assert not any(tmp_path.iterdir())


def test_unknown_network_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, out, _ = run(capsys, "--data-dir", str(tmp_path), "--network", "nowhere", "account", "list", "--json")
    assert rc == exits.USAGE and "Unknown network 'nowhere'" in json.loads(out)["error"]["message"]


def test_json_without_a_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "--json")
    assert rc == exits.USAGE and json.loads(out)["error"]["code"] == "usage"


def test_a_wallet_error_is_one_json_object(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, out, err = run(capsys, "--data-dir", str(tmp_path), "balance", "0x1234", "--json")
    assert rc == exits.USAGE
    assert json.loads(out) == {"error": {"code": "invalid_address", "message": json.loads(out)["error"]["message"]}}
    assert "error: " in err


def test_an_internal_fault_is_reported_as_one(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from wallet.cli import account_cmd

    def broken(*_: object) -> int:
        raise KeyError("a bug")

    monkeypatch.setattr(account_cmd, "cmd_list", broken)
    rc, out, err = run(capsys, "--data-dir", str(tmp_path), "account", "list", "--json")
    assert rc == exits.FAILURE and json.loads(out)["error"]["code"] == "internal"
    assert "Traceback" in err  # a fault of the wallet keeps its traceback, for the bug report


def test_a_data_dir_that_is_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "not-a-dir"
    f.write_text("x")
    rc, out, _ = run(capsys, "--data-dir", str(f), "account", "list", "--json")
    assert rc == exits.USAGE and "Not a directory" in json.loads(out)["error"]["message"]


def test_a_5000_digit_amount(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, out, err = run(capsys, "--data-dir", str(tmp_path), "devnet", "faucet",
                       "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "--eth", "9" * 5000, "--json")
    assert rc == exits.USAGE and "that is not an amount" in json.loads(out)["error"]["message"]
    assert "Traceback" not in err


def test_a_settings_file_nested_deep(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("[" * 100_000 + "]" * 100_000)
    rc, out, err = run(capsys, "--data-dir", str(tmp_path), "account", "list", "--json")
    assert rc == exits.FAILURE and json.loads(out)["error"]["code"] == "config_error"
    assert "nested more than" in err and "Traceback" not in err
