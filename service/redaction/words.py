"""The lower-case words of a line, as the pre-screen and the pattern gates read them."""

from __future__ import annotations

import re

_WORDS = re.compile(r"[^\W\d_]+")


def line_words(text: str) -> frozenset[str]:
    return frozenset(_WORDS.findall(text.lower()))
