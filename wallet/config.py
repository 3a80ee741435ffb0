"""Where the wallet keeps its files, and its typed settings.

Settings are a small JSON document validated field by field (never pickled); unknown keys are kept so that a
newer version's settings survive a round trip through an older one. The app and a CLI command each hold a copy;
saving writes only what that copy changed, over the file as it is then, so neither undoes the other's changes.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from wallet.errors import ConfigError
from wallet.files import ProcessLock, write_private_text
from wallet.safe_io import MIB, loads_bounded, read_bytes

APP_NAME = "ai-token-wallet"
DATA_DIR_ENV = "AI_WALLET_DATA_DIR"


def default_data_dir() -> Path:
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class DataDir:
    """The paths inside one wallet data directory."""

    root: Path

    @property
    def devnet(self) -> Path:
        return self.root / "devnet"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    @property
    def networks_file(self) -> Path:
        return self.root / "networks.json"

    @property
    def accounts_file(self) -> Path:
        return self.root / "accounts.json"

    @property
    def database(self) -> Path:
        """The wallet's one SQLite database: payment intents, transfers and the synced history."""
        return self.root / "wallet.sqlite3"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> DataDir:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self


def write_json_atomic(path: Path, data: Any) -> None:
    """Write-then-rename so a crash never leaves half a file (owner-only, like everything in the data dir)."""
    write_private_text(path, json.dumps(data, indent=2, sort_keys=True))


# The wallet's own JSON files are small (settings, accounts, networks, devnet records); these bounds are far above
# any real one and far below what could hurt the process.
DATA_FILE_MAX_BYTES = 4 * MIB
DATA_FILE_MAX_DEPTH = 32


def read_json(path: Path, what: str, *, max_bytes: int = DATA_FILE_MAX_BYTES,
              max_depth: int = DATA_FILE_MAX_DEPTH) -> Any:
    """One of the data dir's JSON files, bounded in size and depth; ``FileNotFoundError`` when it is absent.

    Anything else that keeps it from being read is a ``ConfigError`` that leaves the file as it is.
    """
    try:
        data = read_bytes(path, max_bytes=max_bytes, what=f"the {what} file", must_exist=False, error=ConfigError)
    except ConfigError as e:
        raise ConfigError(f"{e.user_message} Check the wallet's data folder.") from None
    try:
        return loads_bounded(data, max_bytes=max_bytes, max_depth=max_depth, what="its content", error=ConfigError)
    except ConfigError as e:
        detail = e.user_message.rstrip(".")
        raise ConfigError(
            f"The {what} file {path} is damaged: {detail[:1].lower()}{detail[1:]}. It was left as it is: move it "
            "aside or restore it from a backup."
        ) from None


SETTINGS_LOCK_FILE = "settings.lock"


@dataclass
class Settings:
    network: str = "devnet"
    auto_lock_minutes: int = 10
    extra: dict[str, Any] = field(default_factory=dict)
    # The file's content as this copy last read or wrote it: what differs from it is what this copy changed.
    _known: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, data_dir: DataDir) -> Settings:
        try:
            raw = read_json(data_dir.settings_file, "settings")
        except FileNotFoundError:
            raw = {}
        if not isinstance(raw, dict):
            raise ConfigError(f"The settings file {data_dir.settings_file} is not a JSON object.")
        s = cls()
        s._take(raw)
        return s

    def _take(self, raw: dict[str, Any]) -> None:
        if isinstance(raw.get("network"), str):
            self.network = raw["network"]
        alm = raw.get("auto_lock_minutes")
        if isinstance(alm, int) and not isinstance(alm, bool) and 0 <= alm <= 24 * 60:
            self.auto_lock_minutes = alm
        self.extra = {k: v for k, v in raw.items() if k not in ("network", "auto_lock_minutes")}
        self._known = copy.deepcopy(self.as_dict())

    def as_dict(self) -> dict[str, Any]:
        return {**self.extra, "network": self.network, "auto_lock_minutes": self.auto_lock_minutes}

    def save(self, data_dir: DataDir) -> None:
        """Write the settings this copy changed (set or removed) over the file as another process may have left
        it, and take that process's changes in: one setting changed by both is the last writer's."""
        mine = self.as_dict()
        with ProcessLock(data_dir.root / SETTINGS_LOCK_FILE):
            try:
                current = Settings.load(data_dir).as_dict()
            except ConfigError:  # a damaged file is replaced, as any save always did
                current = {}
            merged = dict(current)
            for key in mine.keys() | self._known.keys():
                if key not in mine:
                    merged.pop(key, None)
                elif key not in self._known or mine[key] != self._known[key]:
                    merged[key] = copy.deepcopy(mine[key])
            write_json_atomic(data_dir.settings_file, merged)
        self._take(merged)
