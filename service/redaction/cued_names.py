"""Names written in capitals or in lower case right after a word that introduces a person:
`cardholder EMILY CLARK`, `customer: SANTOS, MARIA`, `customer james brown requested a refund`.

The capitalised-run search (`names.py`) looks for `Emily Clark`; upper- and lower-case names
are found only where a cue vouches for them, and only when they do not read as ordinary words
(`customer SUPPORT TEAM`, `user admin logged in` stay).
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from service.redaction.lexicon import Lexicon
from service.redaction.names import LOG_VOCABULARY

# Cues that name a person's role; prepositions (`by`) and titles (handled in `names.py`) are
# too loose before a lower-case word.
_NOT_NOMINAL = frozenset(
    ("by", "signed", "dear", "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "named", "name")
)
_UPPER_WORD = r"\p{Lu}[\p{Lu}\p{M}'\u2019-]+"
_LOWER_WORD = r"\p{Ll}[\p{Ll}\p{M}'\u2019-]+"
# Words that end a lower-case name rather than continue it.
_NOT_A_NAME = frozenset(
    """
    is was are were be been has had have will would can could should may might must not no
    id ids number account accounts team support record records profile email mail phone
    """.split()  # noqa: SIM905
)
_VERB_ENDINGS = ("ed", "ing")


class CuedNames:
    def __init__(self, cues: Iterable[str], lexicon: Lexicon) -> None:
        nominal = sorted(cue for cue in cues if cue not in _NOT_NOMINAL)
        self._lexicon = lexicon
        self._words = frozenset(nominal)
        # Possessive: a long run of blanks after a cue must not be tried at every split.
        self._pattern = regex.compile(
            rf"(?<![\w-])(?i:{'|'.join(map(regex.escape, nominal))})(?:[ \t]*+[:#])?+[ \t]++"
            rf"(?:({_UPPER_WORD}(?:,?[ \t]+{_UPPER_WORD}){{1,2}})(?![\w-])"
            rf"|({_LOWER_WORD}[ \t]+{_LOWER_WORD})(?![\w-]))"
        )

    def spans(self, text: str, words: frozenset[str]) -> list[tuple[int, int]]:
        if self._words.isdisjoint(words):
            return []
        found = []
        for match in self._pattern.finditer(text):
            if match.group(1) is not None and self._upper_name(
                match.group(1).replace(",", " ").split()
            ):
                found.append(match.span(1))
            elif match.group(2) is not None and self._lower_name(match.group(2).split()):
                found.append(match.span(2))
        return found

    def _upper_name(self, words: list[str]) -> bool:
        if any(word.lower() in LOG_VOCABULARY for word in words):
            return False
        return not all(map(self._lexicon.ordinary, words))

    def _lower_name(self, words: list[str]) -> bool:
        first, last = words
        if any(word in LOG_VOCABULARY or word in _NOT_A_NAME for word in words):
            return False
        if self._lexicon.ordinary(first):
            return False
        return self._lexicon.only_a_noun(last) or not last.endswith(_VERB_ENDINGS)
