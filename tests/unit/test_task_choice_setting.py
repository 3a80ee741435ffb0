"""The task choice remembered per network: strict when saved, tolerant when read back (a hand-edited
settings file forgets what it damaged), and the model picked from what the registry still offers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wallet.config import DataDir
from wallet.errors import InvalidInput
from wallet.events import SettingsChanged
from wallet.registry import ModelPrice, ProviderInfo
from wallet.service import WalletService
from wallet.task_choice import MAX_SYSTEM_PROMPT_CHARS, SETTING, TaskChoice

ZERO = "0x" + "0" * 40


def provider(pid: int, *models: str) -> ProviderInfo:
    return ProviderInfo(pid, ZERO, f"P{pid}", "http://x", ZERO, False, True,
                        tuple(ModelPrice(m, "o200k_base", 1, 1, 1000, 100) for m in models))


@pytest.mark.parametrize("raw", [
    None, [], "x", {"provider_id": True, "model": 5, "max_output": 0, "system_prompt": ["x"]},
    {"provider_id": -1, "max_output": 2**40, "model": "m" * 201, "system_prompt": "s" * (MAX_SYSTEM_PROMPT_CHARS + 1)},
])
def test_damaged_values_are_forgotten(raw: object) -> None:
    assert TaskChoice.from_json(raw) == TaskChoice()


def test_a_saved_choice_reads_back() -> None:
    choice = TaskChoice(3, "gpt-4", 512, "Be brief.")
    assert TaskChoice.from_json(json.loads(json.dumps(choice.to_json()))) == choice


@pytest.mark.parametrize("bad", [
    TaskChoice(max_output=0), TaskChoice(max_output=2**32), TaskChoice(provider_id=-1),
    TaskChoice(model="m" * 201), TaskChoice(system_prompt="s" * (MAX_SYSTEM_PROMPT_CHARS + 1)),
])
def test_what_cannot_be_remembered_is_refused(bad: TaskChoice) -> None:
    with pytest.raises(InvalidInput):
        bad.check()


def test_pick_prefers_the_remembered_model_else_the_first() -> None:
    sheet = [provider(1), provider(2, "a", "b"), provider(3, "c")]
    assert TaskChoice(3, "c").pick(sheet) == (sheet[2], sheet[2].models[0])
    assert TaskChoice(3, "gone").pick(sheet) == (sheet[1], sheet[1].models[0])  # provider 1 offers nothing
    assert TaskChoice().pick(sheet) == (sheet[1], sheet[1].models[0])
    assert TaskChoice().pick([provider(1)]) is None


def test_the_service_keeps_one_per_network(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "wd").ensure()
    service = WalletService(data_dir, auto_lock=False)
    events: list[object] = []
    service.bus.subscribe(events.append)
    service.remember_task_choice(TaskChoice(1, "a", 10, "x"))
    service.remember_task_choice(TaskChoice(2, "b", 20, ""), network="sepolia")
    service.remember_task_choice(TaskChoice(1, "a", 10, "x"))  # unchanged: not saved or announced again
    assert events == [SettingsChanged(SETTING)] * 2
    with pytest.raises(InvalidInput):
        service.remember_task_choice(TaskChoice(system_prompt="s" * (MAX_SYSTEM_PROMPT_CHARS + 1)))
    saved = json.loads(data_dir.settings_file.read_text())[SETTING]
    assert saved == {"devnet": TaskChoice(1, "a", 10, "x").to_json(), "sepolia": TaskChoice(2, "b", 20, "").to_json()}
    assert WalletService(data_dir, auto_lock=False).task_choice() == TaskChoice(1, "a", 10, "x")
    assert WalletService(data_dir, network="sepolia", auto_lock=False).task_choice() == TaskChoice(2, "b", 20, "")
