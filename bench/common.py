"""Small helpers shared by the benchmarks: timing repeated runs and describing the machine."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def time_runs(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def time_command(argv: Sequence[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    full_env = {**os.environ, **(env or {})}
    return time_runs(
        lambda: subprocess.run(argv, check=True, capture_output=True, env=full_env), runs
    )


def summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"median {statistics.median(ms):8.1f} ms   min {ms[0]:8.1f} ms   (n={len(ms)})"


def python() -> str:
    return sys.executable
