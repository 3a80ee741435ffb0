"""Run a task remembers provider, model, output budget and system prompt per network, across restarts,
through the service (announced with SettingsChanged). Two custom networks point at the session's devnet, in
a data dir of this test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from shots import WINDOW_SIZE

from ui import ops
from ui.controller import AppController
from ui.pages.run_task import RunTaskPage
from wallet.config import DataDir
from wallet.devnet.manager import DevnetStatus
from wallet.events import SettingsChanged
from wallet.networks import NetworkProfile, save_custom_profile
from wallet.service import WalletService
from wallet.task_choice import SETTING, TaskChoice

pytestmark = [pytest.mark.gui, pytest.mark.chain]
SYSTEM = "Answer in French."


@pytest.fixture
def data_dir(tmp_path: Path, devnet: tuple[DataDir, DevnetStatus]) -> DataDir:
    shared = WalletService(devnet[0])
    profile = shared.profile
    shared.close()
    d = DataDir(tmp_path / "wd").ensure()
    for name in ("here", "there"):
        save_custom_profile(d, NetworkProfile(name, profile.chain_id, profile.rpc_url, profile.contracts))
    return d


class App:
    """One run of the app's Run a task page; ``restart`` is the next run on the same data dir."""

    def __init__(self, data_dir: DataDir, qtbot: QtBot, network: str = "here") -> None:
        self.service = WalletService(data_dir, network=network)
        self.events: list[object] = []
        self.service.bus.subscribe(self.events.append)
        self.page = RunTaskPage(AppController(self.service))
        qtbot.addWidget(self.page)
        self.page.resize(*WINDOW_SIZE)
        self.page.show()
        self.page.on_shown()
        qtbot.waitUntil(lambda: self.page.picker.model() is not None, timeout=20_000)

    def shown(self) -> tuple[int, str, int, str]:
        p = self.page
        return p.picker.provider().id, p.picker.model().model, p.panel.output_budget(), p.system.toPlainText()

    def close(self, qtbot: QtBot) -> None:
        self.page.close()  # a pending save is made as the page goes
        qtbot.waitUntil(ops.idle, timeout=10_000)
        self.service.close()


@pytest.fixture
def apps(data_dir: DataDir, qtbot: QtBot) -> Iterator[list[App]]:
    opened: list[App] = []
    yield opened
    for app in opened:
        if app.page.isVisible():
            app.close(qtbot)


def test_the_choice_survives_a_restart(data_dir: DataDir, apps: list[App], qtbot: QtBot) -> None:
    first = App(data_dir, qtbot)
    apps.append(first)
    default = first.shown()
    assert default[2:] == (1024, "")
    first.page.picker.select(2, "gpt-4")
    first.page.panel.budget.setValue(300)
    first.page.system_toggle.setChecked(True)
    first.page.system.setPlainText(SYSTEM)
    assert first.shown() == (2, "gpt-4", 300, SYSTEM)
    qtbot.waitUntil(lambda: SettingsChanged(SETTING) in first.events, timeout=10_000)
    assert first.service.task_choice() == TaskChoice(2, "gpt-4", 300, SYSTEM)
    first.close(qtbot)

    again = App(data_dir, qtbot)
    apps.append(again)
    assert again.shown() == (2, "gpt-4", 300, SYSTEM)
    assert not again.page.system.isVisible()  # folded, as always at start, and says it is set
    assert again.page.system_toggle.text() == f"System prompt (optional) — set, {len(SYSTEM)} characters"


def test_each_network_has_its_own_choice(data_dir: DataDir, apps: list[App], qtbot: QtBot) -> None:
    app = App(data_dir, qtbot)
    apps.append(app)
    page = app.page
    default = app.shown()
    page.picker.select(2, "gpt-4")
    page.panel.budget.setValue(200)
    page.system.setPlainText(SYSTEM)

    app.service.switch_network("there")  # a pending change is saved for the network it was made on
    qtbot.waitUntil(lambda: page.providers is not None and page.picker.model() is not None, timeout=20_000)
    assert app.shown() == default
    page.picker.select(1, "gpt-3.5-turbo")
    page.panel.budget.setValue(100)

    app.service.switch_network("here")
    qtbot.waitUntil(lambda: page.providers is not None and app.shown() == (2, "gpt-4", 200, SYSTEM),
                    timeout=20_000)
    app.service.switch_network("there")
    qtbot.waitUntil(lambda: page.providers is not None and app.shown() == (1, "gpt-3.5-turbo", 100, ""),
                    timeout=20_000)
    saved = app.service.settings.extra[SETTING]
    assert set(saved) == {"here", "there"}


def test_a_model_no_longer_offered_falls_back_to_the_first(data_dir: DataDir, apps: list[App],
                                                          qtbot: QtBot) -> None:
    setup = WalletService(data_dir, network="here")
    setup.remember_task_choice(TaskChoice(2, "gone-model", 4000, SYSTEM))
    setup.close()
    app = App(data_dir, qtbot)
    apps.append(app)
    provider, model, budget, system = app.shown()
    first = app.page.providers[0]
    assert (provider, model) == (first.id, first.models[0].model)
    assert budget == 4000 and system == SYSTEM
    QApplication.processEvents()
