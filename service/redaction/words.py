"""The lower-case words of a line, as the pre-screen and the pattern gates read them, and
words without their accents, as context words are matched."""

from __future__ import annotations

import re
import unicodedata

_WORDS = re.compile(r"[^\W\d_]+")


def line_words(text: str) -> frozenset[str]:
    return frozenset(_WORDS.findall(text.lower()))


def without_accents(text: str) -> str:
    """``tél`` -> ``tel``: letters stripped of their combining marks (offsets may change)."""
    return "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
