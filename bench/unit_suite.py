"""Wall time of the unit suite (tests/unit), against the unit suite of a baseline revision, same run.

    .venv/bin/python bench/unit_suite.py [BASELINE_REV] [RUNS]

The baseline's sources are extracted with `git archive` into a temporary folder and both suites run with this
checkout's interpreter, alternately, so that load from other processes on the machine weighs on both alike.
Run it the way the tests run (scripts/with-secret-service.sh) so that both see the same keyring.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, python

ROOT = Path(__file__).resolve().parents[1]


def run_suite(tree: Path) -> tuple[float, int]:
    """Seconds of wall time and the number of tests that passed; `python -m pytest` from ``tree`` imports that
    tree's `wallet`, not the installed one."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("AI_WALLET_DATA_DIR", None)
    t0 = time.perf_counter()
    out = subprocess.run([python(), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit"], cwd=tree,
                         capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"the unit suite failed in {tree}:\n{out.stdout[-3000:]}")
    passed = re.search(r"(\d+) passed", out.stdout)
    return elapsed, int(passed.group(1)) if passed else 0


def main() -> None:
    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD~1"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as d:
        base_tree = Path(d)
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base_tree)], input=archive, check=True)
        base, head = [], []
        for _ in range(runs):
            base.append(run_suite(base_tree))
            head.append(run_suite(ROOT))
    b = statistics.median(t for t, _ in base)
    h = statistics.median(t for t, _ in head)
    print(f"baseline {rev:<12} {b:7.1f} s  ({base[0][1]} tests, runs: {', '.join(f'{t:.1f}' for t, _ in base)})")
    print(f"this checkout       {h:7.1f} s  ({head[0][1]} tests, runs: {', '.join(f'{t:.1f}' for t, _ in head)})")
    print(f"ratio               {h / b:7.2f}x the baseline")


if __name__ == "__main__":
    main()
