"""BIP-39 recovery phrases and BIP-44 derivation at MetaMask's path, on eth-account's HD wallet code.

Only English phrases are accepted: it is the list every wallet shows and the only one MetaMask imports.
Error messages name word positions, never the words: a phrase typed into the wrong field is still a secret.
"""

from __future__ import annotations

import unicodedata

from eth_account import Account
from eth_account.hdaccount import Mnemonic, key_from_seed
from eth_account.types import Language
from eth_keys import keys

from wallet.errors import InvalidInput

Account.enable_unaudited_hdwallet_features()

CREATE_WORD_COUNTS = (12, 24)
IMPORT_WORD_COUNTS = (12, 15, 18, 21, 24)
_ENGLISH = Mnemonic(Language.ENGLISH)
_WORDS = frozenset(_ENGLISH.wordlist)


def derivation_path(index: int) -> str:
    """MetaMask's (and Ledger Live's "BIP44 standard") path: one account per address index."""
    if not 0 <= index < 2**31:
        raise InvalidInput(f"Account index {index} is out of range.")
    return f"m/44'/60'/0'/0/{index}"


def generate(words: int = 12) -> str:
    if words not in CREATE_WORD_COUNTS:
        raise InvalidInput(f"A new recovery phrase has 12 or 24 words, not {words}.")
    return _ENGLISH.generate(words)


def normalize(phrase: str) -> str:
    """The canonical form of a typed phrase (NFKD, lower case, single spaces), after full validation."""
    words = unicodedata.normalize("NFKD", phrase).lower().split()
    if len(words) not in IMPORT_WORD_COUNTS:
        raise InvalidInput(
            f"A recovery phrase has 12, 15, 18, 21 or 24 words; this one has {len(words)}."
        )
    unknown = [str(i + 1) for i, w in enumerate(words) if w not in _WORDS]
    if unknown:
        where = ", ".join(unknown)
        raise InvalidInput(
            f"Word {where} of the recovery phrase is not in the BIP-39 English word list. Check the spelling."
            if len(unknown) == 1
            else f"Words {where} of the recovery phrase are not in the BIP-39 English word list."
        )
    canonical = " ".join(words)
    if not _ENGLISH.is_mnemonic_valid(canonical):
        raise InvalidInput(
            "The recovery phrase's checksum does not match: a word is wrong or the words are out of order."
        )
    return canonical


def to_seed(canonical_phrase: str) -> bytearray:
    """The 64-byte BIP-39 seed (no passphrase), as a bytearray so that it can be wiped on lock."""
    return bytearray(Mnemonic.to_seed(canonical_phrase, ""))


def derive_key(seed: bytes | bytearray, index: int) -> bytearray:
    return bytearray(key_from_seed(bytes(seed), derivation_path(index)))


def address_of_key(private_key: bytes | bytearray) -> str:
    return keys.PrivateKey(bytes(private_key)).public_key.to_checksum_address()


def derive_address(seed: bytes | bytearray, index: int) -> str:
    return address_of_key(derive_key(seed, index))
