"""`ai-wallet budget` and `ai-wallet payments` as real processes: budgets kept in the wallet database, typed
amounts parsed strictly, mistakes answered with clear errors (and JSON errors with --json)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AI_WALLET_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "wallet.cli.main", "--data-dir", str(data), *args],
                          capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)


def test_budgets_default_set_show_and_clear(tmp_path: Path) -> None:
    shown = json.loads(cli(tmp_path, "budget", "--json").stdout)
    assert (shown["per_task_ait"], shown["daily_ait"], shown["spent_today_base_units"]) == ("1", "10", "0")
    r = cli(tmp_path, "budget", "--per-task", "0.25", "--daily", "none", "--json")
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert (shown["per_task_base_units"], shown["daily_base_units"]) == (str(25 * 10**16), None)
    assert "no limit" in cli(tmp_path, "budget").stdout  # another process reads what this one set
    assert shown["note"] is None


def test_a_per_task_budget_above_the_daily_one_is_kept_with_a_note(tmp_path: Path) -> None:
    r = cli(tmp_path, "budget", "--per-task", "50", "--daily", "10")
    assert r.returncode == 0 and "Note: The per-task limit (50 AIT) is above the daily limit (10 AIT)" in r.stdout
    shown = json.loads(cli(tmp_path, "budget", "--json").stdout)
    assert shown["per_task_ait"] == "50" and "a task can spend at most the daily limit" in shown["note"]


def test_bad_budgets_and_payment_numbers_are_clear_errors(tmp_path: Path) -> None:
    for args, words in ((("--per-task", "1e3"), "--per-task: '1e3' is not an amount"),
                        (("--daily", "-5"), "--daily: The amount '-5' is negative")):
        r = cli(tmp_path, "budget", *args)
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr
    r = cli(tmp_path, "payments", "show", "--json")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["message"].startswith("Which payment?")
    r = cli(tmp_path, "payments", "show", "42")
    assert r.returncode == 2 and "There is no payment 42" in r.stderr
    assert cli(tmp_path, "payments").stdout.strip() == "No payments yet."
