"""BIP-39 phrases and MetaMask-path derivation (wallet/keys/mnemonic.py)."""

from __future__ import annotations

import pytest
from eth_account.hdaccount import Mnemonic
from eth_account.types import Language
from keyskit import TEST_ADDR0, TEST_ADDR1, TEST_PHRASE

from wallet.errors import InvalidInput
from wallet.keys import mnemonic


def test_known_vector_indexes_0_and_1() -> None:
    seed = mnemonic.to_seed(mnemonic.normalize(TEST_PHRASE))
    assert mnemonic.derive_address(seed, 0) == TEST_ADDR0
    assert mnemonic.derive_address(seed, 1) == TEST_ADDR1
    assert mnemonic.derivation_path(1) == "m/44'/60'/0'/0/1"


@pytest.mark.parametrize("words", [12, 24])
def test_generated_phrases_have_a_valid_checksum(words: int) -> None:
    phrase = mnemonic.generate(words)
    assert len(phrase.split()) == words
    assert Mnemonic(Language.ENGLISH).is_mnemonic_valid(phrase)
    assert mnemonic.normalize(phrase) == phrase
    assert mnemonic.generate(words) != phrase


@pytest.mark.parametrize("words", [11, 15, 18, 25])
def test_create_only_offers_12_or_24_words(words: int) -> None:
    with pytest.raises(InvalidInput, match="12 or 24"):
        mnemonic.generate(words)


def test_typed_phrase_is_normalized() -> None:
    typed = "  TEST test\ttest test test test test test test test test\n JUNK "
    assert mnemonic.normalize(typed) == TEST_PHRASE


def test_wrong_checksum_word_is_refused() -> None:
    # "test" x 12 uses only list words, but its last word does not carry the right checksum bits.
    with pytest.raises(InvalidInput, match="checksum"):
        mnemonic.normalize(" ".join(["test"] * 12))
    swapped = TEST_PHRASE.replace("junk", "jungle")
    with pytest.raises(InvalidInput, match="checksum"):
        mnemonic.normalize(swapped)


@pytest.mark.parametrize("count", [11, 13, 23, 0])
def test_wrong_length_is_refused(count: int) -> None:
    with pytest.raises(InvalidInput, match=f"this one has {count}"):
        mnemonic.normalize(" ".join(["abandon"] * count))


def test_unknown_word_error_names_the_position_not_the_word() -> None:
    words = TEST_PHRASE.split()
    words[4] = "tezt"
    with pytest.raises(InvalidInput) as info:
        mnemonic.normalize(" ".join(words))
    assert "Word 5 " in info.value.user_message
    assert "tezt" not in str(info.value)
    assert "test" not in str(info.value).replace("Check", "")
