"""WalletService is the one door: it hands out none of the core's insides, and it announces every change it makes.

No chain is needed: a switch of network is announced before anything is read from the new one.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from wallet.config import DataDir, Settings
from wallet.errors import ConfigError, InvalidInput
from wallet.events import AccountsChanged, AccountSelected, NetworkSwitched, SettingsChanged
from wallet.networks import NetworkProfile
from wallet.service import WalletService

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
TEST_PHRASE = "test test test test test test test test test test test junk"  # public (anvil's, Hardhat's)
TEST_ADDR0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
INSIDES = ("KeyManager", "ChainClient", "QuoteEngine", "DevnetManager", "LocalAccount", "Vault", "ChainWatcher",
           "Service")  # the sub-services: AccountService, NetworkService…


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WalletService:
    monkeypatch.setenv("AI_WALLET_KEYRING", "file")
    svc = WalletService(DataDir(tmp_path / "wd").ensure(), auto_lock=False)
    yield svc  # type: ignore[misc]
    svc.close()


def public_members() -> list[tuple[str, object]]:
    return [(n, m) for n, m in inspect.getmembers(WalletService) if not n.startswith("_")]


def test_no_insides_are_handed_out(service: WalletService) -> None:
    for name in ("keys", "chain", "devnet", "quotes", "signer", "watcher", "engine"):
        assert not hasattr(service, name), name
    # Public attributes are plain: where the files are, the typed settings, and the event bus.
    assert sorted(n for n in vars(service) if not n.startswith("_")) == ["bus", "data_dir", "settings"]
    for name, member in public_members():
        fn = member.fget if isinstance(member, property) else member
        if not callable(fn):
            continue
        returned = str(inspect.signature(fn).return_annotation)
        assert not any(inside in returned for inside in INSIDES), f"{name} returns {returned}"


def test_the_facade_and_each_sub_service_stay_small() -> None:
    for path in [ROOT / "wallet" / "service.py", *sorted((ROOT / "wallet" / "services").glob("*.py"))]:
        assert len(path.read_text().splitlines()) < 400, path


def test_accounts_are_announced(service: WalletService) -> None:
    seen: list[object] = []
    service.bus.subscribe(seen.append)
    info = service.import_mnemonic(TEST_PHRASE, PASSWORD)
    assert info.address == TEST_ADDR0
    assert AccountsChanged() in seen and AccountSelected(TEST_ADDR0) in seen
    seen.clear()
    service.rename_account(TEST_ADDR0, "Research")
    assert seen == [AccountsChanged()]
    seen.clear()
    service.unlock(PASSWORD)
    second = service.add_account()
    assert seen[-2:] == [AccountsChanged(), AccountSelected(second.address)]
    assert service.current_account() == second.address
    seen.clear()
    service.select_account(TEST_ADDR0)
    assert seen == [AccountSelected(TEST_ADDR0)]
    with pytest.raises(InvalidInput):
        service.select_account("0x000000000000000000000000000000000000dEaD")  # not in this wallet
    assert seen == [AccountSelected(TEST_ADDR0)]


def test_settings_are_announced(service: WalletService) -> None:
    seen: list[object] = []
    service.bus.subscribe(seen.append)
    service.set_auto_lock_minutes(3)
    assert seen == [SettingsChanged("auto_lock_minutes")]
    assert service.auto_lock_minutes() == 3 == Settings.load(service.data_dir).auto_lock_minutes
    with pytest.raises(InvalidInput):
        service.set_auto_lock_minutes(-1)
    assert seen == [SettingsChanged("auto_lock_minutes")]


def test_a_switch_is_announced_with_name_and_chain_id(service: WalletService) -> None:
    seen: list[object] = []
    service.bus.subscribe(seen.append)
    assert service.profile.name == "devnet"
    service.switch_network("sepolia")
    assert seen == [NetworkSwitched("sepolia", 11155111, False)]
    assert service.network_name == "sepolia" == Settings.load(service.data_dir).network
    with pytest.raises(ConfigError):
        service.switch_network("no-such-network")  # refused before anything changed
    assert service.network_name == "sepolia" and len(seen) == 1


def test_editing_the_network_in_use_is_a_switch(service: WalletService) -> None:
    mine = NetworkProfile("mine", 4242, "http://127.0.0.1:1")
    service.save_network(mine)
    service.switch_network("mine")
    seen: list[object] = []
    service.bus.subscribe(seen.append)
    service.save_network(NetworkProfile("mine", 4242, "http://127.0.0.1:2"))  # another place: another chain
    assert seen == [SettingsChanged("networks"), NetworkSwitched("mine", 4242, False)]
    seen.clear()
    service.save_network(NetworkProfile("other", 7, "http://127.0.0.1:3"))  # not the one in use
    assert seen == [SettingsChanged("networks")]
    assert service.profile.rpc_url == "http://127.0.0.1:2"


def test_the_faucet_amounts_come_from_the_service(service: WalletService) -> None:
    eth, ait = service.faucet_amounts()
    assert eth > 0 and ait > 0 and isinstance(eth, int) and isinstance(ait, int)


def test_a_keystore_file_that_cannot_be_written_is_said_in_words(service: WalletService, tmp_path: Path) -> None:
    folder = tmp_path / "a folder"
    folder.mkdir()
    with pytest.raises(InvalidInput, match="only a regular file"):
        service.save_keystore(folder, '{"crypto": {}}')
    not_a_folder = tmp_path / "a file"
    not_a_folder.write_text("")
    with pytest.raises(InvalidInput, match=r"Cannot write .*key\.json: Not a directory"):
        service.save_keystore(not_a_folder / "key.json", '{"crypto": {}}')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file", "a folder", "wd"]  # no temp file left
    target = tmp_path / "key.json"
    service.save_keystore(target, '{"crypto": {}}')
    assert target.read_text() == '{"crypto": {}}' and target.stat().st_mode & 0o077 == 0
