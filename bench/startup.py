"""CLI start-up: `ai-wallet --help` and `ai-wallet balance` against a bare interpreter start, same run."""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, python, summary, time_command

from wallet.config import DataDir
from wallet.devnet.anvil import free_port
from wallet.devnet.manager import DevnetManager

RUNS = 10


def main() -> None:
    print(f"machine: {machine()}")
    base = time_command([python(), "-c", "pass"], RUNS)
    print(f"python -c pass            {summary(base)}")
    with tempfile.TemporaryDirectory() as d:
        dd = DataDir(Path(d))
        manager = DevnetManager(dd)
        manager.up(free_port())
        try:
            cli = [python(), "-m", "wallet.cli.main", "--data-dir", d]
            rows = {
                "ai-wallet --help": time_command([*cli, "--help"], RUNS),
                "ai-wallet devnet status": time_command([*cli, "devnet", "status", "--json"], RUNS),
                "ai-wallet balance": time_command(
                    [*cli, "balance", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "--json"], RUNS),
            }
        finally:
            manager.down()
    b = statistics.median(base)
    for name, samples in rows.items():
        print(f"{name:<26}{summary(samples)}   {statistics.median(samples) / b:5.1f}x bare python")


if __name__ == "__main__":
    main()
