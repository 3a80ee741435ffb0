"""Devnet `up`: cold (first start, deploys and registers the demo providers) and warm (state reloaded), each in
two steps: the chain ready (what the app waits for) and the demo providers' gateways and facilitator answering
(what `ai-wallet devnet up` waits for). Baseline: a bare anvil start, in the same run."""

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


def up_in_two_steps(m: DevnetManager, port: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    m.up(port, wait_for_services=False)
    chain = time.perf_counter() - t0
    m.services.wait()
    return chain, time.perf_counter() - t0


def main() -> None:
    print(f"machine: {machine()}")
    bare: list[float] = []
    steps: dict[str, list[float]] = {k: [] for k in ("cold chain", "cold all", "warm chain", "warm all")}
    for _ in range(RUNS):
        t0 = time.perf_counter()
        node = start_anvil(free_port())
        bare.append(time.perf_counter() - t0)
        node.stop()
        with tempfile.TemporaryDirectory() as d:
            m = DevnetManager(DataDir(Path(d)))
            port = free_port()
            for phase in ("cold", "warm"):
                chain, everything = up_in_two_steps(m, port)
                steps[f"{phase} chain"].append(chain)
                steps[f"{phase} all"].append(everything)
                m.down()
    b = statistics.median(bare)
    print(f"bare anvil start                          {summary(bare)}")
    for label, key in (("cold: chain ready (deploys, registers)", "cold chain"),
                       ("cold: + demo providers answering", "cold all"),
                       ("warm: chain ready", "warm chain"),
                       ("warm: + demo providers answering", "warm all")):
        print(f"{label:<42}{summary(steps[key])}   {statistics.median(steps[key]) / b:5.1f}x bare anvil")
    print("(in-process; the CLI adds its own start-up, see bench/startup.py)")


if __name__ == "__main__":
    main()
