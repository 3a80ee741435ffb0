"""The committed contract artifacts are exactly what the pinned compiler makes of the committed sources."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from chainkit import ARTIFACTS_DIR, REPO_ROOT

pytestmark = pytest.mark.chain

CONTRACTS = REPO_ROOT / "contracts"
NAMES = ["AIToken", "ProviderRegistry", "TokenSale"]
INSTALL = "run `npm install --prefix contracts` in the repository root"

# The interface the wallet's Python wrappers are written against: (name(canonical input types), outputs).
FUNCTIONS: dict[str, set[str]] = {
    "AIToken": {
        "mint(address,uint256)->()",
        "authorizationState(address,bytes32)->(bool)",
        "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)->()",
        "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)->()",
        "receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)->()",
        "receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)->()",
        "cancelAuthorization(address,bytes32,uint8,bytes32,bytes32)->()",
        "cancelAuthorization(address,bytes32,bytes)->()",
        "receiveWithAuthorizationUpTo(address,address,uint256,uint256,uint256,uint256,bytes32,bytes)->()",
        "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)->()",
        "nonces(address)->(uint256)",
        "DOMAIN_SEPARATOR()->(bytes32)",
        "version()->(string)",
        "TRANSFER_WITH_AUTHORIZATION_TYPEHASH()->(bytes32)",
        "RECEIVE_WITH_AUTHORIZATION_TYPEHASH()->(bytes32)",
        "CANCEL_AUTHORIZATION_TYPEHASH()->(bytes32)",
        "RECEIVE_UP_TO_AUTHORIZATION_TYPEHASH()->(bytes32)",
        "MINTER_ROLE()->(bytes32)",
    },
    "ProviderRegistry": {
        "registerProvider(string,string,address)->(uint256)",
        "updateProvider(uint256,string,string,address)->()",
        "removeProvider(uint256)->()",
        "transferProviderOwnership(uint256,address)->()",
        "setModelPrice(uint256,string,string,uint256,uint256,uint32,uint32)->()",
        "removeModel(uint256,string)->()",
        "setVerified(uint256,bool)->()",
        "providerCount()->(uint256)",
        "getProvider(uint256)->((address,string,string,address,bool,bool))",
        "getModels(uint256)->((string,string,uint256,uint256,uint32,uint32)[])",
        "getModel(uint256,string)->((string,string,uint256,uint256,uint32,uint32))",
        "CURATOR_ROLE()->(bytes32)",
    },
    "TokenSale": {
        "buy(uint256)->(uint256)",
        "quote(uint256)->(uint256)",
        "weiFor(uint256)->(uint256)",
        "rate()->(uint256)",
        "token()->(address)",
        "setRate(uint256)->()",
        "pause()->()",
        "unpause()->()",
        "withdraw(address)->()",
    },
}
EVENTS: dict[str, set[str]] = {
    "AIToken": {
        "AuthorizationUsed(address indexed,bytes32 indexed)",
        "AuthorizationCanceled(address indexed,bytes32 indexed)",
        "Transfer(address indexed,address indexed,uint256)",
        "Approval(address indexed,address indexed,uint256)",
    },
    "ProviderRegistry": {
        "ProviderRegistered(uint256 indexed,address indexed,string,string,address)",
        "ProviderUpdated(uint256 indexed,string,string,address)",
        "ProviderRemoved(uint256 indexed)",
        "ProviderOwnershipTransferred(uint256 indexed,address indexed,address indexed)",
        "ModelPriceSet(uint256 indexed,string,string,uint256,uint256,uint32,uint32)",
        "ModelRemoved(uint256 indexed,string)",
        "ProviderVerified(uint256 indexed,bool)",
    },
    "TokenSale": {
        "TokensPurchased(address indexed,uint256,uint256)",
        "RateChanged(uint256,uint256)",
        "Withdrawn(address indexed,uint256)",
    },
}
CONSTRUCTORS = {"AIToken": "(address)", "ProviderRegistry": "(address)", "TokenSale": "(address,uint256,address)"}


def canonical(param: dict[str, Any]) -> str:
    t: str = param["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(canonical(p) for p in param["components"]) + ")" + t[len("tuple"):]
    return t


def abi_entries(abi: list[dict[str, Any]], kind: str) -> set[str]:
    out = set()
    for e in abi:
        if e["type"] != kind:
            continue
        if kind == "event":
            ins = ",".join(canonical(p) + (" indexed" if p["indexed"] else "") for p in e["inputs"])
            out.add(f"{e['name']}({ins})")
        elif kind == "function":
            ins = ",".join(canonical(p) for p in e["inputs"])
            outs = ",".join(canonical(p) for p in e["outputs"])
            out.add(f"{e['name']}({ins})->({outs})")
        else:
            out.add("(" + ",".join(canonical(p) for p in e["inputs"]) + ")")
    return out


def test_rebuild_matches_committed_artifacts(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"node is not installed; install Node.js 20 and {INSTALL}")
    if not (CONTRACTS / "node_modules" / "solc").is_dir() or not (
        CONTRACTS / "node_modules" / "@openzeppelin" / "contracts"
    ).is_dir():
        pytest.fail(f"contracts/node_modules is missing the pinned solc or OpenZeppelin: {INSTALL}")

    out = tmp_path / "artifacts"
    result = subprocess.run([node, str(CONTRACTS / "build.js"), str(out)], capture_output=True, text=True,
                            timeout=180, check=False)
    assert result.returncode == 0, f"build.js failed:\n{result.stdout}\n{result.stderr}"
    assert result.stderr == "", f"the build printed warnings:\n{result.stderr}"

    built = sorted(p.name for p in out.iterdir())
    assert built == sorted(p.name for p in ARTIFACTS_DIR.glob("*.json")) == [f"{n}.json" for n in NAMES]
    for name in built:
        fresh, committed = (out / name).read_bytes(), (ARTIFACTS_DIR / name).read_bytes()
        assert fresh == committed, f"resources/contracts/{name} is stale: run `npm run build --prefix contracts`"


@pytest.mark.parametrize("name", NAMES)
def test_artifact_shape_and_pinned_compiler(name: str) -> None:
    text = (ARTIFACTS_DIR / f"{name}.json").read_text()
    assert text.endswith("}\n")
    artifact = json.loads(text)
    assert list(artifact) == ["contractName", "abi", "bytecode", "deployedBytecode", "compiler", "sourceHash"]
    assert artifact["contractName"] == name
    for key in ("bytecode", "deployedBytecode"):
        assert re.fullmatch(r"0x(?:[0-9a-f]{2})+", artifact[key]), key
    assert len(artifact["deployedBytecode"]) // 2 - 1 <= 24_576  # EIP-170 code size limit
    assert artifact["compiler"]["version"].startswith("0.8.30+")
    assert artifact["compiler"]["settings"] == {"evmVersion": "cancun", "optimizer": {"enabled": True, "runs": 200}}
    assert len(artifact["sourceHash"]) == 64 and int(artifact["sourceHash"], 16) >= 0


@pytest.mark.parametrize("name", NAMES)
def test_abi_keeps_the_interface_the_wallet_uses(name: str) -> None:
    abi = json.loads((ARTIFACTS_DIR / f"{name}.json").read_text())["abi"]
    missing = FUNCTIONS[name] - abi_entries(abi, "function")
    assert not missing, f"{name} lost functions: {sorted(missing)}"
    missing = EVENTS[name] - abi_entries(abi, "event")
    assert not missing, f"{name} lost events: {sorted(missing)}"
    assert abi_entries(abi, "constructor") == {CONSTRUCTORS[name]}
