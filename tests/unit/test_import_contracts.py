"""The import contracts in pyproject.toml catch what they promise to catch.

A copy of the three packages, with one module per forbidden import added, is checked with the project's own
configuration: every contract must report exactly the probes meant for it. The untouched copy must pass, so
a contract that never fails (a typo in a module name, a folder that is not a package) shows up here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("wallet", "ui", "provider")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

CORE = "The core never imports Qt or the GUI"
GUI_LIBS = "The GUI never imports chain, key or payment libraries"
GUI_CORE = "The GUI reaches the core through the service and its public types only"
PROVIDER = "A provider never holds a user's wallet"
CORE_PROVIDER = "The core runs the provider gateway only as a separate program, never imports it"
CONTRACTS = (CORE, GUI_LIBS, GUI_CORE, PROVIDER, CORE_PROVIDER)

# (contract, the package the probe goes in, the import it makes). Probes sit in sub-packages too, so a folder
# left out of the analysis would be noticed.
PROBES = (
    (CORE, "wallet", "PySide6.QtWidgets"),
    (CORE, "wallet.devnet", "ui.shell"),
    (GUI_LIBS, "ui", "web3"),
    (GUI_LIBS, "ui.pages", "eth_account"),
    (GUI_LIBS, "ui.widgets", "eth_keys"),
    (GUI_LIBS, "ui.views", "keyring"),
    (GUI_LIBS, "ui.dialogs", "x402"),
    (GUI_CORE, "ui.pages", "wallet.keys.manager"),
    (GUI_CORE, "ui.widgets", "wallet.chain.client"),
    (GUI_CORE, "ui.views", "wallet.devnet.demo"),
    (GUI_CORE, "ui", "wallet.tokenizers"),
    (GUI_CORE, "ui.dialogs", "wallet.files"),
    (GUI_CORE, "ui.pages", "wallet.services.accounts"),
    (GUI_CORE, "ui", "wallet.watcher"),
    (PROVIDER, "provider", "wallet.service"),
    (PROVIDER, "provider", "wallet.keys.manager"),
    (PROVIDER, "provider", "wallet.services.accounts"),
    (CORE_PROVIDER, "wallet", "provider.app"),
    (CORE_PROVIDER, "wallet.devnet", "provider.serve"),
)


def copy_packages(dest: Path) -> None:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")


def lint(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}  # the copy, not the installed worktree
    return subprocess.run([str(LINT_IMPORTS), "--config", "pyproject.toml", "--no-cache"], cwd=where, env=env,
                          capture_output=True, text=True, timeout=120)


def broken_sections(output: str) -> dict[str, str]:
    """Contract name → the text the report gives under it in "Broken contracts"."""
    _, _, broken = output.partition("Broken contracts")
    found = sorted((broken.find(f"\n{n}\n"), n) for n in CONTRACTS if f"\n{n}\n" in broken)
    sections = {}
    for i, (start, name) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(broken)
        sections[name] = broken[start:end]
    return sections


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str],
                                                               subprocess.CompletedProcess[str]]:
    clean = tmp_path_factory.mktemp("clean")
    copy_packages(clean)
    dirty = tmp_path_factory.mktemp("probed")
    copy_packages(dirty)
    for i, (_, package, target) in enumerate(PROBES):
        folder = dirty.joinpath(*package.split("."))
        (folder / f"probe_{i}.py").write_text(f"import {target}\n")
    return lint(clean), lint(dirty)


def test_the_packages_as_they_are_keep_every_contract(probed) -> None:  # type: ignore[no-untyped-def]
    clean, _ = probed
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert f"{len(CONTRACTS)} kept, 0 broken" in clean.stdout


@pytest.mark.parametrize("index", range(len(PROBES)), ids=[f"{p[1]}->{p[2]}" for p in PROBES])
def test_each_forbidden_import_breaks_its_contract(probed, index: int) -> None:  # type: ignore[no-untyped-def]
    _, dirty = probed
    assert dirty.returncode != 0
    contract, package, target = PROBES[index]
    sections = broken_sections(dirty.stdout)
    assert contract in sections, dirty.stdout
    top = target.split(".")[0]
    reported = target if top in PACKAGES else top  # a library is reported by its top-level name
    probe = re.escape(f"{package}.probe_{index} -> {reported}")
    assert re.search(rf"-\s+{probe}\b", sections[contract]), sections[contract]
    for other, text in sections.items():  # and only there
        if other != contract:
            assert not re.search(rf"-\s+{probe}\b", text), (other, text)


def test_every_folder_of_the_packages_is_a_package() -> None:
    for name in PACKAGES:
        for folder in (ROOT / name).rglob("*"):
            if folder.is_dir() and folder.name != "__pycache__" and any(folder.glob("*.py")):
                assert (folder / "__init__.py").exists(), f"{folder} is not a package: import checks skip it"
