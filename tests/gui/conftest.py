"""GUI tests: Qt offscreen, a real WalletService on a temp data dir, keys in the encrypted file backend
(the Secret Service is covered by the keyring tests), QSettings isolated per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _gui_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from PySide6.QtCore import QCoreApplication, QSettings

    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QCoreApplication.setOrganizationName("AI Token Wallet Tests")
    yield


from guikit import PASSWORD, TEST_PHRASE, keep_window  # noqa: E402


@pytest.fixture
def unlocked_window(tmp_path: Path, qtbot):  # type: ignore[no-untyped-def]
    """The main window on a wallet imported from the public test phrase (password PASSWORD), unlocked."""
    from shots import WINDOW_SIZE

    from ui.controller import AppController
    from ui.main_window import MainWindow
    from ui.ops import wait_for_all
    from wallet.config import DataDir
    from wallet.service import WalletService

    service = WalletService(DataDir(tmp_path / "wd").ensure())
    service.import_mnemonic(TEST_PHRASE, PASSWORD)
    controller = AppController(service)
    win = MainWindow(controller)
    keep_window(qtbot, win, controller)
    win.resize(*WINDOW_SIZE)
    win.show()
    controller._enter("main")
    yield win
    wait_for_all()
    controller.shutdown()


@pytest.fixture
def settings_page(unlocked_window, qtbot):  # type: ignore[no-untyped-def]
    from ui.pages.settings import SettingsPage

    shell = unlocked_window.view("main")
    shell.show_page("Settings")
    settings = next(p for p in shell.page_list if isinstance(p, SettingsPage))
    assert shell.pages.currentWidget() is settings
    qtbot.waitUntil(lambda: settings.loaded is not None and settings.network.count() > 0, timeout=10_000)
    return settings


@pytest.fixture
def devnet_service(devnet, qtbot):  # type: ignore[no-untyped-def]
    """A service on the session's devnet, its remembered task choice reset: every test starts from the first
    model and the default budget."""
    from ui import ops
    from wallet.service import WalletService
    from wallet.task_choice import TaskChoice

    qtbot.waitUntil(ops.idle, timeout=10_000)  # an earlier test's page may still be saving its choice
    service = WalletService(devnet[0])
    service.remember_task_choice(TaskChoice())
    yield service
    service.close()


@pytest.fixture
def task_page(devnet_service, qtbot):  # type: ignore[no-untyped-def]
    """Run a task on the session's devnet, light theme, providers loaded."""
    from PySide6.QtWidgets import QApplication
    from shots import WINDOW_SIZE

    from ui.controller import AppController
    from ui.pages.run_task import RunTaskPage
    from ui.theme import apply_theme

    apply_theme(QApplication.instance(), dark=False)
    page = RunTaskPage(AppController(devnet_service))
    qtbot.addWidget(page)
    page.resize(*WINDOW_SIZE)
    page.show()
    page.on_shown()
    qtbot.waitUntil(lambda: page.picker.model() is not None, timeout=20_000)
    return page


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A chain of this module's own (for tests that register providers) and a facilitator on it:
    (PrivateChain, facilitator URL)."""
    from gatewaykit import facilitator_server, private_chain_in

    from wallet.config import DataDir

    with private_chain_in(DataDir(tmp_path_factory.mktemp("private-chain"))) as chain, \
            facilitator_server(chain.chain) as facilitator:
        yield chain, facilitator.url


@pytest.fixture
def serve(private):  # type: ignore[no-untyped-def]
    """serve(misbehaviour=None, backend=None, settles_itself=False) -> provider id: a provider of its own on the
    private chain, served by a real gateway (made to misbehave, or with another backend, when asked;
    ``settles_itself``: the gateway holds its payTo's key and settles metered payments itself, as it reports)."""
    from contextlib import ExitStack
    from dataclasses import replace

    from gatewaykit import TEST_MODELS, facilitator_server, gateway_server, register_provider

    from provider.misbehaviour import Misbehaviour
    from provider.register import register

    chain, facilitator_url = private
    with ExitStack() as stack:
        def start(misbehaviour=None, backend=None, settles_itself=False) -> int:  # type: ignore[no-untyped-def]
            provider_id, owner, pay_to = register_provider(chain.chain)
            url = facilitator_url
            if settles_itself:  # offered metered payment only by a facilitator holding the payee's key
                misbehaviour = replace(misbehaviour or Misbehaviour(), payee_key=pay_to)
                url = stack.enter_context(facilitator_server(chain.chain, (pay_to,))).url
            gateway = stack.enter_context(gateway_server(chain.chain, provider_id, url,
                                                         misbehaviour=misbehaviour, backend=backend))
            register(chain.chain, owner, name="Test AI", endpoint=gateway.url, pay_to=pay_to.address,
                     models=list(TEST_MODELS), provider_id=provider_id)
            return provider_id

        yield start
