"""The English word index the detector judges capitalised runs with."""

from __future__ import annotations

import pytest
from spacy.strings import hash_string

from service.redaction.lexicon import NOUN_TABLE, Lexicon
from service.redaction.policy import load_policy


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon(load_policy().nlp.model)


def test_the_noun_table_key_is_spacys_hash_of_noun() -> None:
    assert hash_string("noun") == NOUN_TABLE


@pytest.mark.parametrize("word", ["walker", "David", "Smith", "evans", "Family"])
def test_words_that_are_only_nouns(lexicon: Lexicon, word: str) -> None:
    assert lexicon.only_a_noun(word)


@pytest.mark.parametrize("word", ["run", "Pay", "card", "yearly", "James", "xyzzyq"])
def test_words_that_are_also_other_parts_of_speech_or_unknown(lexicon: Lexicon, word: str) -> None:
    # `James` is a noun; it must not be read through the stem `jam` (a verb)
    expected = word == "James"
    assert lexicon.only_a_noun(word) is expected
