"""Helpers for the money tests: the history and transfer sub-services over a real devnet, with accounts whose
keys the test holds (no keyring needed: the signer is looked up in the test's own key table)."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from wallet.chain.client import ChainClient
from wallet.devnet.faucet import faucet
from wallet.errors import WalletLocked
from wallet.events import EventBus
from wallet.networks import NetworkProfile
from wallet.services.history import HistoryService
from wallet.services.transfers import TransferService
from wallet.storage import Database
from wallet.units import ONE


class FixedNetwork:
    """The network sub-service's two methods the money sub-services use, for one fixed profile."""

    def __init__(self, profile: NetworkProfile) -> None:
        self._profile = profile
        self._client = ChainClient(profile)

    def profile(self) -> NetworkProfile:
        return self._profile

    def chain(self) -> ChainClient:
        return self._client


@dataclass
class MoneyWallet:
    db: Database
    history: HistoryService
    transfers: TransferService
    network: FixedNetwork
    keys: dict[str, LocalAccount]
    events: list[Any] = field(default_factory=list)
    marker: dict[str, str] = field(default_factory=dict)

    @property
    def profile(self) -> NetworkProfile:
        return self.network.profile()

    @property
    def client(self) -> ChainClient:
        return self.network.chain()

    @property
    def addresses(self) -> list[str]:
        return list(self.keys)

    def fund(self, address: str, eth: int = 2 * ONE, ait: int = 100 * ONE) -> dict[str, str]:
        out = faucet(self.profile, address, eth, ait)
        grants = {a: (out[k], v) for a, k, v in (("ETH", "eth_tx", eth), ("AIT", "ait_tx", ait)) if k in out}
        self.transfers.record_faucet(address, grants)
        return out

    def send(self, frm: str, to: str, amount: str, asset: str = "AIT") -> Any:
        plan = self.transfers.prepare_send(frm, to, amount, asset)
        record = self.transfers.send(plan, accept_warnings=True)
        return self.transfers.wait(record.tx_hash)


def money_wallet(profile: NetworkProfile, db_path: Path, accounts: list[LocalAccount] | None = None,
                 n_accounts: int = 2) -> MoneyWallet:
    """The history and transfer sub-services wired as the facade wires them, with the test's own keys."""
    keys = {a.address: a for a in (accounts or [Account.create() for _ in range(n_accounts)])}
    bus = EventBus()
    marker: dict[str, str] = {}
    db = Database(db_path)
    network = FixedNetwork(profile)

    def signer_for(address: str) -> LocalAccount:
        if address not in keys:
            raise WalletLocked("no key")
        return keys[address]

    def database_marker(value: str | None) -> str | None:
        if value is not None:
            marker["id"] = value
        return marker.get("id")

    history = HistoryService(db, network, bus, accounts=lambda: list(keys), providers=lambda: [],
                             database_marker=database_marker)
    transfers = TransferService(db, network, bus, signer=signer_for, accounts=lambda: list(keys),
                                records_changed=history.records_changed)
    history.add_source(*transfers.history_source())
    wallet = MoneyWallet(db, history, transfers, network, keys, marker=marker)
    bus.subscribe(wallet.events.append)
    return wallet


def rpc(url: str, method: str, *params: Any) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        doc = json.loads(resp.read())
    if doc.get("error"):
        raise RuntimeError(doc["error"])
    return doc.get("result")


def history_keys(wallet: MoneyWallet) -> list[tuple[Any, ...]]:
    """Every stored row, as comparable tuples (ids aside)."""
    rows = wallet.db.execute(
        "SELECT account, kind, status, direction, asset, amount, fee, counterparty, tx_hash, block_number "
        "FROM history ORDER BY tx_hash, account, kind, asset")
    return [tuple(r) for r in rows]
