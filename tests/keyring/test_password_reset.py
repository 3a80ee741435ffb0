"""A forgotten password, reset with the recovery phrase through the service, against a real Secret Service."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pytest
import secretstorage
from eth_account import Account
from keyskit import TEST_ADDR0, TEST_PHRASE

from wallet.config import DataDir
from wallet.errors import InvalidInput, InvalidPassword, SecretMissing
from wallet.events import LockChanged
from wallet.keys.vault import SERVICE
from wallet.service import WalletService

pytestmark = pytest.mark.keyring
OLD = "the forgotten one"
NEW = "a brand new password"
OTHER_PHRASE = "legal winner thank year wave sausage worth useful legal winner thank yellow"


def wallet_entries(root: Path) -> set[str]:
    wallet_id = json.loads((root / "accounts.json").read_text())["wallet_id"]
    with closing(secretstorage.dbus_init()) as conn:
        return {a["username"] for c in secretstorage.get_all_collections(conn) for i in c.get_all_items()
                if (a := i.get_attributes()).get("service") == SERVICE
                and a.get("username", "").startswith(wallet_id + "/")}


@pytest.fixture
def service(_isolated_data_dir: Path):  # type: ignore[no-untyped-def]
    s = WalletService(DataDir(_isolated_data_dir).ensure(), auto_lock=False)
    yield s
    s.close()


def test_the_phrase_sets_a_new_password_and_replaces_every_secret(service: WalletService,
                                                                  _isolated_data_dir: Path) -> None:
    service.import_mnemonic(TEST_PHRASE, OLD)
    second = service.add_account("Second").address
    imported = Account.create()
    service.import_private_key(imported.key.hex(), OLD, label="Imported")
    before = wallet_entries(_isolated_data_dir)
    assert len(before) == 2 and all("/g1/" in e for e in before)
    service.lock()
    events: list[object] = []
    service.bus.subscribe(events.append)

    service.reset_password(TEST_PHRASE.upper().replace(" ", "  "), NEW)  # typed loosely, as people do

    assert not service.is_locked()
    assert events == [LockChanged(False)]
    assert [a.address for a in service.accounts()] == [TEST_ADDR0, second, imported.address]
    assert [a.label for a in service.accounts()][1:] == ["Second", "Imported"]
    assert service.missing_secrets() == [imported.address]
    after = wallet_entries(_isolated_data_dir)
    assert len(after) == 1 and all("/g2/" in e for e in after), "only the phrase, sealed again; old ones gone"
    assert after.isdisjoint(before)
    assert service.reveal_mnemonic(NEW) == TEST_PHRASE

    service.lock()
    with pytest.raises(InvalidPassword):
        service.unlock(OLD)
    service.unlock(NEW)
    assert service.missing_secrets() == [imported.address]
    # Importing the lost key again restores it under the new password.
    service.import_private_key(imported.key.hex(), NEW)
    assert service.missing_secrets() == []


def test_another_phrase_or_a_short_password_changes_nothing(service: WalletService,
                                                            _isolated_data_dir: Path) -> None:
    service.import_mnemonic(TEST_PHRASE, OLD)
    service.lock()
    entries = wallet_entries(_isolated_data_dir)
    accounts_json = (_isolated_data_dir / "accounts.json").read_bytes()

    with pytest.raises(InvalidInput, match="not this wallet's"):
        service.reset_password(OTHER_PHRASE, NEW)
    with pytest.raises(InvalidInput, match="at least"):
        service.reset_password(TEST_PHRASE, "short")
    with pytest.raises(InvalidInput):
        service.reset_password("test test test", NEW)

    assert service.is_locked()
    assert wallet_entries(_isolated_data_dir) == entries
    assert (_isolated_data_dir / "accounts.json").read_bytes() == accounts_json
    service.unlock(OLD)


def test_a_wallet_of_imported_keys_has_no_phrase_to_reset_with(service: WalletService) -> None:
    service.import_private_key(Account.create().key.hex(), OLD)
    service.lock()
    with pytest.raises(InvalidInput, match="no recovery phrase"):
        service.reset_password(TEST_PHRASE, NEW)
    with pytest.raises((InvalidPassword, SecretMissing)):
        service.unlock(NEW)
