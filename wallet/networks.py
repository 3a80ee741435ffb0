"""Network profiles: where the chain is and where our three contracts live on it.

The devnet profile's contract addresses come from the local deployment record; other profiles carry them
(or are given them by the user in networks.json). A profile without contract addresses can show ETH
balances but nothing that needs AIT.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from wallet.addresses import parse_address
from wallet.config import DataDir, read_json, write_json_atomic
from wallet.errors import ConfigError

CONTRACT_NAMES = ("AIToken", "ProviderRegistry", "TokenSale")
DEVNET_CHAIN_ID = 31337
DEVNET_DEFAULT_PORT = 8545


@dataclass(frozen=True)
class NetworkProfile:
    name: str
    chain_id: int
    rpc_url: str
    contracts: dict[str, str] = field(default_factory=dict)
    explorer_url: str | None = None
    is_devnet: bool = False
    start_block: int = 0  # the block the contracts were deployed in: the history reads no earlier block

    def contract(self, name: str) -> str:
        try:
            return self.contracts[name]
        except KeyError:
            raise ConfigError(
                f"The network {self.name!r} has no {name} address configured. "
                "Add it in Settings → Network (or networks.json)."
            ) from None

    def with_contracts(self, contracts: dict[str, str]) -> NetworkProfile:
        return replace(self, contracts=dict(contracts))

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "chain_id": self.chain_id,
            "rpc_url": self.rpc_url,
            "contracts": dict(self.contracts),
            "explorer_url": self.explorer_url,
            "start_block": self.start_block,
        }


BUILTIN_PROFILES: dict[str, NetworkProfile] = {
    "devnet": NetworkProfile(
        "devnet", DEVNET_CHAIN_ID, f"http://127.0.0.1:{DEVNET_DEFAULT_PORT}", is_devnet=True
    ),
    # Public testnets: the RPC is a public endpoint and may be replaced in networks.json; AIT contract
    # addresses are whatever deployment the user points the wallet at.
    "sepolia": NetworkProfile(
        "sepolia", 11155111, "https://ethereum-sepolia-rpc.publicnode.com",
        explorer_url="https://sepolia.etherscan.io",
    ),
    "base-sepolia": NetworkProfile(
        "base-sepolia", 84532, "https://sepolia.base.org", explorer_url="https://sepolia.basescan.org"
    ),
}


def _profile_from_json(name: str, raw: object) -> NetworkProfile:
    if not isinstance(raw, dict):
        raise ConfigError(f"The network {name!r} in networks.json is not an object.")
    base = BUILTIN_PROFILES.get(name)
    chain_id = raw.get("chain_id", base.chain_id if base else None)
    rpc_url = raw.get("rpc_url", base.rpc_url if base else None)
    if not isinstance(chain_id, int) or isinstance(chain_id, bool) or chain_id <= 0:
        raise ConfigError(f"The network {name!r} needs a positive integer chain_id.")
    if not isinstance(rpc_url, str) or not rpc_url.startswith(("http://", "https://")):
        raise ConfigError(f"The network {name!r} needs an rpc_url starting with http:// or https://.")
    contracts_raw = raw.get("contracts", {})
    if not isinstance(contracts_raw, dict):
        raise ConfigError(f"The contracts of network {name!r} must be an object of name → address.")
    contracts = {}
    for cname, addr in contracts_raw.items():
        if cname not in CONTRACT_NAMES:
            raise ConfigError(f"Unknown contract {cname!r} in network {name!r}; known: {', '.join(CONTRACT_NAMES)}.")
        contracts[cname] = parse_address(str(addr))
    explorer = raw.get("explorer_url", base.explorer_url if base else None)
    start_block = raw.get("start_block", 0)
    if not isinstance(start_block, int) or isinstance(start_block, bool) or start_block < 0:
        raise ConfigError(f"The start_block of network {name!r} must be a block number (0 or more).")
    return NetworkProfile(name, chain_id, rpc_url, contracts, explorer, is_devnet=bool(base and base.is_devnet),
                          start_block=start_block)


def load_profiles(data_dir: DataDir) -> dict[str, NetworkProfile]:
    """Built-in profiles overlaid with the user's networks.json."""
    profiles = dict(BUILTIN_PROFILES)
    try:
        raw = read_json(data_dir.networks_file, "networks")
    except FileNotFoundError:
        return profiles
    if not isinstance(raw, dict):
        raise ConfigError(f"{data_dir.networks_file} must be a JSON object of network name → profile.")
    for name, entry in raw.items():
        profiles[name] = _profile_from_json(name, entry)
    return profiles


def save_custom_profile(data_dir: DataDir, profile: NetworkProfile) -> None:
    try:
        raw = read_json(data_dir.networks_file, "networks")
    except FileNotFoundError:
        raw = {}
    _profile_from_json(profile.name, profile.to_json())  # validate before writing
    raw[profile.name] = {k: v for k, v in profile.to_json().items() if k != "name"}
    write_json_atomic(data_dir.networks_file, raw)


def get_profile(data_dir: DataDir, name: str) -> NetworkProfile:
    profiles = load_profiles(data_dir)
    try:
        return profiles[name]
    except KeyError:
        raise ConfigError(
            f"Unknown network {name!r}. Known networks: {', '.join(sorted(profiles))}."
        ) from None
