"""Source rules no test of behaviour would notice: no handler swallows a failure, and no widget speaks for the core.

* a catch-all ``except`` whose body only passes, and a ``.failure(...)`` callback that ignores its exception,
  lose a failure without a trace: every handler shows it, re-raises it, or hands it to the central log (a
  narrow ``except OSError: pass`` around an optional step is a decision, not a loss, and is left alone);
* the GUI's ``CoreSignals`` fire only for the core's events: a widget that emitted one itself would announce a
  change the core never made (or made differently).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE_SIGNALS = {"new_block", "connection_changed", "balances_changed", "lock_changed", "accounts_changed",
                "account_selected", "network_switched", "settings_changed", "providers_changed"}


def sources(*packages: str) -> Iterator[tuple[Path, ast.Module]]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def does_nothing(body: list[ast.stmt]) -> bool:
    return all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
               for s in body)


def catches_everything(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(k is None or (isinstance(k, ast.Name) and k.id in ("Exception", "BaseException")) for k in kinds)


def test_no_catch_all_only_passes() -> None:
    found = [f"{path.relative_to(ROOT)}:{node.lineno}"
             for path, tree in sources("ui", "wallet", "provider")
             for node in ast.walk(tree)
             if isinstance(node, ast.ExceptHandler) and catches_everything(node) and does_nothing(node.body)]
    assert found == []


def test_no_failure_callback_ignores_its_exception() -> None:
    found = []
    for path, tree in sources("ui"):
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "failure" and node.args):
                continue
            callback = node.args[0]
            if isinstance(callback, ast.Lambda):
                used = {n.id for n in ast.walk(callback.body) if isinstance(n, ast.Name)}
                params = {a.arg for a in callback.args.args}
                if not params & used:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_no_widget_emits_a_core_signal() -> None:
    found = []
    for path, tree in sources("ui"):
        if path.name == "bridge.py":  # the one place that turns core events into signals
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr == "emit" and isinstance(node.value, ast.Attribute)
                    and node.value.attr in CORE_SIGNALS):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.attr}.emit")
    assert found == []
