"""Running `ai-wallet` as a real subprocess, the way a script would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(data_dir: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120,
            stdin: str | None = None) -> Result:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("AI_WALLET_DATA_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-m", "wallet.cli.main", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=timeout, env=full_env,
        input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return Result(proc.returncode, proc.stdout, proc.stderr)
