"""The CLI stays light: parsing and --help never pay for web3, eth_account, Qt or the tokenizers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wallet.devnet import anvil
from wallet.errors import DevnetError

HEAVY = ("web3", "eth_account", "PySide6", "tiktoken", "x402", "keyring")


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from wallet.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"--help imported: {out.stdout.strip()}"


def test_every_command_group_registers() -> None:
    out = subprocess.run([sys.executable, "-m", "wallet.cli.main", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("devnet", "balance"):
        assert command in out.stdout


def test_anvil_not_found_anywhere_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(anvil.ANVIL_ENV, raising=False)
    monkeypatch.setattr(anvil, "REPO_ROOT", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DevnetError) as e:
        anvil.find_anvil()
    assert "was not found" in e.value.user_message and "npm install --prefix contracts" in e.value.user_message


def test_anvil_env_must_be_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "anvil"
    f.write_text("#!/bin/sh\n")
    monkeypatch.setenv(anvil.ANVIL_ENV, str(f))
    with pytest.raises(DevnetError, match="not an executable"):
        anvil.find_anvil()
    os.chmod(f, 0o755)
    assert anvil.find_anvil() == f


def test_only_the_chain_package_imports_web3() -> None:
    root = Path(__file__).resolve().parents[2] / "wallet"
    offenders = []
    for path in root.rglob("*.py"):
        if path.is_relative_to(root / "chain"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import web3", "from web3")):
                offenders.append(f"{path.relative_to(root.parent)}: {stripped}")
    assert offenders == []
