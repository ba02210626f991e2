"""Text bound for a terminal or a Markdown viewer, with every control character taken out.

Report cells and trail lines carry values that callers chose (actor names, targets, purposes
after redaction, audit titles): an ESC could move the cursor, rewrite earlier lines or retitle
the terminal, a CR overprint a line, and bidirectional overrides make text read differently
from what it is. Everything in Unicode category Cc (C0, DEL, C1 — ESC included) and the
bidirectional formatting characters are removed; line breaks are kept only where asked.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def printable(text: str, *, keep: str = "") -> str:
    """``text`` without control characters, except those in ``keep`` (e.g. ``"\\n"``)."""
    return "".join(
        char
        for char in text
        if char in keep or not (unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS)
    )


def one_line(text: str) -> str:
    """``text`` as a single printable line: whitespace controls become spaces."""
    return printable(text.replace("\r", " ").replace("\n", " ").replace("\t", " "))
