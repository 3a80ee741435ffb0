import json
from pathlib import Path

import pytest

from wallet.addresses import parse_address, shorten
from wallet.config import DataDir, Settings
from wallet.errors import ConfigError, InvalidAddress
from wallet.networks import get_profile, load_profiles, save_custom_profile

GOOD = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def test_checksummed_and_single_case_addresses_accepted() -> None:
    assert parse_address(GOOD) == GOOD
    assert parse_address(GOOD.lower()) == GOOD
    assert parse_address("0x" + GOOD[2:].upper()) == GOOD


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267".replace("Fd6", "fD6"), "checksum"),
        ("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "checksum"),
        ("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "start with 0x"),
        ("0x1234", "4 characters"),
        ("0xZZ9Fd6e51aad88F6F4ce6aB8827279cffFb92266", "not hexadecimal"),
        ("", "Enter an address"),
        ("0x0000000000000000000000000000000000000000", "zero address"),
    ],
)
def test_bad_addresses_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidAddress) as e:
        parse_address(text)
    assert reason in e.value.user_message


def test_shorten() -> None:
    assert shorten("0x70997970C51812dc3A010C7d01b50e0d17dc79C8") == "0x7099…79C8"


def test_builtin_profiles(tmp_path: Path) -> None:
    profiles = load_profiles(DataDir(tmp_path))
    assert profiles["devnet"].chain_id == 31337 and profiles["devnet"].is_devnet
    assert profiles["sepolia"].chain_id == 11155111
    assert profiles["base-sepolia"].chain_id == 84532
    with pytest.raises(ConfigError, match="Unknown network 'nope'"):
        get_profile(DataDir(tmp_path), "nope")


def test_custom_profile_round_trip_and_validation(tmp_path: Path) -> None:
    dd = DataDir(tmp_path)
    prof = get_profile(dd, "sepolia").with_contracts({"AIToken": GOOD.lower()})
    save_custom_profile(dd, prof)
    loaded = get_profile(dd, "sepolia")
    assert loaded.contracts == {"AIToken": GOOD}
    assert loaded.contract("AIToken") == GOOD
    with pytest.raises(ConfigError, match="no TokenSale address"):
        loaded.contract("TokenSale")
    dd.networks_file.write_text(json.dumps({"mine": {"chain_id": 5, "rpc_url": "ftp://x"}}))
    with pytest.raises(ConfigError, match="rpc_url"):
        load_profiles(dd)
    dd.networks_file.write_text(json.dumps({"mine": {"chain_id": 5, "rpc_url": "http://x", "contracts": {
        "AIToken": "0x1234"}}}))
    with pytest.raises(InvalidAddress):
        load_profiles(dd)


def test_damaged_settings_file_is_reported_and_kept(tmp_path: Path) -> None:
    dd = DataDir(tmp_path)
    dd.settings_file.write_text("{not json")
    with pytest.raises(ConfigError, match="damaged"):
        Settings.load(dd)
    assert dd.settings_file.read_text() == "{not json"


def test_settings_round_trip_keeps_unknown_keys(tmp_path: Path) -> None:
    dd = DataDir(tmp_path)
    dd.settings_file.write_text(json.dumps({"network": "sepolia", "auto_lock_minutes": 3, "future": [1]}))
    s = Settings.load(dd)
    assert (s.network, s.auto_lock_minutes) == ("sepolia", 3)
    s.auto_lock_minutes = 7
    s.save(dd)
    assert json.loads(dd.settings_file.read_text()) == {"network": "sepolia", "auto_lock_minutes": 7, "future": [1]}
