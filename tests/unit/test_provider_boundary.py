"""The provider gateway's import rules hold, and the check would catch a break: a copy of the code with one
offending import fails the contract that forbids it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ("The provider gateway never holds a user's wallet: no wallet service, no keys",
             "The core runs the provider gateway only as a separate program, never imports it")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = [c for c in config["contracts"] if c["name"] in CONTRACTS]
    assert len(contracts) == len(CONTRACTS)
    lines = ["[tool.importlinter]", 'root_packages = ["wallet", "provider"]', "include_external_packages = true"]
    for c in contracts:
        lines += ["", "[[tool.importlinter.contracts]]", 'type = "forbidden"']
        lines += [f"{key} = {json.dumps(c[key])}" for key in ("name", "source_modules", "forbidden_modules")]
    (tree / "pyproject.toml").write_text("\n".join(lines) + "\n")  # JSON strings and lists are valid TOML
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(tree), "PATH": str(lint.parent)})


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in ("wallet", "provider"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_contracts_hold(tree: Path) -> None:
    r = lint_imports(tree)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("provider/probe.py", "import wallet.service\n", CONTRACTS[0]),
    ("provider/probe.py", "from wallet.keys import manager\n", CONTRACTS[0]),
    ("wallet/probe.py", "import provider.app\n", CONTRACTS[1]),
])
def test_a_forbidden_import_breaks_its_contract(tree: Path, module: str, line: str, contract: str) -> None:
    (tree / module).write_text(line)
    r = lint_imports(tree)
    assert r.returncode != 0
    assert f"{contract} BROKEN" in " ".join(r.stdout.split())
