"""English words, to tell a phrase of ordinary words (`Family Bundle`) from a name.

The words are the WordNet-derived index of the rule lemmatizer that ships inside the pinned
spaCy model package (about 83,000 nouns, verbs, adjectives and adverbs): nothing is
downloaded. A run of capitalised words none of which is an English word (`Hodan Warsame`)
is taken for a name without asking the NER model, which misses most names it has not seen.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

# The lemma index's tables are keyed by spaCy's string hash of the part of speech; this is
# `spacy.strings.hash_string("noun")` (a test checks it), written out so that the lexicon loads
# without importing spaCy, which a background thread may be importing at the same moment.
NOUN_TABLE = 16833663260455505849
_SUFFIXES = ("s", "es", "ed", "ing", "ly", "er", "ers")


def _lookups_path(model: str) -> Path | None:
    spec = importlib.util.find_spec(model)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        for path in sorted(Path(location).glob("*/lemmatizer/lookups/lookups.bin")):
            return path
    return None


class Lexicon:
    """Membership of lower-case words in the model's English word index, loaded on first use."""

    def __init__(self, model: str) -> None:
        self.model = model
        self._words: frozenset[str] | None = None
        self._not_only_nouns: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            with self._lock:
                if self._words is None:
                    self._words = self._load()
        return self._words

    def _load(self) -> frozenset[str]:
        path = _lookups_path(self.model)
        if path is None:
            return frozenset()
        import srsly  # with numpy: only once a line has capitalised words to judge

        tables = srsly.read_msgpack(path)
        index = tables.get("lemma_index", {})
        self._not_only_nouns = frozenset(
            word
            for pos, words in index.items()
            if pos != NOUN_TABLE
            for word in words
            if "_" not in word
        )
        return frozenset(word for words in index.values() for word in words if "_" not in word)

    @property
    def available(self) -> bool:
        return bool(self.words)

    def knows(self, word: str) -> bool:
        word = word.lower().strip(".'\u2019")
        words = self.words
        if word in words:
            return True
        return any(word.endswith(suffix) and word[: -len(suffix)] in words for suffix in _SUFFIXES)

    def only_a_noun(self, word: str) -> bool:
        """Whether the word is English and only ever a noun (`walker`, `david`, `family`), as
        most given names and surnames WordNet lists are; `run`, `pay`, `free` are not."""
        word = word.lower().strip(".'\u2019")
        words = self.words
        if word in words:
            return word not in self._not_only_nouns
        stems = [word[: -len(suffix)] for suffix in _SUFFIXES if word.endswith(suffix)]
        known = [stem for stem in stems if stem in words]
        return bool(known) and not any(stem in self._not_only_nouns for stem in known)

    def ordinary(self, word: str) -> bool:
        """An English word that is not only a noun: `support`, `run`, `visa` — not a name."""
        return self.knows(word) and not self.only_a_noun(word)

    def none_known(self, phrase_words: list[str]) -> bool:
        """Whether no word of the phrase is English (False when the index is missing)."""
        if not self.available:
            return False
        return not any(self.knows(word) for word in phrase_words)
