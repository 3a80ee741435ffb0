"""Key operations with the chosen scrypt work factor: unlock, signing (EIP-712 and a transaction), account creation.

Runs against the file vault in a temporary data dir, so the figures are the wallet's own cost (scrypt, BIP-32,
secp256k1), not the Secret Service's D-Bus round trips; pass --keyring to use the OS keyring instead.

    .venv/bin/python bench/keys.py [--keyring] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, summary, time_runs
from eth_account import Account
from eth_account.messages import encode_typed_data

from wallet.config import DataDir, Settings
from wallet.keys import keystore
from wallet.keys.manager import KeyManager

PASSWORD = "benchmark password"
PHRASE = "test test test test test test test test test test test junk"
TYPED = {
    "types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                         {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
        "TransferWithAuthorization": [
            {"name": "from", "type": "address"}, {"name": "to", "type": "address"},
            {"name": "value", "type": "uint256"}, {"name": "validAfter", "type": "uint256"},
            {"name": "validBefore", "type": "uint256"}, {"name": "nonce", "type": "bytes32"}],
    },
    "primaryType": "TransferWithAuthorization",
    "domain": {"name": "AI Token", "version": "1", "chainId": 31337,
               "verifyingContract": "0x5FbDB2315678afecb367f032d93F642f64180aa3"},
    "message": {"from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                "to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "value": 10**18, "validAfter": 0,
                "validBefore": 2**40, "nonce": b"\x01" * 32},
}
TX = {"to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "value": 1, "gas": 21000, "maxFeePerGas": 2 * 10**9,
      "maxPriorityFeePerGas": 10**9, "nonce": 0, "chainId": 31337, "type": 2}


def manager(root: Path, n: int) -> KeyManager:
    return KeyManager(DataDir(root), Settings(), scrypt_n=n, idle_timeout=None, auto_lock_thread=False)


def wallet(root: Path, n: int, imported: int) -> KeyManager:
    km = manager(root, n)
    km.import_mnemonic(PHRASE, PASSWORD)
    for _ in range(imported):
        km.import_private_key(Account.create().key.hex(), PASSWORD)
    km.lock()
    return km


def unlock_once(km: KeyManager) -> None:
    km.unlock(PASSWORD)
    km.lock()


def row(label: str, samples: list[float]) -> None:
    print(f"{label:<44}{summary(samples)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keyring", action="store_true", help="use the OS keyring rather than the file vault")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not args.keyring:
        os.environ["AI_WALLET_KEYRING"] = "file"
    chosen, default = keystore.WALLET_SCRYPT_N, keystore.EXPORT_SCRYPT_N
    print(f"machine: {machine()}")
    print(f"vault: {'OS keyring' if args.keyring else 'file'}; chosen scrypt n=2^{chosen.bit_length() - 1} "
          f"(r=8, p=1, {128 * 8 * chosen >> 20} MiB); eth-account default n=2^{default.bit_length() - 1}")
    runs = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in (2**15, 2**16, chosen, default):
            blob = keystore.encrypt_key(b"\x11" * 32, PASSWORD, scrypt_n=n)
            samples = time_runs(lambda blob=blob: keystore.Account.decrypt(blob, PASSWORD), runs)
            row(f"one scrypt derivation n=2^{n.bit_length() - 1}", samples)

        for n, label in ((chosen, "chosen"), (default, "default")):
            for imported in (0, 2):
                km = wallet(root / f"u{n}-{imported}", n, imported)
                samples = time_runs(lambda km=km: unlock_once(km), runs)
                row(f"unlock, phrase + {imported} imported, {label} n", samples)

        km = wallet(root / "sign", chosen, 0)
        km.unlock(PASSWORD)
        signer = km.signer("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        plain = Account.from_mnemonic(PHRASE)
        reps = runs * 20
        row("sign EIP-712 (EIP-3009 transfer), guarded",
            time_runs(lambda: signer.sign_message(encode_typed_data(full_message=TYPED)), reps))
        row("sign EIP-712, bare LocalAccount",
            time_runs(lambda: plain.sign_message(encode_typed_data(full_message=TYPED)), reps))
        row("sign EIP-1559 tx, guarded", time_runs(lambda: signer.sign_transaction(TX), reps))
        row("add_account (BIP-32 derivation)", time_runs(km.add_account, runs))

        counter = iter(range(10**6))

        def create() -> None:
            manager(root / f"c{next(counter)}", chosen).create_wallet(PASSWORD)

        row("create_wallet (phrase, seal, first acct)", time_runs(create, runs))
        km2 = wallet(root / "imp", chosen, 0)
        km2.unlock(PASSWORD)
        row("import_private_key (verify + encrypt)",
            time_runs(lambda: km2.import_private_key(Account.create().key.hex(), PASSWORD), runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
