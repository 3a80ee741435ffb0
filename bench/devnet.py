"""Devnet `up`: cold (first start, deploys and registers the demo providers) and warm (state reloaded)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, summary

from wallet.config import DataDir
from wallet.devnet.anvil import free_port, start_anvil
from wallet.devnet.manager import DevnetManager

RUNS = 5


def main() -> None:
    print(f"machine: {machine()}")
    bare, cold, warm = [], [], []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        node = start_anvil(free_port())
        bare.append(time.perf_counter() - t0)
        node.stop()
        with tempfile.TemporaryDirectory() as d:
            m = DevnetManager(DataDir(Path(d)))
            port = free_port()
            t0 = time.perf_counter()
            m.up(port)
            cold.append(time.perf_counter() - t0)
            m.down()
            t0 = time.perf_counter()
            m.up(port)
            warm.append(time.perf_counter() - t0)
            m.down()
    b = statistics.median(bare)
    print(f"bare anvil start          {summary(bare)}")
    print(f"devnet up, cold (deploy)  {summary(cold)}   {statistics.median(cold) / b:5.1f}x bare anvil")
    print(f"devnet up, warm           {summary(warm)}   {statistics.median(warm) / b:5.1f}x bare anvil")
    print("(in-process; the CLI adds its own start-up, see bench/startup.py)")


if __name__ == "__main__":
    main()
