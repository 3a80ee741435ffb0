"""Deploying the AI Token contracts to any EVM chain, and the network profile file that describes them.

An operator runs ``ai-wallet contracts deploy --rpc URL --key-file F``: AIToken, ProviderRegistry and
TokenSale are deployed with the key's account as admin, the sale may mint, and a profile file is written.
Users import that file (``ai-wallet network import FILE``) and the wallet works on that chain.

Profile file (JSON, at most 64 KiB)::

    {"format": "ai-token-wallet/network", "version": 1, "name": "...", "chain_id": 4242,
     "rpc_url": "http://…", "contracts": {"AIToken": "0x…", "ProviderRegistry": "0x…", "TokenSale": "0x…"},
     "start_block": 12, "explorer_url": null}
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wallet.errors import ConfigError, InvalidInput
from wallet.networks import CONTRACT_NAMES, NetworkProfile, _profile_from_json

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from wallet.chain.client import ChainClient

FORMAT = "ai-token-wallet/network"
MAX_PROFILE_BYTES = 64 * 1024
MAX_JSON_DEPTH = 8
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def deploy_contracts(client: ChainClient, admin: LocalAccount, rate: int) -> tuple[dict[str, str], int]:
    """Deploy the three contracts; the sale may mint. Returns (addresses, the first deployment's block)."""
    from wallet.chain.contracts import AIToken, deploy

    start = client.block_number() + 1
    token_addr = deploy(client, admin, "AIToken", admin.address)
    registry_addr = deploy(client, admin, "ProviderRegistry", admin.address)
    sale_addr = deploy(client, admin, "TokenSale", token_addr, rate, admin.address)
    AIToken(client, token_addr).grant_role(admin, "MINTER_ROLE", sale_addr)
    return {"AIToken": token_addr, "ProviderRegistry": registry_addr, "TokenSale": sale_addr}, start


def profile_document(profile: NetworkProfile) -> dict[str, Any]:
    return {"format": FORMAT, "version": 1, **profile.to_json()}


def write_profile_file(path: Path, profile: NetworkProfile, *, replace: bool = False) -> None:
    """Never over an existing file unless ``replace`` (and then only a regular file)."""
    from wallet.files import write_new_private_text

    write_new_private_text(path, json.dumps(profile_document(profile), indent=2) + "\n", replace=replace)


def read_profile_file(path: Path, *, name: str | None = None) -> NetworkProfile:
    """A profile from a file someone sent: bounded, shallow JSON, every field checked."""
    from wallet.safe_io import load_json_file

    raw = load_json_file(path, max_bytes=MAX_PROFILE_BYTES, max_depth=MAX_JSON_DEPTH, what="the network profile")
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise InvalidInput(f"{path} is not an AI Token network profile (its \"format\" must be {FORMAT!r}).")
    if raw.get("version") != 1:
        raise InvalidInput(f"{path} is a network profile of a version this wallet does not know.")
    chosen = name or raw.get("name")
    if not isinstance(chosen, str) or not _NAME.match(chosen):
        raise InvalidInput("A network's name is 1 to 40 lower-case letters, digits and dashes.")
    if chosen in ("devnet", "sepolia", "base-sepolia"):
        raise InvalidInput(f"{chosen!r} is a built-in network; import the profile under another name (--name).")
    body = {k: raw.get(k) for k in ("chain_id", "rpc_url", "contracts", "explorer_url", "start_block")
            if raw.get(k) is not None}
    try:
        profile = _profile_from_json(chosen, body)
    except ConfigError as e:
        raise InvalidInput(f"{path}: {e.user_message}") from None
    missing = [n for n in CONTRACT_NAMES if n not in profile.contracts]
    if missing:
        raise InvalidInput(f"{path} names no address for {', '.join(missing)}.")
    return profile


def check_deployment(client: ChainClient, profile: NetworkProfile) -> None:
    """The node answers with the profile's chain id and each contract has code (else nothing is saved)."""
    from wallet.chain.contracts import AIToken

    client.connect()
    for cname, address in profile.contracts.items():
        if not client.code_at(address):
            raise ConfigError(f"There is no contract at {address} ({cname}) on chain {profile.chain_id}: the profile "
                              "does not match this network.")
    try:
        symbol = AIToken(client, profile.contract("AIToken")).symbol()
    except Exception as e:
        raise ConfigError(f"The contract at {profile.contract('AIToken')} is not an AI Token.") from e
    if symbol != "AIT":
        raise ConfigError(f"The token at {profile.contract('AIToken')} is {symbol!r}, not AIT.")


def import_profile(path: Path, name: str | None = None) -> NetworkProfile:
    """Read a profile file and check it against its chain; nothing is saved here."""
    from wallet.chain.client import ChainClient

    profile = read_profile_file(path, name=name)
    check_deployment(ChainClient(profile), profile)
    return profile
