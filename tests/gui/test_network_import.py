"""Settings → Network → Import from a file: a profile written by `ai-wallet contracts deploy` is checked against
its chain and saved (not switched to); a file that is not one, or names contracts its chain does not have, is
refused in words and saves nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from gatewaykit import PrivateChain
from pytestqt.qtbot import QtBot

from ui.pages.settings import SettingsPage
from wallet.deployment import write_profile_file

pytestmark = [pytest.mark.gui, pytest.mark.chain]


def test_a_deployment_file_is_imported(settings_page: SettingsPage, private: tuple[PrivateChain, str],
                                       qtbot: QtBot, tmp_path: Path) -> None:
    page = settings_page
    profile = replace(private[0].chain.profile, name="team-chain", is_devnet=False)
    path = tmp_path / "team-chain.json"
    write_profile_file(path, profile)
    page.import_network(path)
    qtbot.waitUntil(lambda: "Imported the network “team-chain”" in page.network_status.text(), timeout=20_000)
    qtbot.waitUntil(lambda: page.network.currentData() == "team-chain", timeout=10_000)
    assert page.service.profile_named("team-chain").contracts == profile.contracts
    assert page.service.network_name != "team-chain"  # saved, not switched to
    assert page.switch_button.isEnabled()


@pytest.mark.parametrize(("content", "words"), [
    ("not json at all", "JSON"),
    ("[" * 5000 + "]" * 5000, "nest"),
    ('{"format": "something-else"}', "network profile"),
])
def test_a_file_that_is_not_a_profile_is_refused(settings_page: SettingsPage, qtbot: QtBot, tmp_path: Path,
                                                 content: str, words: str) -> None:
    page = settings_page
    before = page.service.network_names()
    path = tmp_path / "bad.json"
    path.write_text(content)
    page.import_network(path)
    qtbot.waitUntil(lambda: page.import_network_button.isEnabled() and "Reading" not in page.network_status.text(),
                    timeout=20_000)
    assert words.lower() in page.network_status.text().lower()
    assert page.service.network_names() == before


def test_contracts_the_chain_does_not_have_are_refused(settings_page: SettingsPage,
                                                       private: tuple[PrivateChain, str], qtbot: QtBot,
                                                       tmp_path: Path) -> None:
    page = settings_page
    profile = private[0].chain.profile
    wrong = replace(profile, name="wrong", is_devnet=False,
                    contracts={**profile.contracts, "AIToken": "0x" + "12" * 20})
    path = tmp_path / "wrong.json"
    write_profile_file(path, wrong)
    page.import_network(path)
    qtbot.waitUntil(lambda: page.import_network_button.isEnabled() and "Reading" not in page.network_status.text(),
                    timeout=20_000)
    assert "wrong" not in page.service.network_names()
    assert page.network_status.text() and "Imported" not in page.network_status.text()
